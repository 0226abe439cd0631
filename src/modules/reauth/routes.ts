import { Router } from "express";
import { z } from "zod";
import type { WebDeps } from "../../app.js";
import { currentUserOf, requireUser } from "../../platform/auth/guards.js";
import { requestMeta, rotateSessionId } from "../../platform/auth/session-auth.js";
import { redirectTo, rememberForm, renderPage, safeReturnTo } from "../../platform/http/render.js";
import { parseInput } from "../../platform/http/validate.js";
import { availableMethods } from "./methods.js";
import { reauthenticate } from "./service.js";

const reauthQuery = z.object({ return_to: z.string().optional() });
const reauthBody = z.object({ method: z.string().max(32).default("password"), return_to: z.string().optional() }).catchall(z.string().max(1024));

export function reauthRoutes(deps: WebDeps): Router {
  const router = Router();

  router.get("/reauth", requireUser, (req, res) => {
    const { return_to } = parseInput(reauthQuery, req.query);
    renderPage(res, "reauth/page", {
      methods: availableMethods(currentUserOf(req).user),
      values: { return_to: safeReturnTo(return_to, "/settings/security") },
      errors: {},
      formError: null,
    });
  });

  router.post("/reauth", requireUser, async (req, res) => {
    const user = currentUserOf(req).user;
    rememberForm(res, req, "reauth/page", "reauth/_form", { methods: availableMethods(user) });
    const { method, return_to, ...input } = parseInput(reauthBody, req.body);
    await reauthenticate(deps, user, method, input as Record<string, string>, requestMeta(req));
    await rotateSessionId(req, deps, { authenticatedAt: deps.clock.now().getTime() });
    redirectTo(req, res, safeReturnTo(return_to, "/settings/security"));
  });

  return router;
}

