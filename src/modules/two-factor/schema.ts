import { z } from "zod";
import { codeField } from "../codes/index.js";
import { loginVerificationMethods } from "../users/index.js";

export const enrolmentSchema = z.object({ code: codeField });

// A current authenticator code, or a backup code when the device is lost:
// whichever field was filled (the form offers both).
export const secondFactorSchema = z
  .object({ code: z.string().trim().max(40).optional(), backupCode: z.string().trim().max(40, "two-factor:errors.notBackupCode").optional() })
  .transform((input, context): { backupCode: string } | { code: string } => {
    if (input.backupCode) return { backupCode: input.backupCode };
    const code = (input.code ?? "").replace(/\s+/g, "");
    if (/^\d{6}$/.test(code)) return { code };
    context.addIssue({ code: "custom", path: ["code"], message: input.code ? "two-factor:errors.sixDigits" : "two-factor:errors.codeOrBackup" });
    return z.NEVER;
  });

export const loginVerificationSchema = z.object({
  method: z.enum(loginVerificationMethods, { error: "two-factor:errors.chooseMethod" }),
  // Posted (possibly empty) only by the code step of a switch.
  code: z.string().max(40).optional(),
});
