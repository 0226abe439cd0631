import { Router, type NextFunction, type Request, type Response } from "express";
import multer from "multer";
import { AppError } from "../../platform/errors.js";
import { AVATAR_MAX_BYTES, avatarTooLarge } from "./avatar-image.js";

export const AVATAR_UPLOAD_PATH = "/settings/profile/avatar";
const AVATAR_FIELD = "avatar";

// Held in memory (at most 2 MB, one file, a few small fields) and handed to
// sharp; nothing touches the disk.
const parseMultipart = multer({
  storage: multer.memoryStorage(),
  limits: { fileSize: AVATAR_MAX_BYTES, files: 1, fields: 5, fieldSize: 1024, parts: 8 },
}).single(AVATAR_FIELD);

// A failed parse is remembered, not raised, so the CSRF check still runs
// first: a forged request gets 403 whatever it sent.
const parseFailures = new WeakMap<Request, string>();

function parseAvatarUpload(req: Request, res: Response, next: NextFunction) {
  // Anonymous requests are refused later anyway; do not buffer their bodies.
  if (!req.currentUser) return next();
  parseMultipart(req, res, (error?: unknown) => {
    if (error) parseFailures.set(req, error instanceof multer.MulterError ? error.code : "MALFORMED");
    next();
  });
}

// The app's global CSRF check reads `_csrf` from req.body, which is empty for a
// multipart body until it is parsed. This router is mounted before that check
// and parses multipart bodies on the upload path only; the check itself stays
// global and unchanged (the form's hidden `_csrf` comes before the file).
export function avatarUploadParsing(): Router {
  const router = Router();
  router.post(AVATAR_UPLOAD_PATH, parseAvatarUpload);
  return router;
}

// The uploaded bytes, or the reason there are none, as a message for the field.
export function uploadedAvatar(req: Request): Buffer {
  const failure = parseFailures.get(req);
  if (failure === "LIMIT_FILE_SIZE") throw avatarTooLarge();
  if (failure) throw new AppError(422, "AVATAR_UPLOAD_INVALID", { field: AVATAR_FIELD, message: "profile:avatar.errors.uploadInvalid" });
  if (!req.file || req.file.size === 0) throw new AppError(422, "AVATAR_MISSING", { field: AVATAR_FIELD, message: "profile:avatar.errors.missing" });
  return req.file.buffer;
}
