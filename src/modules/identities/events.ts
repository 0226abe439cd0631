import { defineEvents, notYouLine, whenAndWhere } from "../audit/index.js";
import type { User } from "../users/index.js";

const self = (user: Pick<User, "id">) => ({ actorId: user.id, subjectId: user.id });

// The identity as logs show it: never a token, only who it is at the provider.
type IdentityFacts = { provider: string; providerName: string; subject: string; login: string | null };
const detailsOf = (identity: IdentityFacts) => ({ provider: identity.provider, subject: identity.subject, login: identity.login });
const who = (identity: IdentityFacts) => (identity.login ? `${identity.providerName} account "${identity.login}"` : `${identity.providerName} account`);

export const identityEvents = defineEvents({
  linked: {
    type: "identity.linked",
    label: "Linked account bound",
    event: (user: User, identity: IdentityFacts, baseUrl: string) => ({
      ...self(user),
      details: detailsOf(identity),
      notices: [
        {
          to: user.email,
          subject: `A ${identity.providerName} account was bound to your Latchkey account`,
          text: (context) =>
            `Hi ${user.username},\n\nthe ${who(identity)} was bound to your Latchkey account. It can now be used to sign in.\n\n${whenAndWhere(context)}\n\n${notYouLine(baseUrl)} Then unbind it at ${baseUrl}/settings/connections.\n`,
        },
      ],
    }),
  },
  unlinked: {
    type: "identity.unlinked",
    label: "Linked account unbound",
    event: (user: User, identity: IdentityFacts, baseUrl: string) => ({
      ...self(user),
      details: detailsOf(identity),
      notices: [
        {
          to: user.email,
          subject: `A ${identity.providerName} account was unbound from your Latchkey account`,
          text: (context) =>
            `Hi ${user.username},\n\nthe ${who(identity)} was unbound from your Latchkey account and can no longer be used to sign in.\n\n${whenAndWhere(context)}\n\n${notYouLine(baseUrl)}\n`,
        },
      ],
    }),
  },
  accountCreated: {
    type: "identity.account_created",
    label: "Account created through a sign-in provider",
    event: (user: User, identity: IdentityFacts, baseUrl: string) => ({
      ...self(user),
      details: detailsOf(identity),
      notices: [
        {
          to: user.email,
          subject: "Welcome to Latchkey",
          text: () =>
            `Hi ${user.username},\n\nyour Latchkey account was created when you signed in with your ${who(identity)}. Use "Continue with ${identity.providerName}" to sign in.\n\nYour account has no password yet. To set one, use "Forgot your password?" at ${baseUrl}/forgot-password.\n`,
        },
      ],
    }),
  },
  providerChanged: {
    type: "identity.provider_changed",
    label: "Sign-in provider settings changed",
    // `change`: created or updated; `fields`: which settings (never the secret's value).
    event: (actor: Pick<User, "id">, provider: { slug: string; kind: string }, change: "created" | "updated", fields: string[]) => ({
      actorId: actor.id,
      details: { provider: provider.slug, kind: provider.kind, change, fields },
    }),
  },
});
