import { translatorFor } from "../../platform/i18n.js";
import { defineEvents, securityNotice } from "../audit/index.js";
import type { User } from "../users/index.js";

const self = (user: Pick<User, "id">) => ({ actorId: user.id, subjectId: user.id });

// The identity as logs show it: never a token, only who it is at the provider.
type IdentityFacts = { provider: string; providerName: string; subject: string; login: string | null };
const detailsOf = (identity: IdentityFacts) => ({ provider: identity.provider, subject: identity.subject, login: identity.login });
// "GitHub account "ada"" in the recipient's language.
const aboutIdentity = (user: User, identity: IdentityFacts) => ({
  provider: identity.providerName,
  who: translatorFor(user.language)(identity.login ? "identities:mail.accountNamed" : "identities:mail.account", { provider: identity.providerName, login: identity.login }),
});

export const identityEvents = defineEvents({
  linked: {
    type: "identity.linked",
    label: "Linked account bound",
    event: (user: User, identity: IdentityFacts, baseUrl: string) => ({
      ...self(user),
      details: detailsOf(identity),
      notices: [
        securityNotice(user, { subject: "identities:mail.linkedSubject", body: "identities:mail.linkedBody", vars: aboutIdentity(user, identity), then: "identities:mail.linkedThen", baseUrl }),
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
        securityNotice(user, { subject: "identities:mail.unlinkedSubject", body: "identities:mail.unlinkedBody", vars: aboutIdentity(user, identity), baseUrl }),
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
          subject: translatorFor(user.language)("identities:mail.welcomeSubject"),
          text: translatorFor(user.language)("identities:mail.welcomeBody", { username: user.username, baseUrl, ...aboutIdentity(user, identity) }),
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
