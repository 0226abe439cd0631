import { z } from "zod";

export const passkeyNameSchema = z
  .string({ error: "passkeys:errors.nameRequired" })
  .trim()
  .min(1, "passkeys:errors.nameRequired")
  .max(64, "passkeys:errors.nameTooLong");

export const nameBody = z.object({ name: passkeyNameSchema });
export const renameBody = z.object({ newName: passkeyNameSchema });
export const passkeyParams = z.object({ id: z.uuid() });
export const credentialBody = z.object({
  credential: z.string({ error: "passkeys:validation.usePasskey" }).min(2, "passkeys:validation.usePasskey").max(16_384, "passkeys:validation.tooLarge"),
  return_to: z.string().max(2000).optional(),
});
