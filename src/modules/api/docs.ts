import type { Endpoint } from "./endpoints.js";
import type { OpenApiDocument } from "./openapi.js";

// The readable reference page: the same document, as a list of routes with
// their scope, parameters, body and answers.
export function presentReference(document: OpenApiDocument, endpoints: Endpoint[]) {
  return {
    description: document.info.description,
    server: document.servers[0]!.url,
    routes: endpoints.map((endpoint) => {
      const path = endpoint.path.replace(/:(\w+)/g, "{$1}");
      const operation = document.paths[path]![endpoint.method] as {
        parameters: Array<{ name: string; in: string; required: boolean; description?: string }>;
        requestBody?: { content: { "application/json": { schema: unknown } } };
        responses: Record<string, { description: string; content?: { "application/json": { schema: unknown } } }>;
      };
      return {
        anchor: `${endpoint.method}-${path.replace(/[^\w]+/g, "-")}`,
        method: endpoint.method.toUpperCase(),
        path,
        summary: endpoint.summary,
        scope: endpoint.scope,
        parameters: operation.parameters,
        body: operation.requestBody ? JSON.stringify(operation.requestBody.content["application/json"].schema, null, 2) : null,
        responses: Object.entries(operation.responses).map(([status, response]) => ({
          status,
          description: response.description,
          schema: response.content && Number(status) < 400 ? JSON.stringify(response.content["application/json"].schema, null, 2) : null,
        })),
      };
    }),
  };
}
