import { Ajv2020 } from "ajv/dist/2020.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addMember, createUser, createWorkspace } from "../helpers/factories.js";
import { startTestApp, type TestApp } from "../helpers/test-app.js";
import { callApi, issueToken, type ApiResponse } from "../tokens/helpers.js";

// Real responses, validated against the OpenAPI document the server
// publishes: a status the document does not list for that operation, or a
// body that does not fit its schema, fails.
let app: TestApp;
let document: any;
const ajv = new Ajv2020({ allErrors: true, strict: false });
ajv.addFormat("uuid", /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
const exercised = new Set<string>();

beforeAll(async () => {
  app = await startTestApp();
  document = (await callApi(app, "GET", "/openapi.json")).body;
});
afterAll(async () => {
  await app?.close();
});

function expectConforms(method: string, template: string, response: ApiResponse) {
  const operation = document.paths[template]?.[method.toLowerCase()];
  expect(operation, `${method} ${template} is documented`).toBeDefined();
  const documented = operation.responses[String(response.status)];
  expect(documented, `${method} ${template} documents status ${response.status}`).toBeDefined();
  exercised.add(`${method.toLowerCase()} ${template}`);
  const schema = documented.content?.["application/json"]?.schema;
  if (!schema) {
    expect(response.body).toBeNull();
    return;
  }
  const validate = ajv.compile(schema);
  const valid = validate(response.body);
  expect(valid, `${method} ${template} ${response.status}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(response.body)}`).toBe(true);
}

async function call(method: string, template: string, path: string, options: Parameters<typeof callApi>[3] = {}) {
  const response = await callApi(app, method, path, options);
  expectConforms(method, template, response);
  return response;
}

describe("the OpenAPI document", () => {
  it("is OpenAPI 3.1 whose every schema compiles", () => {
    expect(document.openapi).toBe("3.1.0");
    expect(document.components.securitySchemes.bearerToken).toMatchObject({ type: "http", scheme: "bearer" });
    for (const [path, operations] of Object.entries<any>(document.paths)) {
      for (const [method, operation] of Object.entries<any>(operations)) {
        expect(operation.responses, `${method} ${path}`).toBeDefined();
        for (const response of Object.values<any>(operation.responses)) {
          const schema = response.content?.["application/json"]?.schema;
          if (schema) expect(() => ajv.compile(schema)).not.toThrow();
        }
        const body = operation.requestBody?.content["application/json"].schema;
        if (body) expect(() => ajv.compile(body)).not.toThrow();
      }
    }
  });

  it("describes request bodies: an invalid one per the document is refused by the server", async () => {
    const user = await createUser(app.deps);
    const { secret } = await issueToken(app, user);
    const bodySchema = ajv.compile(document.paths["/tokens"].post.requestBody.content["application/json"].schema);
    const bad = { name: "x", scopes: ["root"] };
    expect(bodySchema(bad)).toBe(false);
    expect((await call("POST", "/tokens", "/tokens", { token: secret, json: bad })).status).toBe(422);
    const good = { name: "x", scopes: ["account:read"], ipAllowList: ["10.0.0.0/8"], expiresAt: "2030-01-01" };
    expect(bodySchema(good)).toBe(true);
    expect((await call("POST", "/tokens", "/tokens", { token: secret, json: good })).status).toBe(201);
  });
});

describe("real responses match the document", () => {
  it("for every operation, success and failure", async () => {
    const owner = await createUser(app.deps);
    const member = await createUser(app.deps);
    const workspace = await createWorkspace(app.deps, owner);
    await addMember(app.deps, workspace, member);
    const { secret } = await issueToken(app, owner);
    const { secret: memberSecret } = await issueToken(app, member, { scopes: ["workspace:admin"] });
    const { secret: narrow } = await issueToken(app, owner, { scopes: ["account:read"] });

    await call("GET", "/me", "/me", { token: secret });
    await call("GET", "/me", "/me");
    await call("GET", "/me", "/me", { token: `lk_${"C".repeat(43)}` });
    await call("PATCH", "/me", "/me", { token: secret, json: { username: `${owner.username}_c` } });
    await call("PATCH", "/me", "/me", { token: secret, json: { username: member.username } });
    await call("PATCH", "/me", "/me", { token: secret, json: { username: "?" } });
    await call("PATCH", "/me", "/me", { token: narrow, json: { username: "nope_nope" } });

    await call("GET", "/tokens", "/tokens", { token: secret });
    const created = await call("POST", "/tokens", "/tokens", { token: secret, json: { name: "contract", ipAllowList: ["2001:db8::/32"] } });
    const id = created.body.token.id;
    await call("POST", "/tokens", "/tokens", { token: secret, json: { name: "big", ipAllowList: Array(60).fill("10.0.0.1") } });
    await call("GET", "/tokens/{id}", `/tokens/${id}`, { token: secret });
    await call("GET", "/tokens/{id}", "/tokens/00000000-0000-0000-0000-000000000000", { token: secret });
    await call("PATCH", "/tokens/{id}", `/tokens/${id}`, { token: secret, json: { name: "renamed", expiresAt: "2029-12-31T23:00:00+01:00" } });
    await call("PATCH", "/tokens/{id}", `/tokens/${id}`, { token: secret, json: { expiresAt: "1999-01-01" } });
    await call("POST", "/tokens/{id}/roll", `/tokens/${id}/roll`, { token: secret });
    await call("DELETE", "/tokens/{id}", `/tokens/${id}`, { token: secret });
    await call("DELETE", "/tokens/{id}", `/tokens/${id}`, { token: secret });

    const page = await call("GET", "/audit-events", "/audit-events?limit=2", { token: secret });
    await call("GET", "/audit-events", `/audit-events?limit=2&cursor=${page.body.nextCursor}`, { token: secret });
    await call("GET", "/audit-events", "/audit-events?cursor=abc", { token: secret });

    await call("GET", "/workspaces", "/workspaces", { token: secret });
    await call("GET", "/workspaces/{slug}/members", `/workspaces/${workspace.slug}/members`, { token: secret });
    await call("GET", "/workspaces/{slug}/members", `/workspaces/${workspace.slug}/members`, { token: memberSecret });
    await call("GET", "/workspaces/{slug}/members", "/workspaces/nowhere/members", { token: secret });

    const documented = Object.entries<any>(document.paths).flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method} ${path}`));
    expect(documented.filter((operation) => !exercised.has(operation))).toEqual([]);
  });
});
