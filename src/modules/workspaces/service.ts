import type { Db } from "../../db/client.js";
import { AppError, isUniqueViolation, notFound } from "../../platform/errors.js";
import { recordAudit, type RequestMeta } from "../audit/service.js";
import { insertWorkspaceWithOwner, isSlugTaken, type WorkspaceMembership } from "./repo.js";
import { slugify, type CreateWorkspaceInput } from "./schema.js";
import type { Workspace } from "./tables.js";

// The creator becomes the owner in the same transaction: a workspace never
// exists without exactly one owner.
export async function createWorkspace(db: Db, ownerId: string, input: CreateWorkspaceInput, meta?: RequestMeta): Promise<Workspace> {
  const slug = input.slug || slugify(input.name);
  if (await isSlugTaken(db, slug)) {
    throw new AppError(409, "SLUG_TAKEN", { field: "slug", message: "That address is taken. Choose another." });
  }
  try {
    return await db.transaction(async (tx) => {
      const workspace = await insertWorkspaceWithOwner(tx, { name: input.name, slug, ownerId });
      await recordAudit(tx, { action: "workspace.created", actorId: ownerId, subjectId: ownerId, workspaceId: workspace.id }, meta);
      return workspace;
    });
  } catch (error) {
    if (isUniqueViolation(error, "workspaces_slug_key")) {
      throw new AppError(409, "SLUG_TAKEN", { field: "slug", message: "That address is taken. Choose another." });
    }
    throw error;
  }
}

// A workspace the user does not belong to answers 404, never 403: its
// existence is not disclosed. The memberships are the ones loaded for this
// request (one query per request), so this costs no second query.
export function requireMembership(memberships: WorkspaceMembership[], slug: string): WorkspaceMembership {
  const membership = memberships.find((candidate) => candidate.workspace.slug === slug);
  if (!membership) throw notFound();
  return membership;
}
