import type { Request } from "express";
import type { GeoLocator } from "../platform/geoip.js";

// What a request knows about who sent it; recorded with every security event.
export interface RequestMeta {
  ip: string;
  userAgent: string;
  // The approximate place of the IP ("Berlin, Germany") when a GeoIP database
  // is configured; notices name it. Not stored: logs look it up when shown.
  place?: string | null;
}

// app.ts puts the GeoIP locator in app.locals.geo (web/ sees no Deps here).
export function requestMeta(req: Request): RequestMeta {
  const ip = req.ip ?? "unknown";
  const geo = req.app?.locals?.geo as GeoLocator | undefined;
  return { ip, userAgent: String(req.headers["user-agent"] ?? "").slice(0, 500), place: geo?.place(ip) ?? null };
}

// The web layer knows accounts and workspaces only by the few fields it needs.
// The modules that own those rows register their full types here (the
// "register" pattern: `declare module "…/web/context.js" { interface
// AccountTypes { user: User } }`), so routes get the real row types while
// web/ imports no feature.
export interface AccountTypes {}

export interface BaseAccountUser {
  id: string;
  username: string;
  email: string;
  status: string;
  isInstanceAdmin: boolean;
  // Sessions whose credentials were proven before this are no longer valid.
  sessionsValidAfter: Date | null;
}

export interface BaseWorkspace {
  id: string;
  slug: string;
  name: string;
  sessionIdleMinutes: number;
  sessionMaxDays: number;
  requireTwoFactor: boolean;
}

export type AccountUser = AccountTypes extends { user: infer U extends BaseAccountUser } ? U : BaseAccountUser;
export type ScopedWorkspace = AccountTypes extends { workspace: infer W extends BaseWorkspace } ? W : BaseWorkspace;
export type WorkspaceRole = "owner" | "admin" | "member";

export interface Membership {
  userId: string;
  workspace: ScopedWorkspace;
  role: WorkspaceRole;
}

export interface CurrentUser {
  user: AccountUser;
  memberships: Membership[];
  activeMembership: Membership | undefined;
}

declare module "express-serve-static-core" {
  interface Request {
    currentUser?: CurrentUser;
    sessionExpired?: boolean;
  }
}
