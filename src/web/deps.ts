import type { Deps } from "../platform/deps.js";
import type { PageRegistry } from "./sections.js";
import type { createSessionStore } from "./session/store.js";
import type { AuthMethodRegistry } from "./sign-in/auth-method.js";
import type { LoginThrottle, SecondFactorThrottle } from "./sign-in/throttle.js";
import type { WorkspaceRequirement } from "./workspace-scope.js";

// Everything a route needs: the platform's deps plus what the web layer built
// from the modules' registrations at start (app.ts).
export interface WebDeps extends Deps {
  sessionStore: ReturnType<typeof createSessionStore>;
  sessionCookieName: string;
  authMethods: AuthMethodRegistry;
  pages: PageRegistry;
  workspaceRequirements: WorkspaceRequirement[];
  loginThrottle: LoginThrottle;
  secondFactorThrottle: SecondFactorThrottle;
}
