import { defineEvents } from "../audit/index.js";
import { accountLockedMail } from "../password/index.js";
import type { User } from "../users/index.js";

export const reauthEvents = defineEvents({
  reauthenticated: {
    type: "auth.reauthenticated",
    label: "Identity confirmed",
    event: (user: User, method: string) => ({ actorId: user.id, subjectId: user.id, details: { method } }),
  },
  failed: {
    type: "auth.reauth_failed",
    label: "Identity confirmation failed",
    warning: true,
    event: (user: User, method: string, accountLocked: boolean, baseUrl: string) => ({
      actorId: user.id,
      subjectId: user.id,
      details: { method, accountLocked },
      notices: accountLocked ? [accountLockedMail(user.email, user.username, baseUrl, user.language)] : [],
    }),
  },
});
