// Members of a workspace: the list and what owners and admins do to members.
export { memberRoutes } from "./routes.js";
export { memberPolicy } from "./policy.js";
