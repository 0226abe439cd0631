// Active sessions: list them, end one, end all others.
export { endSessionsOfUser } from "./service.js";
export { sessionRoutes } from "./routes.js";
export { activeSessionsSection } from "./sections.js";
