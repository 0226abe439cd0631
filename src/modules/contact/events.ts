import { maskEmail, maskPhone } from "../../platform/mask.js";
import { defineEvents, securityNotice } from "../audit/index.js";
import type { User } from "../users/index.js";

export const contactEvents = defineEvents({
  emailBound: { type: "profile.email_bound", label: "Email address verified", event: (user: User) => ({ actorId: user.id, subjectId: user.id }) },
  emailChanged: {
    type: "profile.email_changed",
    label: "Email address changed",
    // Both addresses are told: the old one because whoever took the account
    // may have changed it (and the new address then gets the reset links).
    event: (user: User, previous: string, next: string, baseUrl: string) => {
      const message = { subject: "contact:mail.emailChangedSubject", body: "contact:mail.emailChangedBody", vars: { before: maskEmail(previous), after: maskEmail(next) }, then: "contact:mail.emailChangedThen", baseUrl };
      return {
        actorId: user.id,
        subjectId: user.id,
        details: { before: maskEmail(previous), after: maskEmail(next) },
        notices: [
          securityNotice(user, message, previous),
          securityNotice(user, message, next),
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
        securityNotice(user, { subject: "contact:mail.phoneChangedSubject", body: "contact:mail.phoneChangedBody", vars: { before: maskPhone(previous), after: maskPhone(next) }, baseUrl }),
      ],
    }),
  },
});
