import { Router, type Request } from "express";
import { z } from "zod";
import { requestMeta } from "../../web/context.js";
import type { WebDeps } from "../../web/deps.js";
import { currentUserOf, requireUser } from "../../web/guards.js";
import { tr } from "../../web/i18n.js";
import { redirectTo, rememberForm, renderPage, setFlash } from "../../web/render.js";
import { establishSession } from "../../web/sign-in/session-auth.js";
import { parseInput } from "../../web/validate.js";
import { passwordField, passwordMethod } from "../auth/index.js";
import { PASSWORDS_DIFFER } from "../password/index.js";
import { usernameSchema } from "../users/index.js";
import { acceptInvitation, emailMatches, lookupInvitation, registerThroughInvitation } from "./service.js";

const registerSchema = z
  .object({ username: usernameSchema, password: passwordField, confirmPassword: z.string({ error: "auth:errors.confirmRequired" }).min(1, "auth:errors.confirmRequired") })
  .refine((input) => input.password === input.confirmPassword, PASSWORDS_DIFFER);

// The link's side: /invitations/:token, for whoever holds the mail.
export function invitationRoutes(deps: WebDeps): Router {
  const router = Router();
  const noStore = (_req: Request, res: import("express").Response, next: () => void) => {
    res.setHeader("Cache-Control", "no-store");
    res.setHeader("Referrer-Policy", "no-referrer");
    next();
  };

  // The token is passed in: by the time a failed form re-renders (in the
  // error handler), req.params no longer holds it.
  async function page(req: Request, token: string) {
    const { invitation, workspace } = await lookupInvitation(deps, token);
    const current = req.currentUser;
    return {
      title: tr(req, "members:pages.invitationTitle", { workspace: workspace.name }),
      token,
      invitation: { email: invitation.email, role: invitation.role, workspaceName: workspace.name },
      signedInAs: current ? { username: current.user.username, email: current.user.email, matches: emailMatches(current.user, invitation) } : null,
      loginUrl: `/login?return_to=${encodeURIComponent(`/invitations/${token}`)}`,
    };
  }

  router.get("/invitations/:token", noStore, async (req, res) => {
    const data = await page(req, String(req.params.token));
    renderPage(res, "members/invitation", { ...data, values: {}, errors: {}, formError: null });
  });

  router.post("/invitations/:token/accept", noStore, requireUser, async (req, res) => {
    const workspace = await acceptInvitation(deps, String(req.params.token), currentUserOf(req).user, requestMeta(req));
    setFlash(req, "info", "members:flash.welcome", { workspace: workspace.name });
    redirectTo(req, res, `/w/${workspace.slug}`);
  });

  router.post("/invitations/:token/register", noStore, async (req, res) => {
    const token = String(req.params.token);
    rememberForm(res, req, "members/invitation", "members/_invitation-register-form", () => page(req, token));
    const input = parseInput(registerSchema, req.body);
    const { user, workspace } = await registerThroughInvitation(deps, token, input, requestMeta(req));
    await establishSession(req, deps, { userId: user.id, workspace, factors: [passwordMethod.id], multiFactor: false });
    setFlash(req, "info", "members:flash.accountReady", { workspace: workspace.name });
    redirectTo(req, res, `/w/${workspace.slug}`);
  });

  return router;
}
