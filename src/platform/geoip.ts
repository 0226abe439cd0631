import { readFileSync } from "node:fs";
import ipaddr from "ipaddr.js";
import { Reader, type CityResponse } from "maxmind";

// What the locator logs with (pino's logger fits).
export interface GeoLogger {
  warn(fields: Record<string, unknown>, message: string): void;
}

// The approximate place of an IP address, from a GeoLite-style MaxMind
// database (GEOIP_DATABASE, a .mmdb file) when one is configured: notices and
// activity rows say "Berlin, Germany (203.0.113.7)" instead of the bare IP.
// A lookup never throws into a request: a missing or corrupt file, or a bad
// address, is logged once and the IP alone is shown.

export interface GeoLocator {
  // "Berlin, Germany", "Germany", or null when unknown.
  place(ip: string | null | undefined): string | null;
  // "Berlin, Germany (203.0.113.7)", else the IP alone.
  describe(ip: string | null | undefined): string;
}

// Addresses no database places: private networks, loopback and the like
// (a sign-in through a proxy on the same host shows its address alone).
const UNPLACEABLE = new Set(["private", "loopback", "linkLocal", "unspecified", "carrierGradeNat", "uniqueLocal", "multicast", "broadcast", "ipv4Mapped"]);

// "::ffff:203.0.113.7" (how Node reports IPv4 on a dual-stack socket) is 203.0.113.7.
function normalise(ip: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  if (!ipaddr.isValid(ip)) return null;
  const parsed = ipaddr.parse(ip);
  if (parsed.kind() === "ipv6" && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) return (parsed as ipaddr.IPv6).toIPv4Address();
  return parsed;
}

const withPlace = (place: string | null, ip: string) => (place ? `${place} (${ip})` : ip);

export const noGeoLocator: GeoLocator = {
  place: () => null,
  describe: (ip) => ip || "unknown",
};

export function createGeoLocator(databasePath: string | undefined, logger: GeoLogger): GeoLocator {
  if (!databasePath) return noGeoLocator;
  // Opened at the first lookup (start-up never waits on or fails for it);
  // after a failure the locator stays off until the process restarts.
  let reader: Reader<CityResponse> | null | undefined;
  let failed = false;
  const giveUp = (err: unknown, what: string) => {
    if (!failed) logger.warn({ err, path: databasePath }, `GeoIP database ${what}; showing IP addresses without a place`);
    failed = true;
    reader = null;
  };
  const open = (): Reader<CityResponse> | null => {
    if (reader !== undefined) return reader;
    try {
      reader = new Reader<CityResponse>(readFileSync(databasePath));
    } catch (err) {
      giveUp(err, "could not be read");
    }
    return reader ?? null;
  };

  const place = (ip: string | null | undefined): string | null => {
    if (!ip) return null;
    const address = normalise(ip);
    if (!address || UNPLACEABLE.has(address.range())) return null;
    const db = open();
    if (!db) return null;
    try {
      const record = db.get(address.toString());
      const city = record?.city?.names?.en;
      const country = record?.country?.names?.en ?? record?.registered_country?.names?.en;
      const parts = [city, country].filter((part): part is string => typeof part === "string" && part.length > 0);
      // Names come from a file: kept to one printable line.
      return parts.length ? parts.join(", ").replace(/[\u0000-\u001f\u007f]+/g, " ").slice(0, 200) : null;
    } catch (err) {
      giveUp(err, "answered with an error");
      return null;
    }
  };
  return { place, describe: (ip) => withPlace(place(ip), ip || "unknown") };
}
