import { maskEmail } from "../../platform/mask.js";
import { defineEvents, whenAndWhere, type Notice, type NoticeContext } from "../audit/index.js";
import { passwordChangedNotice } from "../password/index.js";
import type { User } from "../users/index.js";
import type { AdminActor } from "./actor.js";

const by = (actor: AdminActor) => ({ actorId: actor.id, details: { via: actor.via, ...(actor.operator ? { operator: actor.operator } : {}) } });
const withDetails = (actor: AdminActor, details: Record<string, unknown>) => ({ ...by(actor), details: { ...by(actor).details, ...details } });

function accountCreatedNotice(user: User, mustChange: boolean, baseUrl: string): Notice {
  return {
    to: user.email,
    subject: "Your Latchkey account was created",
    text:
      `Hi ${user.username},\n\nan administrator created a Latchkey account for you (username ${user.username}).\n` +
      `Sign in at ${baseUrl}/login with the password the administrator gives you through a channel you trust.` +
      (mustChange ? ` You will be asked to choose your own password right away.` : "") +
      `\n\nThen secure the account: ${baseUrl}/settings/security\n`,
  };
}

// Told to the old address and the new one, like a change the user makes.
function emailChangedNotices(oldEmail: string, user: User, newEmail: string): Notice[] {
  const text = (context: NoticeContext) =>
    `Hi ${user.username},\n\nan instance administrator changed the email address of your Latchkey account from ${maskEmail(oldEmail)} to ${newEmail}.\n\n${whenAndWhere(context)}\n\nIf you did not ask for this, contact your administrator.\n`;
  return [oldEmail, newEmail].map((to) => ({ to, subject: "Your Latchkey email address was changed", text }));
}

function accountStateNotice(user: User, subject: string, what: string): Notice {
  return { to: user.email, subject, text: (context) => `Hi ${user.username},\n\n${what}\n\n${whenAndWhere(context)}\n` };
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
    event: (actor: AdminActor, subject: User) => ({ ...by(actor), subjectId: subject.id, notices: [accountStateNotice(subject, "Your Latchkey account was disabled", "an instance administrator disabled your Latchkey account and signed out its sessions. Contact your administrator if you need it back.")] }),
  },
  enabled: {
    type: "admin.user_enabled",
    label: "Account enabled by an administrator",
    event: (actor: AdminActor, subject: User) => ({ ...by(actor), subjectId: subject.id, notices: [accountStateNotice(subject, "Your Latchkey account was enabled again", "an instance administrator enabled your Latchkey account again. You can sign in.")] }),
  },
  deleted: {
    type: "admin.user_deleted",
    label: "Account deleted by an administrator",
    warning: true,
    event: (actor: AdminActor, subject: User) => ({ ...withDetails(actor, { username: subject.username }), subjectId: subject.id, notices: [accountStateNotice(subject, "Your Latchkey account was deleted", "an instance administrator deleted your Latchkey account. You can no longer sign in.")] }),
  },
  adminGranted: {
    type: "admin.instance_admin_granted",
    label: "Made an instance administrator",
    warning: true,
    event: (actor: AdminActor, subject: User) => ({ ...by(actor), subjectId: subject.id, notices: [accountStateNotice(subject, "You are now a Latchkey instance administrator", "you were made an instance administrator of Latchkey. Turn on two-factor authentication if you have not yet.")] }),
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
