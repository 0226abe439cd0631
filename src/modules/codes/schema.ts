import { z } from "zod";

export const codeField = z
  .string({ error: "Enter the 6-digit code." })
  .trim()
  .transform((value) => value.replace(/\s+/g, ""))
  .pipe(z.string().regex(/^\d{6}$/, "codes:errors.sixDigits"));
