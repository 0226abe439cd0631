import { z } from "zod";
import { usernameSchema } from "../users/index.js";

// The same rules as registration: one definition of a valid username.
export const changeUsernameSchema = z.object({ username: usernameSchema });
export type ChangeUsernameInput = z.infer<typeof changeUsernameSchema>;

export const avatarParams = z.object({ userId: z.uuid() });
