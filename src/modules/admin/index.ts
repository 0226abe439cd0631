// Instance administration: the user list and what administrators do to accounts.
export { adminRoutes } from "./routes.js";
