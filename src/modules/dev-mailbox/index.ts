export { devMailboxRoutes, mailboxEnabled } from "./routes.js";
