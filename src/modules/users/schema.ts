import { z } from "zod";

export const usernameSchema = z
  .string({ error: "codes:users.usernameRequired" })
  .trim()
  // An empty field asks for a username; a short one states the length.
  .min(1, "codes:users.usernameRequired")
  .min(3, "codes:users.usernameLength")
  .max(32, "codes:users.usernameLength")
  .regex(/^[A-Za-z0-9_-]+$/, "codes:users.usernameChars");

export const emailSchema = z
  .string({ error: "codes:users.emailRequired" })
  .trim()
  .max(254, "codes:users.emailTooLong")
  .pipe(z.email("codes:users.emailInvalid"));
