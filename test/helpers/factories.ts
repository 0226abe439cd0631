import { randomBytes } from "node:crypto";
import type { Deps } from "../../src/platform/deps.js";
import { hashPassword } from "../../src/platform/crypto/passwords.js";
import { findUserById, insertUser } from "../../src/modules/users/repo.js";
import type { User } from "../../src/modules/users/tables.js";
import { insertWorkspaceWithOwner } from "../../src/modules/workspaces/repo.js";
import { memberships, type Workspace, type WorkspaceRole } from "../../src/modules/workspaces/tables.js";
import { HttpClient } from "./http-client.js";

export const DEFAULT_PASSWORD = "Correct-Horse-42";

let cachedHash: Promise<string> | undefined;

export function uniqueName(prefix = "user"): string {
  return `${prefix}_${randomBytes(4).toString("hex")}`;
}

export async function createUser(
  deps: Pick<Deps, "db">,
  overrides: { username?: string; email?: string; password?: string; isInstanceAdmin?: boolean } = {},
): Promise<User & { password: string }> {
  const username = overrides.username ?? uniqueName();
  const password = overrides.password ?? DEFAULT_PASSWORD;
  // One hash for the default password keeps factories fast.
  const passwordHash = overrides.password ? await hashPassword(password) : await (cachedHash ??= hashPassword(DEFAULT_PASSWORD));
  const user = await insertUser(deps.db, {
    username,
    email: overrides.email ?? `${username}@example.test`,
    passwordHash,
    isInstanceAdmin: overrides.isInstanceAdmin ?? false,
  });
  return { ...user, password };
}

export async function createWorkspace(deps: Pick<Deps, "db">, owner: User, name = uniqueName("ws")): Promise<Workspace> {
  return insertWorkspaceWithOwner(deps.db, { name, slug: name.toLowerCase().replace(/_/g, "-"), ownerId: owner.id });
}

export async function addMember(deps: Pick<Deps, "db">, workspace: Workspace, user: User, role: WorkspaceRole = "member") {
  await deps.db.insert(memberships).values({ workspaceId: workspace.id, userId: user.id, role });
}

// `headers` go with the sign-in's POST (X-Forwarded-For, say).
export async function signedInClient(baseUrl: string, user: { username: string; password: string }, headers: Record<string, string> = {}): Promise<HttpClient> {
  const client = new HttpClient(baseUrl);
  const response = await client.submit("/login", "/login", { login: user.username, password: user.password }, { headers });
  if (response.status !== 303) throw new Error(`sign-in failed with ${response.status}`);
  await client.get("/settings/profile"); // picks up the new session's CSRF token
  return client;
}

// The user as stored now (after the app changed it).
export async function reloadUser(deps: Pick<Deps, "db">, id: string): Promise<User> {
  const user = await findUserById(deps.db, id);
  if (!user) throw new Error(`user ${id} is gone`);
  return user;
}

// A new user, signed in, with their profile page loaded (and its CSRF token).
export async function newUserOnProfilePage(deps: Pick<Deps, "db">, baseUrl: string) {
  const user = await createUser(deps);
  const client = await signedInClient(baseUrl, user);
  const profile = await client.get("/settings/profile");
  if (profile.status !== 200) throw new Error(`profile page answered ${profile.status}`);
  return { user, client };
}
