// First-run setup: the first account (an instance administrator) and workspace.
export { createSetupState } from "./service.js";
export { setupGate, setupRoutes } from "./routes.js";
