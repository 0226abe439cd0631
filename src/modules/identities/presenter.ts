import { formatUtc } from "../../platform/format.js";
import { kindLabels, redirectUriFor } from "./providers.js";
import type { IdentityWithProvider } from "./repo.js";
import type { IdentityProvider } from "./tables.js";

// Avatars are shown from the two hosts the page's CSP allows (img-src in
// web/security.ts); any other picture is only linked.
const EMBEDDABLE_AVATAR = /^https:\/\/(avatars\.githubusercontent\.com|cdn\.discordapp\.com)\//;

// Settings → Connections: every provider open for linking, plus any the
// account is bound to (so an identity at a provider closed for linking can
// still be unbound).
export function presentConnections(providers: IdentityProvider[], bound: IdentityWithProvider[]) {
  const byProvider = new Map(bound.map((row) => [row.provider.id, row.identity]));
  return providers
    .filter((provider) => provider.linkingEnabled || byProvider.has(provider.id))
    .map((provider) => {
      const identity = byProvider.get(provider.id);
      return {
        slug: provider.slug,
        name: provider.name,
        kind: kindLabels[provider.kind],
        canBind: provider.linkingEnabled && !identity,
        signIn: provider.signInEnabled,
        identity: identity
          ? {
              login: identity.login,
              email: identity.email,
              avatarUrl: identity.avatarUrl && EMBEDDABLE_AVATAR.test(identity.avatarUrl) ? identity.avatarUrl : null,
              pictureUrl: identity.avatarUrl,
              // Dates: the page shows them in the reader's language and zone (fmt).
              boundAt: identity.createdAt,
              lastSignInAt: identity.lastSignInAt ?? null,
            }
          : null,
      };
    });
}

export function presentSignInButtons(providers: IdentityProvider[]) {
  return providers.filter((provider) => provider.signInEnabled).map((provider) => ({ slug: provider.slug, name: provider.name }));
}

export function presentAdminProviders(baseUrl: string, providers: IdentityProvider[]) {
  return providers.map((provider) => ({
    slug: provider.slug,
    kind: provider.kind,
    kindLabel: kindLabels[provider.kind],
    name: provider.name,
    issuer: provider.issuer ?? "",
    clientId: provider.clientId,
    signInEnabled: provider.signInEnabled,
    linkingEnabled: provider.linkingEnabled,
    callbackUrl: redirectUriFor({ baseUrl }, provider),
    updatedAt: formatUtc(provider.updatedAt),
  }));
}
