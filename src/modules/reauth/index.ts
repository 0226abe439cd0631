// Step-up: proving identity again before a sensitive change, with any
// registered method the account has.
export { reauthRoutes } from "./routes.js";
export { reauthEvents } from "./events.js";
