import { sql } from "drizzle-orm";
import type { Deps } from "../../deps.js";
import { AppError, notFound } from "../../platform/errors.js";
import { hashPassword } from "../../platform/crypto/passwords.js";
import { recordAudit, type RequestMeta } from "../audit/service.js";
import { assertNewAccountAllowed, translateUniqueViolation } from "../auth/service.js";
import { countUsers, insertUser } from "../users/repo.js";
import type { User } from "../users/tables.js";
import { insertWorkspaceWithOwner } from "../workspaces/repo.js";
import { slugify } from "../workspaces/schema.js";
import type { Workspace } from "../workspaces/tables.js";
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
      await recordAudit(tx, { action: "instance.setup_completed", actorId: user.id, subjectId: user.id, workspaceId: workspace.id }, meta);
      return { user, workspace };
    })
    .catch((error) => {
      if (error instanceof AppError) throw error;
      return translateUniqueViolation(error);
    });
}
