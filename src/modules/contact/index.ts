// Email and phone: bound and changed with verification codes.
export { contactRoutes } from "./routes.js";
export { contactSection } from "./sections.js";
