/**
 * Declared admin routes: each route names its zod schemas once; the same schemas validate requests
 * (400 `validation_failed` with the path of each problem) and generate the OpenAPI document.
 */
import type { Context, Hono } from "hono";
import { z } from "zod";
import type { AdminBindings } from "./env";

/** One admin route: method, Hono path, summary, and its schemas. */
export interface RouteSpec<Q extends z.ZodType = z.ZodType, B extends z.ZodType = z.ZodType, P extends z.ZodType = z.ZodType> {
  method: "get" | "post" | "delete";
  /** Hono path under /api, e.g. `/v1/events/:source/:eventId`. */
  path: string;
  summary: string;
  tag: string;
  params?: P;
  query?: Q;
  body?: B;
  /** Response schemas by status code. */
  responses: Record<number, { description: string; schema?: z.ZodType }>;
}

/** The validated input a handler receives. */
export interface RouteInput<Q extends z.ZodType, B extends z.ZodType, P extends z.ZodType> {
  params: z.output<P>;
  query: z.output<Q>;
  body: z.output<B>;
}

/** An admin JSON error response. */
export function apiError(c: Context, status: 400 | 404 | 409 | 422 | 426 | 503, code: string, message: string, extra: Record<string, unknown> = {}) {
  return c.json({ error: { code, message, ...extra } }, status);
}

/** `path: message` for each zod issue (never echoes the input value). */
export function issueList(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.length > 0 ? i.path.join(".") : "(root)"}: ${i.message}`);
}

/** Every route registered so far, for the OpenAPI document. */
export const ROUTES: RouteSpec[] = [];

/**
 * Register a route on `app`, validating params, query and JSON body with the spec's schemas.
 * @example route(api, listEventsSpec, async (c, { query }) => c.json(await list(query)))
 */
export function route<Q extends z.ZodType, B extends z.ZodType, P extends z.ZodType>(
  app: Hono<AdminBindings>,
  spec: RouteSpec<Q, B, P>,
  handler: (c: Context<AdminBindings>, input: RouteInput<Q, B, P>) => Response | Promise<Response>,
): void {
  if (!ROUTES.some((r) => r.method === spec.method && r.path === spec.path)) ROUTES.push(spec as unknown as RouteSpec);
  app.on(spec.method.toUpperCase(), spec.path, async (c) => {
    const problems: string[] = [];
    const check = <S extends z.ZodType>(schema: S | undefined, value: unknown, where: string): z.output<S> => {
      if (!schema) return undefined as z.output<S>;
      const parsed = schema.safeParse(value);
      if (parsed.success) return parsed.data;
      problems.push(...issueList(parsed.error).map((p) => `${where}.${p}`));
      return undefined as z.output<S>;
    };
    let raw: unknown = undefined;
    if (spec.body) {
      const text = await c.req.text();
      try {
        raw = text.length === 0 ? {} : JSON.parse(text);
      } catch {
        return apiError(c, 400, "validation_failed", "the request body is not valid JSON", { problems: ["body: not JSON"] });
      }
    }
    const input = {
      params: check(spec.params, c.req.param(), "params"),
      query: check(spec.query, c.req.query(), "query"),
      body: check(spec.body, raw, "body"),
    };
    if (problems.length > 0) return apiError(c, 400, "validation_failed", "the request does not match the API schema (see /api/openapi.json)", { problems });
    return handler(c, input as RouteInput<Q, B, P>);
  });
}
