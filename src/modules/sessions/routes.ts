import { Router } from "express";
import { z } from "zod";
import { requestMeta } from "../../web/context.js";
import type { WebDeps } from "../../web/deps.js";
import { requireConfirmation } from "../../web/confirm.js";
import { currentUserOf, requireFreshAuth, requireUser } from "../../web/guards.js";
import { redirectTo, setFlash } from "../../web/render.js";
import { parseInput } from "../../web/validate.js";
import { endSession, endSessionsOfUser } from "./service.js";

const handleParams = z.object({ handle: z.string().regex(/^[\w-]{8,64}$/) });

export function sessionRoutes(deps: WebDeps): Router {
  const router = Router();
  const fresh = requireFreshAuth(deps);

  // Ending sessions cannot be undone: the user confirms first (web/confirm.ts).
  const confirmSignOutOthers = requireConfirmation({
    title: "sessions:endOthersTitle",
    message: "sessions:endOthersMessage",
    confirmLabel: "sessions:endOthers",
    cancelUrl: "/settings/security",
  });
  const confirmSignOutOne = requireConfirmation({
    title: "sessions:endTitle",
    message: "sessions:endMessage",
    confirmLabel: "sessions:endLabel",
    cancelUrl: "/settings/security",
  });

  router.post("/settings/security/sessions/others/end", requireUser, fresh, confirmSignOutOthers, async (req, res) => {
    const { user } = currentUserOf(req);
    const count = await endSessionsOfUser(deps, user.id, { exceptSid: req.sessionID, actorId: user.id, reason: "user_signed_out_others" }, requestMeta(req));
    setFlash(req, "info", "sessions:endedOthers", { count });
    redirectTo(req, res, "/settings/security");
  });

  router.post("/settings/security/sessions/:handle/end", requireUser, fresh, confirmSignOutOne, async (req, res) => {
    const { handle } = parseInput(handleParams, req.params);
    await endSession(deps, currentUserOf(req).user.id, handle, req.sessionID, requestMeta(req));
    setFlash(req, "info", "sessions:ended");
    redirectTo(req, res, "/settings/security");
  });

  return router;
}
