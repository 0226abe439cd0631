import type { WorkspaceRequirement } from "../../web/workspace-scope.js";
import { isTwoFactorEnabled } from "./service.js";

export const TWO_FACTOR_SETUP_PATH = "/settings/security/two-factor/setup";
// What a member without 2FA may still reach: enrolment itself, step-up for
// it, switching to another workspace and signing out.
const REACHABLE = new Set([TWO_FACTOR_SETUP_PATH, "/reauth", "/logout", "/workspaces/switch", "/workspaces"]);

// A workspace that requires two-factor authentication: a member without it
// must enrol before using that workspace, unless this session was signed in
// with two factors or one that counts as two (a passkey).
export const twoFactorRequirement: WorkspaceRequirement = {
  id: "two-factor",
  unmetBy(current, workspace, session) {
    if (!workspace.requireTwoFactor || isTwoFactorEnabled(current.user) || session.multiFactor) return null;
    return { redirect: TWO_FACTOR_SETUP_PATH, message: "two-factor:errors.workspaceRequires", vars: { workspace: workspace.name } };
  },
  allows: (path) => REACHABLE.has(path),
};
