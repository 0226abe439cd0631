import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

// Pages and fragments are sent by web/render.ts's sendHtml rather than
// res.send: the same headers, the byte length of the UTF-8 body (not its
// character count), and no body for HEAD.
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
});

afterAll(async () => {
  await app.close();
});

describe("a rendered page's response", () => {
  it("counts the bytes of a page in a language outside ASCII, and is HTML in UTF-8", async () => {
    const response = await fetch(`${app.baseUrl}/login`, { headers: { "accept-language": "zh-CN" } });
    const body = Buffer.from(await response.arrayBuffer());
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(body.toString("utf8")).toMatch(/[\u4e00-\u9fff]/);
    expect(Number(response.headers.get("content-length"))).toBe(body.length);
    expect(body.length).toBeGreaterThan(body.toString("utf8").length);
  });

  it("answers HEAD with the page's headers and no body", async () => {
    const get = await fetch(`${app.baseUrl}/login`);
    const head = await fetch(`${app.baseUrl}/login`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(Number(head.headers.get("content-length"))).toBeGreaterThan(1000);
    expect(Number(head.headers.get("content-length"))).toBeCloseTo(Number(get.headers.get("content-length")), -2);
    expect((await head.arrayBuffer()).byteLength).toBe(0);
  });
});
