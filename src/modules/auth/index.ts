// Registration, sign-in (the pipeline's driver) and sign-out.
export { authRoutes } from "./routes.js";
export { passwordMethod } from "./auth-method.js";
export { assertNewAccountAllowed } from "./service.js";
export { passwordField } from "./schema.js";
export { afterFirstFactor } from "./sign-in.js";
