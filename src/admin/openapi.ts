/** The OpenAPI 3.1 document of the admin API, generated from the same zod schemas that validate requests. */
import { z } from "zod";
import type { RouteSpec } from "./route";

/** JSON Schema of a zod schema as OpenAPI 3.1 accepts it (draft 2020-12, input side for requests). */
function jsonSchema(schema: z.ZodType, io: "input" | "output"): Record<string, unknown> {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as Record<string, unknown>;
  return rest;
}

/** OpenAPI parameters from an object schema (`in`: path or query). */
function parameters(schema: z.ZodType | undefined, where: "path" | "query"): unknown[] {
  if (!schema) return [];
  const json = jsonSchema(schema, "input") as { properties?: Record<string, { description?: string }>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({
    name,
    in: where,
    required: where === "path" || (json.required ?? []).includes(name),
    ...(s.description ? { description: s.description } : {}),
    schema: s,
  }));
}

/** `/v1/events/:source` → `/api/v1/events/{source}`. */
export function openApiPath(path: string): string {
  return `/api${path.replace(/:([A-Za-z0-9_]+)/g, "{$1}")}`;
}

/**
 * Build the document for the given routes.
 * @example c.json(buildOpenApi(ROUTES))
 */
export function buildOpenApi(routes: RouteSpec[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const responses: Record<string, unknown> = {};
    for (const [status, res] of Object.entries(r.responses)) {
      responses[status] = { description: res.description, ...(res.schema ? { content: { "application/json": { schema: jsonSchema(res.schema, "output") } } } : {}) };
    }
    responses["401"] = { description: "missing or wrong bearer token", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } };
    if (r.params || r.query || r.body) responses["400"] ??= { description: "validation_failed: the path of each problem", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } };
    (paths[openApiPath(r.path)] ??= {})[r.method] = {
      summary: r.summary,
      tags: [r.tag],
      parameters: [...parameters(r.params, "path"), ...parameters(r.query, "query")],
      ...(r.body ? { requestBody: { required: true, content: { "application/json": { schema: jsonSchema(r.body, "input") } } } } : {}),
      responses,
    };
  }
  return {
    openapi: "3.1.0",
    info: { title: "Edgehook admin API", version: "1", description: "Search, inspect and replay webhook events; operate destinations. Every route needs `Authorization: Bearer <ADMIN_TOKEN>`." },
    servers: [{ url: "/" }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
      schemas: {
        Error: {
          type: "object",
          required: ["error"],
          properties: { error: { type: "object", required: ["code", "message"], properties: { code: { type: "string" }, message: { type: "string" }, problems: { type: "array", items: { type: "string" } } } } },
        },
      },
    },
    paths,
  };
}
