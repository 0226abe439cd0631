import { maskEmail } from "../../platform/mask.js";
import { translatorFor } from "../../platform/i18n.js";
import { defineEvents, securityNotice, type Notice } from "../audit/index.js";
import { passwordChangedNotice } from "../password/index.js";
import type { User } from "../users/index.js";
import type { AdminActor } from "./actor.js";

const by = (actor: AdminActor) => ({ actorId: actor.id, details: { via: actor.via, ...(actor.operator ? { operator: actor.operator } : {}) } });
const withDetails = (actor: AdminActor, details: Record<string, unknown>) => ({ ...by(actor), details: { ...by(actor).details, ...details } });

function accountCreatedNotice(user: User, mustChange: boolean, baseUrl: string): Notice {
  const t = translatorFor(user.language);
  return {
    to: user.email,
    subject: t("admin:mail.createdSubject"),
    text: t("admin:mail.createdBody", { username: user.username, baseUrl, mustChange: mustChange ? t("admin:mail.mustChange") : "" }),
  };
}

// Told to the old address and the new one, like a change the user makes; in
// the account's language. No "sign out your sessions" line: the owner did
// not make this change and turns to the administrator.
function emailChangedNotices(oldEmail: string, user: User, newEmail: string): Notice[] {
  const message = { subject: "admin:mail.emailChangedSubject", body: "admin:mail.emailChangedBody", vars: { before: maskEmail(oldEmail), after: newEmail }, ending: "admin:mail.contactAdmin", baseUrl: "" };
  return [oldEmail, newEmail].map((to) => securityNotice(user, message, to));
}

function accountStateNotice(user: User, name: "disabled" | "enabled" | "deleted" | "instanceAdmin"): Notice {
  return securityNotice(user, { subject: `admin:mail.${name}Subject`, body: `admin:mail.${name}Body`, ending: false, baseUrl: "" });
}

export const adminEvents = defineEvents({
  passwordSet: {
    type: "admin.password_set",
    label: "Password set by an administrator",
    warning: true,
    event: (actor: AdminActor, subject: User, baseUrl: string) => ({ ...by(actor), subjectId: subject.id, notices: [passwordChangedNotice(subject, "admin", true, baseUrl)] }),
  },
  userCreated: {
    type: "admin.user_created",
    label: "Account created by an administrator",
    event: (actor: AdminActor, subject: User, mustChange: boolean, baseUrl: string) => ({
      ...withDetails(actor, { mustChangePassword: mustChange, instanceAdmin: subject.isInstanceAdmin }),
      subjectId: subject.id,
      notices: [accountCreatedNotice(subject, mustChange, baseUrl)],
    }),
  },
  usernameChanged: {
    type: "admin.username_changed",
    label: "Username changed by an administrator",
    warning: true,
    event: (actor: AdminActor, subject: User, before: string, after: string) => ({ ...withDetails(actor, { before, after }), subjectId: subject.id }),
  },
  emailChanged: {
    type: "admin.email_changed",
    label: "Email address changed by an administrator",
    warning: true,
    event: (actor: AdminActor, subject: User, after: string) => ({
      ...withDetails(actor, { after }),
      subjectId: subject.id,
      notices: emailChangedNotices(subject.email, subject, after),
    }),
  },
  disabled: {
    type: "admin.user_disabled",
    label: "Account disabled by an administrator",
    warning: true,
    event: (actor: AdminActor, subject: User) => ({ ...by(actor), subjectId: subject.id, notices: [accountStateNotice(subject, "disabled")] }),
  },
  enabled: {
    type: "admin.user_enabled",
    label: "Account enabled by an administrator",
    event: (actor: AdminActor, subject: User) => ({ ...by(actor), subjectId: subject.id, notices: [accountStateNotice(subject, "enabled")] }),
  },
  deleted: {
    type: "admin.user_deleted",
    label: "Account deleted by an administrator",
    warning: true,
    event: (actor: AdminActor, subject: User) => ({ ...withDetails(actor, { username: subject.username }), subjectId: subject.id, notices: [accountStateNotice(subject, "deleted")] }),
  },
  adminGranted: {
    type: "admin.instance_admin_granted",
    label: "Made an instance administrator",
    warning: true,
    event: (actor: AdminActor, subject: User) => ({ ...by(actor), subjectId: subject.id, notices: [accountStateNotice(subject, "instanceAdmin")] }),
  },
  adminRevoked: {
    type: "admin.instance_admin_revoked",
    label: "Instance administrator role removed",
    warning: true,
    event: (actor: AdminActor, subject: User) => ({ ...by(actor), subjectId: subject.id }),
  },
  registrationChanged: {
    type: "admin.registration_changed",
    label: "Open registration changed",
    event: (actor: AdminActor, open: boolean) => withDetails(actor, { registrationOpen: open }),
  },
  consoleCommand: {
    type: "admin.console_command",
    label: "Operator console command",
    warning: true,
    event: (actor: AdminActor, command: string, subjectId: string | null) => ({ ...withDetails(actor, { command }), subjectId }),
  },
});
