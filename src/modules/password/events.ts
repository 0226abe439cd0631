import { translatorFor } from "../../platform/i18n.js";
import { defineEvents, type Notice } from "../audit/index.js";
import type { User } from "../users/index.js";
import { accountLockedMail, passwordChangedMail, type PasswordChangeKind } from "./mails.js";

// The owner is told of every password change, however it was made.
export function passwordChangedNotice(user: User, kind: PasswordChangeKind, otherSessionsEnded: boolean, baseUrl: string): Notice {
  return {
    to: user.email,
    subject: translatorFor(user.language)("password:mail.changedSubject"),
    text: (context) => passwordChangedMail(user.email, user, { kind, context, baseUrl, otherSessionsEnded }).text,
  };
}

export const passwordEvents = defineEvents({
  changed: {
    type: "password.changed",
    label: "Password changed",
    event: (user: User, signedOutOthers: boolean, baseUrl: string) => ({
      actorId: user.id,
      subjectId: user.id,
      details: { signedOutOthers },
      notices: [passwordChangedNotice(user, "changed", signedOutOthers, baseUrl)],
    }),
  },
  changeFailed: {
    type: "password.change_failed",
    label: "Password change refused (wrong current password)",
    warning: true,
    event: (user: User, accountLocked: boolean, baseUrl: string) => ({
      actorId: user.id,
      subjectId: user.id,
      details: { accountLocked },
      notices: accountLocked ? [accountLockedMail(user.email, user.username, baseUrl, user.language)] : [],
    }),
  },
  resetRequested: {
    type: "password.reset_requested",
    label: "Password reset requested",
    event: (user: User) => ({ subjectId: user.id }),
  },
  reset: {
    type: "password.reset",
    label: "Password reset with an email link",
    event: (user: User, baseUrl: string) => ({ actorId: user.id, subjectId: user.id, notices: [passwordChangedNotice(user, "reset", true, baseUrl)] }),
  },
});
