// Personal access tokens: the settings page, an administrator's view of any
// user's tokens, and what the management API needs to authenticate and to
// manage tokens through the same services.
export { accessTokens, type AccessToken } from "./tables.js";
export { tokenScopes, scopeDescriptions, type TokenScope } from "./scopes.js";
export { createTokenSchema, modifyTokenSchema, tokenIdParams, type CreateTokenInput, type ModifyTokenInput } from "./schema.js";
export { createToken, deleteToken, findToken, listTokens, modifyToken, rollToken, type IssuedToken, type TokenActor } from "./service.js";
export { assertNoTokenInQuery, authenticateToken, bearerSecret, requireScope, type TokenAuthentication } from "./authentication.js";
export { tokenJson } from "./presenter.js";
export { tokenRoutes, adminTokenRoutes, TOKENS_PATH } from "./routes.js";
