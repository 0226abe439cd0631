import { z } from "zod";

export const usernameSchema = z
  .string({ error: "Enter a username." })
  .trim()
  // An empty field asks for a username; a short one states the length.
  .min(1, "Enter a username.")
  .min(3, "Use 3 to 32 characters.")
  .max(32, "Use 3 to 32 characters.")
  .regex(/^[A-Za-z0-9_-]+$/, "Use only letters, digits, _ and -.");

export const emailSchema = z
  .string({ error: "Enter an email address." })
  .trim()
  .max(254, "That email address is too long.")
  .pipe(z.email("Enter a valid email address."));
