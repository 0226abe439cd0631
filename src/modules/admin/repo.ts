import { asc } from "drizzle-orm";
import type { Db } from "../../platform/db.js";
import { users, type User } from "../users/index.js";

// Oldest first, like the order accounts were created. Paging comes with the
// full user management; until then the list is capped.
export const USER_LIST_LIMIT = 500;

export async function listUsers(db: Db, limit = USER_LIST_LIMIT): Promise<User[]> {
  return db.select().from(users).orderBy(asc(users.createdAt), asc(users.username)).limit(limit);
}
