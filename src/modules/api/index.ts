// The management API under /api/v1: Bearer-token authentication, rate
// limits, the OpenAPI document and its reference page. Its routes call the
// services the HTML pages use.
export { apiRoutes, API_BASE } from "./router.js";
export { endpoints } from "./endpoints.js";
export { buildOpenApiDocument } from "./openapi.js";
