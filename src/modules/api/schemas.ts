import { z } from "zod";
import { activityFilterShape, checkDateRange } from "../audit/index.js";
import { tokenScopes } from "../tokens/index.js";

// The management API's response shapes. The OpenAPI document is generated
// from these and from the request schemas the services already use, and the
// contract test validates real responses against that document.

export const errorResponse = z
  .object({
    error: z.object({
      code: z.string().describe("Stable UPPER_SNAKE code to branch on."),
      message: z.string().describe("What went wrong, for people."),
      field: z.string().optional().describe("The input field at fault, when one is."),
      fields: z.record(z.string(), z.string()).optional().describe("Every invalid field and its message (validation errors)."),
    }),
  })
  .describe("Error");

const isoDateTime = z.string().describe("ISO 8601 date-time (UTC)");

export const meResponse = z
  .object({
    id: z.uuid(),
    username: z.string(),
    email: z.string(),
    isInstanceAdmin: z.boolean(),
    twoFactorEnabled: z.boolean(),
    createdAt: isoDateTime,
  })
  .describe("Account");

export const tokenResponse = z
  .object({
    id: z.uuid(),
    name: z.string(),
    scopes: z.array(z.enum(tokenScopes)),
    ipAllowList: z.array(z.string()).describe("Addresses and CIDR ranges allowed to use the token; empty = any."),
    createdAt: isoDateTime,
    expiresAt: isoDateTime,
    expired: z.boolean(),
    lastUsedAt: isoDateTime.nullable(),
    lastUsedIp: z.string().nullable(),
    rolledAt: isoDateTime.nullable(),
  })
  .describe("Token");

export const tokenListResponse = z.object({ tokens: z.array(tokenResponse) });
export const tokenResponseEnvelope = z.object({ token: tokenResponse });

export const issuedTokenResponse = z
  .object({
    token: tokenResponse,
    secret: z.string().regex(/^lk_[A-Za-z0-9_-]{43}$/).describe("The token itself. Shown in this response only: store it now."),
  })
  .describe("IssuedToken");

// The activity pages' filters (type, person, from, to, cursor) plus a page size.
export const auditEventsQuery = z
  .object({
    limit: z.coerce.number({ error: "limit must be a number." }).int("limit must be a whole number.").min(1, "limit must be 1 to 100.").max(100, "limit must be 1 to 100.").default(20),
    ...activityFilterShape,
  })
  .superRefine(checkDateRange);

export const auditEventsResponse = z.object({
  events: z.array(
    z.object({
      id: z.string(),
      type: z.string(),
      label: z.string(),
      at: isoDateTime,
      ip: z.string().nullable(),
      place: z.string().nullable().describe("The approximate place of the IP (e.g. \"Berlin, Germany\") when the server has a GeoIP database; else null."),
      userAgent: z.string().nullable(),
      byOther: z.boolean().describe("True when someone else (an administrator) did it."),
    }),
  ),
  nextCursor: z.string().nullable().describe("Pass as cursor to get the next (older) page; null on the last page."),
});

export const workspacesResponse = z.object({
  workspaces: z.array(z.object({ slug: z.string(), name: z.string(), role: z.enum(["owner", "admin", "member"]) })),
});

export const membersResponse = z.object({
  members: z.array(
    z.object({
      id: z.uuid(),
      username: z.string(),
      role: z.enum(["owner", "admin", "member"]),
      twoFactorEnabled: z.boolean(),
      joinedAt: isoDateTime,
    }),
  ),
});

export const slugParams = z.object({ slug: z.string().max(64) });
