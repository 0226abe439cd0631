import { z } from "zod";
import { codeField } from "../codes/index.js";

// Codes as typed or pasted: "123 456" is 123456 (codeField drops the spaces).
export const verifySchema = z.discriminatedUnion("method", [
  z.object({ method: z.literal("password"), password: z.string().min(1, "cancellation:validation.enterPassword").max(1000) }),
  z.object({ method: z.literal("email"), code: codeField }),
  z.object({ method: z.literal("sms"), code: codeField }),
]);

export const sendCodeSchema = z.object({ channel: z.enum(["email", "sms"]) });

export const confirmSchema = z.object({
  agree: z.literal("yes", { message: "cancellation:validation.agree" }),
  username: z.string().trim().min(1, "cancellation:validation.typeUsername").max(200),
});

export const statusParams = z.object({ userId: z.uuid(), token: z.string().regex(/^[\w-]{43}$/) });

export const deleteWorkspaceSchema = z.object({
  slug: z.string().min(1).max(200),
  confirmName: z.string().min(1, "cancellation:validation.typeWorkspaceName").max(200),
});
