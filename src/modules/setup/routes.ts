import { Router } from "express";
import type { WebDeps } from "../../app.js";
import { notFound } from "../../platform/errors.js";
import { signIn, requestMeta } from "../../platform/auth/session-auth.js";
import { parseInput } from "../../platform/http/validate.js";
import { redirectTo, rememberForm, renderPage } from "../../platform/http/render.js";
import { setupSchema } from "./schema.js";
import { completeSetup } from "./service.js";

export function setupRoutes(deps: WebDeps): Router {
  const router = Router();

  router.use("/setup", async (_req, _res, next) => {
    if (await deps.setupState.isDone()) return next(notFound());
    next();
  });

  router.get("/setup", (_req, res) => renderPage(res, "setup/page", { values: {}, errors: {} }));

  router.post("/setup", async (req, res) => {
    rememberForm(res, req, "setup/page", "setup/_form");
    const input = parseInput(setupSchema, req.body);
    const { user, workspace } = await completeSetup(deps, input, requestMeta(req));
    await signIn(req, deps, user.id, workspace);
    redirectTo(req, res, `/w/${workspace.slug}`);
  });

  return router;
}
