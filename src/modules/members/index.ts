// Members of a workspace: the list, invitations, roles, removal, 2FA resets
// and the ownership transfer.
export { memberRoutes } from "./routes.js";
export { memberPolicy } from "./policy.js";
