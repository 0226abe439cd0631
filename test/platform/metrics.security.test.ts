import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser, createWorkspace, signedInClient } from "../helpers/factories.js";
import { HttpClient } from "../helpers/http-client.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";

// Metrics are for operators only, and what they hold must be safe to hand to
// a monitoring system: no user data, no secrets, no raw paths.
const TOKEN = "metrics-token-for-security-tests-0123456789";

describe("metrics security", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: { METRICS_TOKEN: TOKEN } });
  });
  afterAll(() => app?.close());

  it("gives no data without the exact bearer token", async () => {
    const attempts: Array<[string, Record<string, string>]> = [
      ["/metrics", {}],
      ["/metrics", { authorization: TOKEN }],
      ["/metrics", { authorization: `Basic ${Buffer.from(`metrics:${TOKEN}`).toString("base64")}` }],
      ["/metrics", { authorization: `Bearer ${TOKEN.slice(0, -1)}` }],
      ["/metrics", { authorization: `Bearer  ${TOKEN}` }],
      ["/metrics", { authorization: `bearer ${TOKEN}x` }],
      [`/metrics?token=${TOKEN}`, {}],
      [`/metrics?access_token=${TOKEN}`, {}],
      ["/metrics", { cookie: `token=${TOKEN}` }],
    ];
    for (const [path, headers] of attempts) {
      const response = await fetch(`${app.baseUrl}${path}`, { headers, redirect: "manual" });
      expect(response.status, `${path} ${JSON.stringify(headers)}`).toBe(401);
      const body = await response.text();
      expect(body).not.toContain("latchkey_");
      expect(body).not.toContain("# HELP");
    }
  });

  it("a signed-in session (even an instance administrator's) is no substitute for the token", async () => {
    const admin = await createUser(app.deps, { isInstanceAdmin: true });
    const client = await signedInClient(app.baseUrl, admin);
    const response = await client.get("/metrics");
    expect(response.status).toBe(401);
    expect(response.text).not.toContain("latchkey_");
  });

  it("holds no user data, secrets or raw paths in its labels", async () => {
    const user = await createUser(app.deps);
    const workspace = await createWorkspace(app.deps, user);
    const client = await signedInClient(app.baseUrl, user);
    const probe = "zz-probe-4f2a9c";
    await client.get(`/w/${workspace.slug}`);
    await client.get(`/w/${workspace.slug}/members?q=${probe}-query`);
    await client.get(`/w/${probe}-slug`);
    await client.get(`/${probe}-path/../etc/passwd`);
    await client.get(`/static/${probe}-asset.js`);
    await fetch(`${app.baseUrl}/api/v1/me`, { headers: { authorization: `Bearer lk_${probe}` } });
    await new HttpClient(app.baseUrl).submit("/login", "/login", { login: `${probe}-login@example.test`, password: `${probe}-password` });

    const text = await (await fetch(`${app.baseUrl}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
    const forbidden = [
      probe,
      workspace.slug,
      workspace.id,
      user.id,
      user.username,
      user.email,
      user.password,
      TOKEN,
      app.deps.config.secretKey,
      client.cookieHeader().split("=")[1]!.slice(0, 20),
      "127.0.0.1",
      "passwd",
    ];
    for (const value of forbidden) expect(text, `the scrape contains ${value}`).not.toContain(value);

    // Every label value is from a fixed vocabulary: route patterns made of
    // static segments and :params, or a handful of words.
    const values = [...text.matchAll(/(\w+)="([^"]*)"/g)].map(([, name, value]) => ({ name: name!, value: value! }));
    expect(values.length).toBeGreaterThan(0);
    for (const { name, value } of values) {
      if (name === "route") expect(value, `route label ${value}`).toMatch(/^(\/[\w:*.-]*)+$|^\((unmatched|mounted)\)/);
      else if (name === "le" || name === "quantile") expect(value).toMatch(/^[\d.e+-]+$|^\+Inf$/);
      else expect(value, `${name} label ${value}`).toMatch(/^[\w.:/ -]{0,64}$/);
    }
    // The route labels name patterns only: /w/:slug, never a slug.
    const routes = new Set(values.filter(({ name }) => name === "route").map(({ value }) => value));
    expect(routes).toContain("/w/:slug");
    expect(routes).toContain("/w/:slug/members");
    for (const route of routes) expect(route.startsWith("/w/") && !route.startsWith("/w/:slug")).toBe(false);
  });
});
