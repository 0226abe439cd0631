import type { User } from "../../src/modules/users/tables.js";
import { createToken } from "../../src/modules/tokens/service.js";
import type { TokenScope } from "../../src/modules/tokens/scopes.js";
import type { TestApp } from "../helpers/test-app.js";

export const ALL_SCOPES: TokenScope[] = ["account:read", "account:write", "tokens:manage", "audit:read", "workspace:admin"];

// A token made through the same service the page uses (the owner acting).
export async function issueToken(app: TestApp, user: User, options: { scopes?: TokenScope[]; ipAllowList?: string[]; expiresAt?: Date; name?: string } = {}) {
  return createToken(
    app.deps,
    { id: user.id, isInstanceAdmin: user.isInstanceAdmin, tokenScopes: null },
    user,
    { name: options.name ?? "test token", scopes: options.scopes ?? ALL_SCOPES, ipAllowList: options.ipAllowList ?? [], expiresAt: options.expiresAt },
    { ip: "127.0.0.1", userAgent: "test" },
  );
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  body: any;
}

// A real HTTP call to the management API.
export async function callApi(
  app: { baseUrl: string },
  method: string,
  path: string,
  options: { token?: string; json?: unknown; body?: string; headers?: Record<string, string> } = {},
): Promise<ApiResponse> {
  const headers: Record<string, string> = { ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...options.headers };
  let body = options.body;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers["content-type"] ??= "application/json";
  }
  const response = await fetch(new URL(`/api/v1${path}`, app.baseUrl), { method, headers, body, redirect: "manual" });
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

export async function eventsOf(app: TestApp, userId: string | null, action: string) {
  const { auditEvents } = await import("../../src/modules/audit/tables.js");
  const { and, eq, isNull } = await import("drizzle-orm");
  return app.deps.db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.action, action), userId ? eq(auditEvents.subjectId, userId) : isNull(auditEvents.subjectId)));
}
