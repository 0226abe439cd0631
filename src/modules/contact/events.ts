import { maskEmail, maskPhone } from "../../platform/mask.js";
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
  phoneChanged: {
    type: "profile.phone_changed",
    label: "Phone number changed",
    // A phone can receive sign-in codes: its change is told by email.
    event: (user: User, previous: string, next: string) => ({
      actorId: user.id,
      subjectId: user.id,
      notices: [
        {
          to: user.email,
          subject: "Your Latchkey phone number was changed",
          text: ({ at, ip }) =>
            `Hi ${user.username},\n\nthe phone number of your Latchkey account was changed from ${maskPhone(previous)} to ${maskPhone(next)} at ${at.toISOString()} from ${ip}.\nIf this was not you, reset your password and contact your administrator.`,
        },
      ],
    }),
  },
});
