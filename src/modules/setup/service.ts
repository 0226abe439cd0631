import { sql } from "drizzle-orm";
import type { Deps } from "../../platform/deps.js";
import { AppError, notFound } from "../../platform/errors.js";
import { hashPassword } from "../../platform/crypto/passwords.js";
import type { RequestMeta } from "../../web/context.js";
import { recordEvent } from "../audit/index.js";
import { assertNewAccountAllowed } from "../auth/index.js";
import { countUsers, insertUser, translateUniqueViolation, type User } from "../users/index.js";
import { insertWorkspaceWithOwner, slugify, type Workspace } from "../workspaces/index.js";
import { setupEvents } from "./events.js";
import type { SetupInput } from "./schema.js";

// Setup exists only while there is no account at all. Once an account exists
// (here or in another process) the page is gone; the cached answer never
// flips back, since accounts are never all removed.
export function createSetupState(deps: Pick<Deps, "db">) {
  let done = false;
  return {
    async isDone(): Promise<boolean> {
      if (!done) done = (await countUsers(deps.db)) > 0;
      return done;
    },
  };
}
export type SetupState = ReturnType<typeof createSetupState>;

export async function completeSetup(deps: Pick<Deps, "db">, input: SetupInput, meta: RequestMeta): Promise<{ user: User; workspace: Workspace }> {
  await assertNewAccountAllowed(deps, input);
  const passwordHash = await hashPassword(input.password);
  return deps.db
    .transaction(async (tx) => {
      // Serialises two setup submissions racing each other: only the first wins.
      await tx.execute(sql`select pg_advisory_xact_lock(7210001)`);
      if ((await countUsers(tx)) > 0) throw notFound();
      const user = await insertUser(tx, { username: input.username, email: input.email, passwordHash, isInstanceAdmin: true });
      const slug = input.workspaceSlug || slugify(input.workspaceName);
      const workspace = await insertWorkspaceWithOwner(tx, { name: input.workspaceName, slug, ownerId: user.id });
      await recordEvent(tx, setupEvents.completed(user.id, workspace.id), meta);
      return { user, workspace };
    })
    .catch((error) => {
      if (error instanceof AppError) throw error;
      return translateUniqueViolation(error);
    });
}
