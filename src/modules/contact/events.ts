import { maskEmail, maskPhone } from "../../platform/mask.js";
import { defineEvents, notYouLine, whenAndWhere, type NoticeContext } from "../audit/index.js";
import type { User } from "../users/index.js";

export const contactEvents = defineEvents({
  emailBound: { type: "profile.email_bound", label: "Email address verified", event: (user: User) => ({ actorId: user.id, subjectId: user.id }) },
  emailChanged: {
    type: "profile.email_changed",
    label: "Email address changed",
    // Both addresses are told: the old one because whoever took the account
    // may have changed it (and the new address then gets the reset links).
    event: (user: User, previous: string, next: string, baseUrl: string) => {
      const text = (context: NoticeContext) =>
        `Hi ${user.username},\n\nthe email address of your Latchkey account was changed from ${maskEmail(previous)} to ${maskEmail(next)}.\n\n${whenAndWhere(context)}\n\n${notYouLine(baseUrl)} If you cannot sign in any more, contact your administrator.\n`;
      return {
        actorId: user.id,
        subjectId: user.id,
        details: { before: maskEmail(previous), after: maskEmail(next) },
        notices: [
          { to: previous, subject: "Your Latchkey email address was changed", text },
          { to: next, subject: "Your Latchkey email address was changed", text },
        ],
      };
    },
  },
  phoneBound: { type: "profile.phone_bound", label: "Phone number verified", event: (user: User) => ({ actorId: user.id, subjectId: user.id }) },
  phoneChanged: {
    type: "profile.phone_changed",
    label: "Phone number changed",
    // A phone can receive sign-in codes: its change is told by email.
    event: (user: User, previous: string, next: string, baseUrl: string) => ({
      actorId: user.id,
      subjectId: user.id,
      details: { before: maskPhone(previous), after: maskPhone(next) },
      notices: [
        {
          to: user.email,
          subject: "Your Latchkey phone number was changed",
          text: (context) =>
            `Hi ${user.username},\n\nthe phone number of your Latchkey account was changed from ${maskPhone(previous)} to ${maskPhone(next)}.\n\n${whenAndWhere(context)}\n\n${notYouLine(baseUrl)}\n`,
        },
      ],
    }),
  },
});
