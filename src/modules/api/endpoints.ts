import type { Request } from "express";
import type { z } from "zod";
import { AppError } from "../../platform/errors.js";
import type { RequestMeta } from "../../web/context.js";
import type { WebDeps } from "../../web/deps.js";
import { parseInput } from "../../web/validate.js";
import { activityPage, eventTypeInfo, toActivityFilters } from "../audit/index.js";
import { changeUsername, changeUsernameSchema } from "../profile/index.js";
import { isTwoFactorEnabled } from "../two-factor/index.js";
import type { User } from "../users/index.js";
import {
  createToken,
  createTokenSchema,
  deleteToken,
  findToken,
  listTokens,
  modifyToken,
  modifyTokenSchema,
  rollToken,
  tokenIdParams,
  tokenJson,
  type TokenActor,
  type TokenAuthentication,
  type TokenScope,
} from "../tokens/index.js";
import { listMembers, listMembershipsOfUser, membershipBySlug } from "../workspaces/index.js";
import { apiPolicy } from "./policy.js";
import * as schemas from "./schemas.js";

// Every route of the management API in one table: the router is built from
// it and so is the OpenAPI document, so the two cannot drift. A handler
// parses its input with the same schemas the HTML forms use, then makes one
// service call.

export interface ApiContext {
  deps: WebDeps;
  req: Request;
  auth: TokenAuthentication;
  meta: RequestMeta;
}

export interface Endpoint {
  method: "get" | "post" | "patch" | "delete";
  // Express style (":id"); the document shows it as "{id}".
  path: string;
  summary: string;
  scope: TokenScope;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  responses: Record<number, { description: string; schema?: z.ZodType }>;
  handle(ctx: ApiContext): Promise<{ status: number; body?: unknown }>;
}

const actorOf = (auth: TokenAuthentication): TokenActor => ({ id: auth.user.id, isInstanceAdmin: auth.user.isInstanceAdmin, tokenScopes: auth.token.scopes as TokenScope[] });

const meJson = (user: User) => ({
  id: user.id,
  username: user.username,
  email: user.email,
  isInstanceAdmin: user.isInstanceAdmin,
  twoFactorEnabled: isTwoFactorEnabled(user),
  createdAt: user.createdAt.toISOString(),
});

const ok = (body: unknown, status = 200) => ({ status, body });

export const endpoints: Endpoint[] = [
  {
    method: "get",
    path: "/me",
    summary: "The account the token belongs to",
    scope: "account:read",
    responses: { 200: { description: "The account", schema: schemas.meResponse } },
    handle: async ({ auth }) => ok(meJson(auth.user)),
  },
  {
    method: "patch",
    path: "/me",
    summary: "Change the username (same rules as the profile page)",
    scope: "account:write",
    body: changeUsernameSchema,
    responses: { 200: { description: "The account after the change", schema: schemas.meResponse }, 409: { description: "The username is taken", schema: schemas.errorResponse } },
    async handle({ deps, req, auth, meta }) {
      const input = parseInput(changeUsernameSchema, req.body);
      await changeUsername(deps, auth.user, input, meta);
      return ok(meJson({ ...auth.user, username: input.username }));
    },
  },
  {
    method: "get",
    path: "/tokens",
    summary: "List your access tokens (never their secrets)",
    scope: "tokens:manage",
    responses: { 200: { description: "Your tokens, newest first", schema: schemas.tokenListResponse } },
    async handle({ deps, auth }) {
      const tokens = await listTokens(deps, actorOf(auth), auth.user);
      const now = deps.clock.now();
      return ok({ tokens: tokens.map((token) => tokenJson(token, now)) });
    },
  },
  {
    method: "post",
    path: "/tokens",
    summary: "Create a token; its secret is in this response only",
    scope: "tokens:manage",
    body: createTokenSchema,
    responses: {
      201: { description: "The new token and its secret", schema: schemas.issuedTokenResponse },
      403: { description: "The token asks for scopes the calling token lacks", schema: schemas.errorResponse },
    },
    async handle({ deps, req, auth, meta }) {
      const input = parseInput(createTokenSchema, req.body);
      const { token, secret } = await createToken(deps, actorOf(auth), auth.user, input, meta);
      return ok({ token: tokenJson(token, deps.clock.now()), secret }, 201);
    },
  },
  {
    method: "get",
    path: "/tokens/:id",
    summary: "One of your tokens",
    scope: "tokens:manage",
    params: tokenIdParams,
    responses: { 200: { description: "The token", schema: schemas.tokenResponseEnvelope }, 404: { description: "No such token of yours", schema: schemas.errorResponse } },
    async handle({ deps, req, auth }) {
      const { id } = parseTokenId(req);
      return ok({ token: tokenJson(await findToken(deps, actorOf(auth), auth.user, id), deps.clock.now()) });
    },
  },
  {
    method: "patch",
    path: "/tokens/:id",
    summary: "Change a token's name, IP allow-list or expiry; the secret stays",
    scope: "tokens:manage",
    params: tokenIdParams,
    body: modifyTokenSchema,
    responses: { 200: { description: "The token after the change", schema: schemas.tokenResponseEnvelope }, 404: { description: "No such token of yours", schema: schemas.errorResponse } },
    async handle({ deps, req, auth, meta }) {
      const { id } = parseTokenId(req);
      const input = parseInput(modifyTokenSchema, req.body);
      return ok({ token: tokenJson(await modifyToken(deps, actorOf(auth), auth.user, id, input, meta), deps.clock.now()) });
    },
  },
  {
    method: "post",
    path: "/tokens/:id/roll",
    summary: "Replace a token's secret at once (settings kept); the new secret is in this response only",
    scope: "tokens:manage",
    params: tokenIdParams,
    responses: { 200: { description: "The token and its new secret", schema: schemas.issuedTokenResponse }, 404: { description: "No such token of yours", schema: schemas.errorResponse } },
    async handle({ deps, req, auth, meta }) {
      const { id } = parseTokenId(req);
      const { token, secret } = await rollToken(deps, actorOf(auth), auth.user, id, meta);
      return ok({ token: tokenJson(token, deps.clock.now()), secret });
    },
  },
  {
    method: "delete",
    path: "/tokens/:id",
    summary: "Delete a token; it stops working at once",
    scope: "tokens:manage",
    params: tokenIdParams,
    responses: { 204: { description: "Deleted" }, 404: { description: "No such token of yours", schema: schemas.errorResponse } },
    async handle({ deps, req, auth, meta }) {
      const { id } = parseTokenId(req);
      await deleteToken(deps, actorOf(auth), auth.user, id, meta);
      return { status: 204 };
    },
  },
  {
    method: "get",
    path: "/audit-events",
    summary: "Your own security events, newest first (keyset pagination), filtered by type, person and UTC days like /settings/security/activity",
    scope: "audit:read",
    query: schemas.auditEventsQuery,
    responses: { 200: { description: "A page of events", schema: schemas.auditEventsResponse } },
    async handle({ deps, req, auth }) {
      const query = parseInput(schemas.auditEventsQuery, req.query);
      // The same service and filters as /settings/security/activity.
      const page = await activityPage(deps.db, { kind: "user", userId: auth.user.id }, toActivityFilters(query), query.limit);
      return ok({
        events: page.rows.map(({ event }) => ({
          id: String(event.id),
          type: event.action,
          label: eventTypeInfo(event.action).label,
          at: event.createdAt.toISOString(),
          ip: event.ip,
          place: deps.geo.place(event.ip),
          userAgent: event.userAgent,
          byOther: Boolean(event.actorId && event.actorId !== auth.user.id),
        })),
        nextCursor: page.nextCursor,
      });
    },
  },
  {
    method: "get",
    path: "/workspaces",
    summary: "The workspaces you belong to, with your role",
    scope: "account:read",
    responses: { 200: { description: "Your workspaces", schema: schemas.workspacesResponse } },
    async handle({ deps, auth }) {
      const memberships = await listMembershipsOfUser(deps.db, auth.user.id);
      return ok({ workspaces: memberships.map((m) => ({ slug: m.workspace.slug, name: m.workspace.name, role: m.role })) });
    },
  },
  {
    method: "get",
    path: "/workspaces/:slug/members",
    summary: "Members of a workspace you own or administer",
    scope: "workspace:admin",
    params: schemas.slugParams,
    responses: {
      200: { description: "The members", schema: schemas.membersResponse },
      403: { description: "You are a plain member, or the workspace's requirements (e.g. 2FA) are unmet", schema: schemas.errorResponse },
      404: { description: "No workspace of yours with that slug", schema: schemas.errorResponse },
    },
    async handle({ deps, req, auth }) {
      const { slug } = parseInput(schemas.slugParams, req.params);
      const memberships = await listMembershipsOfUser(deps.db, auth.user.id);
      const membership = membershipBySlug(memberships, slug);
      if (!apiPolicy.canListMembers(membership.role)) throw new AppError(403, "FORBIDDEN", { message: "Only the workspace's owner and admins can list its members." });
      // The workspace's own requirements (2FA required…) hold for the API too;
      // a token is a single factor, so only the account's own 2FA counts.
      const current = { user: auth.user, memberships, activeMembership: membership };
      const unmet = deps.workspaceRequirements.map((requirement) => requirement.unmetBy(current, membership.workspace, { multiFactor: false })).find(Boolean);
      if (unmet) throw new AppError(403, "WORKSPACE_REQUIREMENT_UNMET", { message: unmet.message });
      const members = await listMembers(deps.db, membership.workspace.id);
      return ok({
        members: members.map((member) => ({
          id: member.user.id,
          username: member.user.username,
          role: member.role,
          twoFactorEnabled: isTwoFactorEnabled(member.user),
          joinedAt: member.joinedAt.toISOString(),
        })),
      });
    },
  },
];

function parseTokenId(req: Request): { id: string } {
  const parsed = tokenIdParams.safeParse(req.params);
  if (!parsed.success) throw new AppError(404, "TOKEN_NOT_FOUND", { message: "There is no such token." });
  return parsed.data;
}

