import { Router } from "express";
import { currentUserOf, requireUser } from "../../platform/auth/guards.js";
import { renderPage } from "../../platform/http/render.js";
import { presentAccount } from "./presenter.js";

export function settingsRoutes(): Router {
  const router = Router();
  router.get("/settings", requireUser, (_req, res) => res.redirect(303, "/settings/profile"));
  router.get("/settings/profile", requireUser, (req, res) => {
    renderPage(res, "settings/profile", { account: presentAccount(currentUserOf(req).user) });
  });
  return router;
}
