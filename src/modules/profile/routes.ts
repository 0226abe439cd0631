import { Router, type Request } from "express";
import { requestMeta } from "../../web/context.js";
import type { WebDeps } from "../../web/deps.js";
import { currentUserOf, requireUser } from "../../web/guards.js";
import { notFound } from "../../platform/errors.js";
import { redirectTo, setFlash } from "../../web/render.js";
import { rememberSectionForm } from "../../web/sections.js";
import { parseInput } from "../../web/validate.js";
import { AVATAR_UPLOAD_PATH, uploadedAvatar } from "./avatar-upload.js";
import { preferencesSchema, savePreferences } from "./preferences.js";
import { avatarParams, changeUsernameSchema } from "./schema.js";
import { avatarForServing, changeUsername, removeAvatar, saveAvatar } from "./service.js";

const PROFILE_URL = "/settings/profile";

// Neither the username nor the avatar is a credential, so, as on GitHub, they
// change without a fresh authentication (requireFreshAuth). Email and phone,
// which can recover an account, do need one.
export function profileRoutes(deps: WebDeps): Router {
  const router = Router();

  router.post(`${PROFILE_URL}/username`, requireUser, async (req, res) => {
    rememberSectionForm(deps, req, res, { page: "profile", section: "username", fragment: "profile/_username-form" });
    const input = parseInput(changeUsernameSchema, req.body);
    const { changed } = await changeUsername(deps, currentUserOf(req).user, input, requestMeta(req));
    if (changed) setFlash(req, "info", "profile:username.changed", { username: input.username });
    else setFlash(req, "info", "profile:username.unchanged");
    redirectTo(req, res, PROFILE_URL);
  });

  // The multipart body was parsed before the global CSRF check (see avatar-upload.ts).
  router.post(AVATAR_UPLOAD_PATH, requireUser, async (req, res) => {
    rememberSectionForm(deps, req, res, { page: "profile", section: "avatar", fragment: "profile/_avatar-upload-form" });
    await saveAvatar(deps, currentUserOf(req).user.id, uploadedAvatar(req), requestMeta(req));
    setFlash(req, "info", "profile:avatar.updated");
    redirectTo(req, res, PROFILE_URL);
  });

  router.post(`${AVATAR_UPLOAD_PATH}/remove`, requireUser, async (req, res) => {
    await removeAvatar(deps, currentUserOf(req).user.id, requestMeta(req));
    setFlash(req, "info", "profile:avatar.removed");
    redirectTo(req, res, PROFILE_URL);
  });

  // Language and time zone: display preferences, not credentials (no fresh authentication).
  router.post(`${PROFILE_URL}/preferences`, requireUser, async (req, res) => {
    rememberSectionForm(deps, req, res, { page: "profile", section: "preferences", fragment: "profile/_preferences-form" });
    const input = parseInput(preferencesSchema, req.body);
    await savePreferences(deps.db, currentUserOf(req).user, input);
    // Shown on the next page, already in the language just chosen.
    setFlash(req, "info", "profile:preferences.saved");
    redirectTo(req, res, PROFILE_URL);
  });

  // Any signed-in user may see any avatar (member lists show them). The bytes
  // are always our own WebP re-encoding, served with a fixed type.
  router.get("/avatars/:userId", requireUser, async (req, res) => {
    const params = avatarParams.safeParse(req.params);
    const avatar = params.success ? await avatarForServing(deps, params.data.userId) : undefined;
    if (!avatar) throw notFound();
    const etag = `"${avatar.etag}"`;
    res.setHeader("ETag", etag);
    res.setHeader("Cache-Control", "private, max-age=86400");
    res.setHeader("X-Content-Type-Options", "nosniff");
    if (matchesIfNoneMatch(req, etag)) return void res.status(304).end();
    res.status(200).type("image/webp").send(avatar.image);
  });

  return router;
}

function matchesIfNoneMatch(req: Request, etag: string): boolean {
  const header = req.headers["if-none-match"];
  if (!header) return false;
  return header.split(",").some((candidate) => {
    const tag = candidate.trim().replace(/^W\//, "");
    return tag === "*" || tag === etag;
  });
}
