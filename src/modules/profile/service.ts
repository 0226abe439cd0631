import { createHash } from "node:crypto";
import type { Deps } from "../../platform/deps.js";
import type { RequestMeta } from "../../web/context.js";
import { recordEvent } from "../audit/index.js";
import { translateUniqueViolation, usernameTaken, type User } from "../users/index.js";
import { profileEvents } from "./events.js";
import { normalizeAvatar } from "./avatar-image.js";
import { deleteAvatar, findAvatar, isUsernameTakenByAnother, updateUsername, upsertAvatar } from "./repo.js";
import type { ChangeUsernameInput } from "./schema.js";

type ProfileDeps = Pick<Deps, "db">;

// The pre-check gives the usual answer; the unique index on lower(username)
// catches two users racing for the same name.
export async function changeUsername(deps: ProfileDeps, user: User, input: ChangeUsernameInput, meta: RequestMeta): Promise<{ changed: boolean }> {
  if (input.username === user.username) return { changed: false };
  if (await isUsernameTakenByAnother(deps.db, input.username, user.id)) {
    throw usernameTaken();
  }
  await deps.db
    .transaction(async (tx) => {
      await updateUsername(tx, user.id, input.username);
      await recordEvent(tx, profileEvents.usernameChanged(user.id, user.username, input.username), meta);
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
    await recordEvent(tx, profileEvents.avatarChanged(userId, { sourceFormat, bytes: image.length }), meta);
  });
}

// Removing an avatar that is already gone is not an error (a double submit).
export async function removeAvatar(deps: ProfileDeps, userId: string, meta: RequestMeta): Promise<void> {
  await deps.db.transaction(async (tx) => {
    if (await deleteAvatar(tx, userId)) {
      await recordEvent(tx, profileEvents.avatarRemoved(userId), meta);
    }
  });
}

export async function avatarForServing(deps: ProfileDeps, userId: string) {
  return findAvatar(deps.db, userId);
}
