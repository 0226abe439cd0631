import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createGeoLocator, noGeoLocator } from "../../src/platform/geoip.js";
import { testGeoDatabase, writeMmdb } from "../helpers/mmdb-writer.js";

const dir = mkdtempSync(path.join(tmpdir(), "latchkey-geoip-"));
const file = (name: string, content: Buffer | string) => {
  const full = path.join(dir, name);
  writeFileSync(full, content);
  return full;
};

function recordingLogger() {
  const warnings: string[] = [];
  return { warnings, warn: (_fields: unknown, message: string) => void warnings.push(message) };
}

describe("GeoIP locator", () => {
  const logger = recordingLogger();
  const geo = createGeoLocator(file("city.mmdb", testGeoDatabase()), logger);

  it("names the city and country of a known address, the IP in brackets", () => {
    expect(geo.describe("203.0.113.7")).toBe("Berlin, Germany (203.0.113.7)");
    expect(geo.place("203.0.113.7")).toBe("Berlin, Germany");
    expect(geo.describe("2001:db8::1")).toBe("Tokyo, Japan (2001:db8::1)");
  });

  it("reads an IPv4 address Node reports as IPv4-mapped IPv6", () => {
    expect(geo.describe("::ffff:203.0.113.7")).toBe("Berlin, Germany (::ffff:203.0.113.7)");
  });

  it("names the country alone when the database has no city", () => {
    expect(geo.describe("198.51.100.9")).toBe("France (198.51.100.9)");
  });

  it("shows the IP alone for an address the database does not hold", () => {
    expect(geo.describe("192.0.2.1")).toBe("192.0.2.1");
    expect(geo.place("192.0.2.1")).toBeNull();
  });

  it("never looks up private or loopback addresses (even if the file names them)", () => {
    expect(geo.describe("10.1.2.3")).toBe("10.1.2.3");
    expect(geo.describe("127.0.0.1")).toBe("127.0.0.1");
    expect(geo.describe("::1")).toBe("::1");
    expect(geo.describe("192.168.1.20")).toBe("192.168.1.20");
  });

  it("answers for what is not an address without throwing", () => {
    expect(geo.describe("console")).toBe("console");
    expect(geo.describe("")).toBe("unknown");
    expect(geo.place(null)).toBeNull();
    expect(logger.warnings).toEqual([]);
  });

  it("keeps a name from the file to one printable line", () => {
    const odd = createGeoLocator(file("odd.mmdb", writeMmdb([{ network: "203.0.113.0/24", data: { city: { names: { en: "Evil\r\nTown" } }, country: { names: { en: "<b>X</b>" } } } }])), logger);
    expect(odd.describe("203.0.113.9")).toBe("Evil Town, <b>X</b> (203.0.113.9)");
  });
});

describe("GeoIP locator without a usable database", () => {
  it("falls back to the IP for a missing file and logs once", () => {
    const logger = recordingLogger();
    const geo = createGeoLocator(path.join(dir, "missing.mmdb"), logger);
    expect(geo.describe("203.0.113.7")).toBe("203.0.113.7");
    expect(geo.describe("203.0.113.8")).toBe("203.0.113.8");
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]).toMatch(/GeoIP database could not be read/);
  });

  it("falls back to the IP for a corrupt file and logs once", () => {
    const logger = recordingLogger();
    const geo = createGeoLocator(file("corrupt.mmdb", "this is not a MaxMind database"), logger);
    expect(geo.describe("203.0.113.7")).toBe("203.0.113.7");
    expect(geo.place("198.51.100.9")).toBeNull();
    expect(logger.warnings).toHaveLength(1);
  });

  it("falls back to the IP when a valid header points at a broken tree, and logs once", () => {
    const logger = recordingLogger();
    const good = testGeoDatabase();
    // Keep the metadata, scramble the search tree.
    const broken = Buffer.concat([Buffer.alloc(600, 0xff), good.subarray(good.indexOf(Buffer.from("MaxMind.com")) - 3)]);
    const geo = createGeoLocator(file("broken.mmdb", broken), logger);
    expect(geo.describe("203.0.113.7")).toBe("203.0.113.7");
    expect(geo.describe("198.51.100.9")).toBe("198.51.100.9");
    expect(logger.warnings.length).toBeLessThanOrEqual(1);
  });

  it("is off without GEOIP_DATABASE", () => {
    expect(noGeoLocator.describe("203.0.113.7")).toBe("203.0.113.7");
    expect(createGeoLocator(undefined, recordingLogger()).place("203.0.113.7")).toBeNull();
  });
});
