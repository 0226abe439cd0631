import { defineEvents, securityNotice, type Notice } from "../audit/index.js";
import type { User } from "../users/index.js";
import type { AccessToken } from "./tables.js";

// A new or rolled token is a new credential: its owner is told by email.
const tokenNotice = (owner: User, name: "created" | "rolled", token: Pick<AccessToken, "name">, baseUrl: string): Notice =>
  securityNotice(owner, { subject: `tokens:mail.${name}Subject`, body: `tokens:mail.${name}Body`, vars: { name: token.name }, then: "tokens:mail.then", baseUrl });

// Never the secret or its hash: only which token, and what changed.
const about = (token: Pick<AccessToken, "id" | "name">) => ({ tokenId: token.id, name: token.name });

export const tokenEvents = defineEvents({
  created: {
    type: "token.created",
    label: "Access token created",
    // muted: the owner muted optional notices (only honoured for their own tokens).
    event: (actorId: string, owner: User, token: AccessToken, baseUrl: string, muted = false) => ({
      actorId,
      subjectId: owner.id,
      details: { ...about(token), scopes: token.scopes, ipAllowList: token.ipAllowList, expiresAt: token.expiresAt.toISOString() },
      notices: muted && actorId === owner.id ? [] : [tokenNotice(owner, "created", token, baseUrl)],
    }),
  },
  modified: {
    type: "token.modified",
    label: "Access token changed",
    event: (actorId: string, ownerId: string, token: AccessToken, before: AccessToken) => ({
      actorId,
      subjectId: ownerId,
      details: {
        ...about(token),
        before: { name: before.name, ipAllowList: before.ipAllowList, expiresAt: before.expiresAt.toISOString() },
        after: { name: token.name, ipAllowList: token.ipAllowList, expiresAt: token.expiresAt.toISOString() },
      },
    }),
  },
  rolled: {
    type: "token.rolled",
    label: "Access token rolled (new secret)",
    event: (actorId: string, owner: User, token: AccessToken, baseUrl: string) => ({
      actorId,
      subjectId: owner.id,
      details: about(token),
      notices: [tokenNotice(owner, "rolled", token, baseUrl)],
    }),
  },
  deleted: {
    type: "token.deleted",
    label: "Access token deleted",
    event: (actorId: string, ownerId: string, token: AccessToken) => ({ actorId, subjectId: ownerId, details: about(token) }),
  },
  // A refused use of the API: an expired, deleted or unknown token, an
  // address outside the allow-list, or a scope the token lacks.
  rejected: {
    type: "token.rejected",
    label: "Access token refused",
    warning: true,
    event: (token: Pick<AccessToken, "id" | "name" | "userId"> | null, reason: string, extra: Record<string, unknown> = {}) => ({
      actorId: null,
      subjectId: token?.userId ?? null,
      details: { ...(token ? about(token) : {}), reason, ...extra },
    }),
  },
});
