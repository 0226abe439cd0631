import { z } from "zod";
import { scopeDescriptions, tokenScopes } from "../tokens/index.js";
import type { Endpoint } from "./endpoints.js";
import { errorResponse } from "./schemas.js";

// OpenAPI 3.1 from the endpoint table: its JSON Schema dialect is the
// draft 2020-12 that z.toJSONSchema emits. Request bodies are described as
// clients send them (io: "input"), responses as the server sends them.
type JsonSchema = Record<string, unknown>;

const toSchema = (schema: z.ZodType, io: "input" | "output"): JsonSchema => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any", reused: "inline" }) as JsonSchema;
  return rest;
};

const openApiPath = (path: string) => path.replace(/:(\w+)/g, "{$1}");

function parametersOf(endpoint: Endpoint) {
  const parameters: JsonSchema[] = [];
  for (const [where, schema] of [["path", endpoint.params], ["query", endpoint.query]] as const) {
    if (!schema) continue;
    const json = toSchema(schema, "input") as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, property] of Object.entries(json.properties ?? {})) {
      parameters.push({ name, in: where, required: where === "path" || (json.required ?? []).includes(name), schema: property, ...(property.description ? { description: property.description } : {}) });
    }
  }
  return parameters;
}

const commonErrors = {
  401: "No token, or an unknown, expired or deleted one",
  403: "The token lacks the scope, or is used from an address outside its allow-list",
  422: "Invalid input; error.field names the field",
  429: "Rate limit reached (see the RateLimit-* and Retry-After headers)",
};

export function buildOpenApiDocument(endpoints: Endpoint[], baseUrl: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const endpoint of endpoints) {
    const responses: Record<string, unknown> = {};
    const error = { content: { "application/json": { schema: toSchema(errorResponse, "output") } } };
    for (const [status, description] of Object.entries(commonErrors)) responses[status] = { description, ...error };
    for (const [status, response] of Object.entries(endpoint.responses)) {
      responses[status] = { description: response.description, ...(response.schema ? { content: { "application/json": { schema: toSchema(response.schema, "output") } } } : {}) };
    }
    (paths[openApiPath(endpoint.path)] ??= {})[endpoint.method] = {
      summary: endpoint.summary,
      description: `Needs the \`${endpoint.scope}\` scope.`,
      security: [{ bearerToken: [endpoint.scope] }],
      "x-scope": endpoint.scope,
      parameters: parametersOf(endpoint),
      ...(endpoint.body ? { requestBody: { required: true, content: { "application/json": { schema: toSchema(endpoint.body, "input") } } } } : {}),
      responses,
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Latchkey management API",
      version: "1.0.0",
      description:
        "Send a personal access token as `Authorization: Bearer lk_…` (never in the URL). Errors are `{ error: { code, message, field? } }`. Scopes: " +
        tokenScopes.map((scope) => `\`${scope}\` (${scopeDescriptions[scope]})`).join(", ") +
        ".",
    },
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    servers: [{ url: `${baseUrl}/api/v1` }],
    components: {
      securitySchemes: { bearerToken: { type: "http", scheme: "bearer", description: "A personal access token (lk_…) from /settings/tokens." } },
    },
    paths,
  };
}

export type OpenApiDocument = ReturnType<typeof buildOpenApiDocument>;
