import { formatUtc } from "../../platform/format.js";
import type { User } from "../users/index.js";

const STATUS_LABELS = { active: "admin:labels.active", locked: "admin:labels.locked", cancelled: "admin:labels.cancelled" } as const;

export function presentUserRow(user: User, workspaces: Array<{ name: string; slug: string; role: string }> = []) {
  return {
    id: user.id,
    url: `/admin/users/${user.id}`,
    username: user.username,
    email: user.email,
    twoFactor: user.totpEnabledAt ? "admin:labels.on" : "admin:labels.off",
    twoFactorEnabled: Boolean(user.totpEnabledAt),
    isInstanceAdmin: user.isInstanceAdmin,
    status: user.status,
    statusLabel: STATUS_LABELS[user.status],
    editable: user.status !== "cancelled",
    // Creation date and time (seed 004: "Creation Time"), in the reader's zone by the view's fmt.
    createdAt: user.createdAt,
    workspaces: workspaces.map((workspace) => ({ name: workspace.name, role: workspace.role })),
  };
}
export type UserRow = ReturnType<typeof presentUserRow>;

export function presentUserDetails(user: User, viewerId: string, workspaces: Array<{ name: string; slug: string; role: string }> = []) {
  const isViewer = user.id === viewerId;
  return {
    ...presentUserRow(user, workspaces),
    accountType: user.passwordHash || user.status === "cancelled" ? "admin:labels.local" : "admin:labels.sso",
    emailVerified: Boolean(user.emailVerifiedAt),
    passwordChangedAt: user.passwordChangedAt,
    hasPassword: Boolean(user.passwordHash),
    isViewer,
    // What the page offers; the service decides again (policy.ts).
    actions: {
      disable: !isViewer && user.status === "active",
      enable: user.status === "locked",
      remove: !isViewer && user.status !== "cancelled",
      grantAdmin: user.status === "active" && !user.isInstanceAdmin,
      revokeAdmin: user.isInstanceAdmin,
    },
  };
}

// Where the list continues, keeping the search.
export function listLinks(query: { q?: string }, next: string | null) {
  const withParams = (params: Record<string, string | undefined>) => {
    const search = new URLSearchParams(Object.entries(params).filter((entry): entry is [string, string] => Boolean(entry[1])));
    const text = search.toString();
    return text ? `/admin/users?${text}` : "/admin/users";
  };
  return { first: withParams({ q: query.q }), next: next ? withParams({ q: query.q, after: next }) : null };
}
