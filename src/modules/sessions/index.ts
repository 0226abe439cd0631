// Active sessions: list them, end one, end all others, and end them as part
// of a credential change (revocation.ts).
export { endSessionsOfUser } from "./service.js";
export { prepareRevocation, commitRevocation, cleanUpRevocation, changeEndingSessions, type Revocation } from "./revocation.js";
export { sessionRoutes } from "./routes.js";
export { activeSessionsSection } from "./sections.js";
