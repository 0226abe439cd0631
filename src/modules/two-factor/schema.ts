import { z } from "zod";
import { codeField } from "../codes/schema.js";
import { loginVerificationMethods } from "../users/tables.js";

export const enrolmentSchema = z.object({ code: codeField });

// A current authenticator code, or a backup code when the device is lost.
export const secondFactorSchema = z.union([
  z.object({ backupCode: z.string().trim().min(1, "Enter a backup code.").max(40, "That is not a backup code.") }),
  z.object({ code: codeField }),
]);

export const loginVerificationSchema = z.object({
  method: z.enum(loginVerificationMethods, { error: "Choose how to verify sign-ins." }),
});
