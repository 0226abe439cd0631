import type { Db } from "../../platform/db.js";
import { AppError, isUniqueViolation, notFound } from "../../platform/errors.js";
import type { RequestMeta } from "../../web/context.js";
import { recordEvent } from "../audit/index.js";
import { workspaceEvents } from "./events.js";
import { insertWorkspaceWithOwner, isSlugTaken } from "./repo.js";
import { slugify, type CreateWorkspaceInput } from "./schema.js";
import type { Workspace } from "./tables.js";

const slugTaken = () => new AppError(409, "SLUG_TAKEN", { field: "slug", message: "workspaces:errors.slugTaken" });

// The creator becomes the owner in the same transaction: a workspace never
// exists without exactly one owner.
export async function createWorkspace(db: Db, ownerId: string, input: CreateWorkspaceInput, meta?: RequestMeta): Promise<Workspace> {
  const slug = input.slug || slugify(input.name);
  if (await isSlugTaken(db, slug)) throw slugTaken();
  try {
    return await db.transaction(async (tx) => {
      const workspace = await insertWorkspaceWithOwner(tx, { name: input.name, slug, ownerId });
      await recordEvent(tx, workspaceEvents.created(ownerId, workspace), meta);
      return workspace;
    });
  } catch (error) {
    if (isUniqueViolation(error, "workspaces_slug_key")) throw slugTaken();
    throw error;
  }
}

// A workspace the user does not belong to answers 404, never 403: its
// existence is not disclosed. The memberships are the ones loaded for this
// request, so this costs no second query.
export function membershipBySlug<M extends { workspace: { slug: string } }>(memberships: M[], slug: string): M {
  const membership = memberships.find((candidate) => candidate.workspace.slug === slug);
  if (!membership) throw notFound();
  return membership;
}
