import { and, asc, eq, inArray, ne } from "drizzle-orm";
import type { Db } from "../../platform/db.js";
import { users } from "../users/index.js";
import { memberships, workspaces } from "../workspaces/index.js";

// Who can reset someone's two-factor authentication when the authenticator
// and the backup codes are both lost (seeds 000/001): the owners and admins
// of their workspaces, and the instance administrators. Named on the
// security page and the backup-codes page, for a signed-in user only.
export interface WhoCanHelp {
  workspaces: Array<{ name: string; people: string[] }>;
  instanceAdmins: string[];
}

const MAX_NAMES = 5;

export async function whoCanHelp(db: Db, userId: string): Promise<WhoCanHelp> {
  const mine = db.select({ workspaceId: memberships.workspaceId }).from(memberships).where(eq(memberships.userId, userId));
  const rows = await db
    .select({ workspace: workspaces.name, username: users.username, role: memberships.role })
    .from(memberships)
    .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(inArray(memberships.workspaceId, mine), inArray(memberships.role, ["owner", "admin"]), eq(users.status, "active"), ne(users.id, userId)))
    .orderBy(asc(workspaces.name), asc(users.username));
  // The owner first, then the admins.
  const rank = (row: (typeof rows)[number]) => Number(row.role !== "owner");
  rows.sort((a, b) => (a.workspace === b.workspace ? rank(a) - rank(b) : a.workspace < b.workspace ? -1 : 1));
  const byWorkspace = new Map<string, string[]>();
  for (const row of rows) {
    const people = byWorkspace.get(row.workspace) ?? [];
    if (people.length < MAX_NAMES) people.push(`${row.username} (${row.role})`);
    byWorkspace.set(row.workspace, people);
  }
  const admins = await db
    .select({ username: users.username })
    .from(users)
    .where(and(eq(users.isInstanceAdmin, true), eq(users.status, "active"), ne(users.id, userId)))
    .orderBy(asc(users.username))
    .limit(MAX_NAMES);
  return { workspaces: [...byWorkspace].map(([name, people]) => ({ name, people })), instanceAdmins: admins.map((admin) => admin.username) };
}
