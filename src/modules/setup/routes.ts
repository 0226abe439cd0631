import { Router, type NextFunction, type Request, type Response } from "express";
import { notFound } from "../../platform/errors.js";
import { requestMeta } from "../../web/context.js";
import type { WebDeps } from "../../web/deps.js";
import { redirectTo, rememberForm, renderPage } from "../../web/render.js";
import { establishSession } from "../../web/sign-in/session-auth.js";
import { parseInput } from "../../web/validate.js";
import { setupSchema } from "./schema.js";
import { completeSetup, type SetupState } from "./service.js";

// Until the first account exists, every page leads to /setup.
export function setupGate(setupState: SetupState) {
  return async (req: Request, res: Response, next: NextFunction) => {
    if (req.path === "/setup" || (await setupState.isDone())) return next();
    res.redirect(303, "/setup");
  };
}

export function setupRoutes(deps: WebDeps, setupState: SetupState): Router {
  const router = Router();

  router.use("/setup", async (_req, _res, next) => {
    if (await setupState.isDone()) return next(notFound());
    next();
  });

  router.get("/setup", (_req, res) => renderPage(res, "setup/page", { values: {}, errors: {} }));

  router.post("/setup", async (req, res) => {
    rememberForm(res, req, "setup/page", "setup/_form");
    const input = parseInput(setupSchema, req.body);
    const { user, workspace } = await completeSetup(deps, input, requestMeta(req));
    await establishSession(req, deps, { userId: user.id, workspace, factors: ["password"], multiFactor: false });
    redirectTo(req, res, `/w/${workspace.slug}`);
  });

  return router;
}
