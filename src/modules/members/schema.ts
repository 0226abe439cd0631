import { z } from "zod";
import { emailSchema } from "../users/index.js";
import { memberSorts } from "./repo.js";

export const memberParams = z.object({ userId: z.uuid() });
export const invitationParams = z.object({ invitationId: z.uuid() });

// The cursor is the last row's (sort key, user id), base64url JSON.
const cursor = z
  .string()
  .max(400)
  .optional()
  .transform((value, ctx) => {
    if (!value) return undefined;
    try {
      const parsed = JSON.parse(Buffer.from(value, "base64url").toString("utf8")) as unknown;
      const pair = z.tuple([z.string().max(300), z.uuid()]).parse(parsed);
      return pair;
    } catch {
      ctx.addIssue({ code: "custom", message: "codes:more.pageLink" });
      return z.NEVER;
    }
  });

export const encodeCursor = (pair: [string, string]) => Buffer.from(JSON.stringify(pair), "utf8").toString("base64url");

// A cursor's key must fit its sort's column type, or the query would fail.
const KEY_FORMATS = { username: /^[\s\S]*$/, joined: /^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/, role: /^[012]$/ } as const;

export const memberListQuery = z
  .object({
    q: z.string().trim().max(254).optional().transform((value) => value || undefined),
    sort: z.enum(memberSorts).catch("username"),
    dir: z.enum(["asc", "desc"]).catch("asc"),
    after: cursor,
  })
  .refine((query) => !query.after || KEY_FORMATS[query.sort].test(query.after[0]), { path: ["after"], message: "codes:more.pageLink" });
export type MemberListQuery = z.infer<typeof memberListQuery>;

const grantableRole = z.enum(["admin", "member"], { error: "Choose admin or member." });

export const inviteSchema = z.object({ email: emailSchema, role: grantableRole.default("member") });
export const addMemberSchema = z.object({
  login: z.string({ error: "members:validation.login" }).trim().min(1, "members:validation.login").max(254, "auth:errors.tooLong"),
  role: grantableRole.default("member"),
});
export const roleChangeSchema = z.object({ role: grantableRole, expected: z.enum(["owner", "admin", "member"]) });
export const transferSchema = z.object({
  userId: z.uuid({ error: "Choose a member." }),
  confirmName: z.string({ error: "Type the workspace's name." }).max(200),
});
