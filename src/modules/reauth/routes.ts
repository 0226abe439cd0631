import { Router } from "express";
import { z } from "zod";
import { requestMeta } from "../../web/context.js";
import type { WebDeps } from "../../web/deps.js";
import { currentUserOf, requireUser } from "../../web/guards.js";
import { redirectTo, rememberForm, renderPage, safeReturnTo } from "../../web/render.js";
import type { AuthMethod } from "../../web/sign-in/auth-method.js";
import { markReauthenticated } from "../../web/sign-in/session-auth.js";
import { parseInput } from "../../web/validate.js";
import { reauthenticate, reauthMethodsFor } from "./service.js";

const reauthQuery = z.object({ return_to: z.string().optional() });
const reauthBody = z.object({ method: z.string().max(32).default("password"), return_to: z.string().max(2000).optional() });

const presentMethods = (methods: AuthMethod[]) => methods.map((method) => ({ id: method.id, label: method.label, fields: method.reauth!.fields }));

export function reauthRoutes(deps: WebDeps): Router {
  const router = Router();

  router.get("/reauth", requireUser, async (req, res) => {
    const { return_to } = parseInput(reauthQuery, req.query);
    renderPage(res, "reauth/page", {
      methods: presentMethods(await reauthMethodsFor(deps, currentUserOf(req).user)),
      values: { return_to: safeReturnTo(return_to, "/settings/security") },
      errors: {},
      formError: null,
    });
  });

  router.post("/reauth", requireUser, async (req, res) => {
    const user = currentUserOf(req).user;
    rememberForm(res, req, "reauth/page", "reauth/_form", { methods: presentMethods(await reauthMethodsFor(deps, user)) });
    const { method, return_to } = parseInput(reauthBody, req.body);
    await reauthenticate(deps, user, method, req.body, { meta: requestMeta(req), sessionId: req.sessionID });
    await markReauthenticated(req, deps, method);
    redirectTo(req, res, safeReturnTo(return_to, "/settings/security"));
  });

  return router;
}
