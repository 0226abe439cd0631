export { drainingReadiness, healthRoutes } from "./routes.js";
