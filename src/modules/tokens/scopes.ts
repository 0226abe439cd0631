// What a token may do. Each management API route names the one scope it needs.
export const tokenScopes = ["account:read", "account:write", "tokens:manage", "audit:read", "workspace:admin"] as const;
export type TokenScope = (typeof tokenScopes)[number];

export const scopeDescriptions: Record<TokenScope, string> = {
  "account:read": "Read your account and the workspaces you belong to",
  "account:write": "Change your username",
  "tokens:manage": "List, create, change, roll and delete your access tokens",
  "audit:read": "Read your security log",
  "workspace:admin": "Read the members of workspaces you own or administer",
};

export const DEFAULT_SCOPES: TokenScope[] = ["account:read"];
