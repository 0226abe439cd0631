import type { Request, Response } from "express";
import type { WebDeps } from "../../app.js";
import { signIn } from "../../platform/auth/session-auth.js";
import { redirectTo, safeReturnTo } from "../../platform/http/render.js";
import type { User } from "../users/tables.js";
import { listMembershipsOfUser } from "../workspaces/repo.js";

// The last step of every sign-in (password alone, or after the second step):
// a new session id, the first workspace active, an audit row.
export async function completeSignIn(
  deps: WebDeps,
  req: Request,
  res: Response,
  user: User,
  returnTo: string | undefined,
  via: string,
  // Runs on the new session, before the redirect saves it.
  onNewSession?: () => void,
) {
  const memberships = await listMembershipsOfUser(deps.db, user.id);
  const workspace = memberships[0]?.workspace;
  await signIn(req, deps, user.id, workspace);
  onNewSession?.();
  await deps.audit({ action: "auth.signed_in", actorId: user.id, subjectId: user.id, workspaceId: workspace?.id, details: { via } }, req);
  redirectTo(req, res, safeReturnTo(returnTo, "/"));
}
