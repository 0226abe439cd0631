import { maskEmail } from "../../platform/mask.js";
import { defineEvents } from "../audit/index.js";
import type { User } from "../users/index.js";

export const contactEvents = defineEvents({
  emailBound: { type: "profile.email_bound", label: "Email address verified", event: (user: User) => ({ actorId: user.id, subjectId: user.id }) },
  emailChanged: {
    type: "profile.email_changed",
    label: "Email address changed",
    // The old address is told: whoever took the account may have changed it.
    event: (user: User, previous: string, next: string) => ({
      actorId: user.id,
      subjectId: user.id,
      notices: [
        {
          to: previous,
          subject: "Your Latchkey email address was changed",
          text: ({ at, ip }) =>
            `The email address of your Latchkey account ${user.username} was changed to ${maskEmail(next)} at ${at.toISOString()} from ${ip}.\nIf this was not you, reset your password and contact your administrator.`,
        },
      ],
    }),
  },
  phoneBound: { type: "profile.phone_bound", label: "Phone number verified", event: (user: User) => ({ actorId: user.id, subjectId: user.id }) },
  phoneChanged: { type: "profile.phone_changed", label: "Phone number changed", event: (user: User) => ({ actorId: user.id, subjectId: user.id }) },
});
