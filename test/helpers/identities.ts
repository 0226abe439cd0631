import { expect } from "vitest";
import type { Deps } from "../../src/platform/deps.js";
import { createProvider } from "../../src/modules/identities/service.js";
import type { User } from "../../src/modules/users/tables.js";
import type { HttpClient } from "./http-client.js";

const meta = { ip: "127.0.0.1", userAgent: "test" };

// Configures a provider through the service (the admin page has its own test).
export function addProvider(
  deps: Deps,
  admin: Pick<User, "id">,
  input: { kind: "github" | "discord" | "oidc"; clientId: string; clientSecret: string; name?: string; slug?: string; issuer?: string; signInEnabled?: boolean; linkingEnabled?: boolean },
) {
  const names = { github: "GitHub", discord: "Discord", oidc: "Acme ID" } as const;
  return createProvider(
    deps,
    admin,
    { name: names[input.kind], signInEnabled: true, linkingEnabled: true, ...input, slug: input.slug ?? (input.kind === "oidc" ? "acme" : undefined) },
    meta,
  );
}

const unescapeHtml = (text: string) => text.replace(/&#34;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, "&");

// The "Continuing to …" page: where the browser goes next (the provider's authorization URL).
export function providerUrlIn(html: string): string {
  const match = /<meta http-equiv="refresh" content="0;url=([^"]+)">/.exec(html);
  if (!match) throw new Error(`no redirect page: ${html.slice(0, 300)}`);
  return unescapeHtml(match[1]!);
}

// Posts Bind (or "Continue with …") and returns the provider URL the page sends the browser to.
export async function startAt(client: HttpClient, action: string, page: string): Promise<string> {
  await client.get(page);
  const response = await client.post(action, page === "/login" ? { return_to: "" } : {});
  expect(response.status, response.text.slice(0, 500)).toBe(200);
  return providerUrlIn(response.text);
}
