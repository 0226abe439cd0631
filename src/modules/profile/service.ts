import { createHash } from "node:crypto";
import type { Deps } from "../../deps.js";
import { AppError } from "../../platform/errors.js";
import { recordAudit, type RequestMeta } from "../audit/service.js";
import { translateUniqueViolation } from "../auth/service.js";
import type { User } from "../users/tables.js";
import { normalizeAvatar } from "./avatar-image.js";
import { deleteAvatar, findAvatar, isUsernameTakenByAnother, updateUsername, upsertAvatar } from "./repo.js";
import type { ChangeUsernameInput } from "./schema.js";

export const USERNAME_CHANGED = "profile.username_changed";
export const AVATAR_CHANGED = "profile.avatar_changed";
export const AVATAR_REMOVED = "profile.avatar_removed";

type ProfileDeps = Pick<Deps, "db">;

// The pre-check gives the usual answer; the unique index on lower(username)
// catches two users racing for the same name.
export async function changeUsername(deps: ProfileDeps, user: User, input: ChangeUsernameInput, meta: RequestMeta): Promise<{ changed: boolean }> {
  if (input.username === user.username) return { changed: false };
  if (await isUsernameTakenByAnother(deps.db, input.username, user.id)) {
    throw new AppError(409, "USERNAME_TAKEN", { field: "username", message: "That username is taken." });
  }
  await deps.db
    .transaction(async (tx) => {
      await updateUsername(tx, user.id, input.username);
      await recordAudit(tx, { action: USERNAME_CHANGED, actorId: user.id, subjectId: user.id, details: { from: user.username, to: input.username } }, meta);
    })
    .catch(translateUniqueViolation);
  return { changed: true };
}

// Nothing is written unless the upload decodes into a clean 256 px WebP.
export async function saveAvatar(deps: ProfileDeps, userId: string, upload: Buffer, meta: RequestMeta): Promise<void> {
  const { image, sourceFormat } = await normalizeAvatar(upload);
  const etag = createHash("sha256").update(image).digest("hex");
  await deps.db.transaction(async (tx) => {
    await upsertAvatar(tx, userId, image, etag);
    await recordAudit(tx, { action: AVATAR_CHANGED, actorId: userId, subjectId: userId, details: { sourceFormat, bytes: image.length } }, meta);
  });
}

// Removing an avatar that is already gone is not an error (a double submit).
export async function removeAvatar(deps: ProfileDeps, userId: string, meta: RequestMeta): Promise<void> {
  await deps.db.transaction(async (tx) => {
    if (await deleteAvatar(tx, userId)) {
      await recordAudit(tx, { action: AVATAR_REMOVED, actorId: userId, subjectId: userId }, meta);
    }
  });
}

export async function avatarForServing(deps: ProfileDeps, userId: string) {
  return findAvatar(deps.db, userId);
}
