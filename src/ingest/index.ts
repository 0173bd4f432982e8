/** Ingest stage: the HTTP face of Edgehook (Hono). */
import { Hono, type Context } from "hono";
import { createAdminApi, handleScrape, type ScrapeEnv } from "../admin";
import { loadConfig } from "../config";
import { createDashboard } from "../dashboard";
import { withRequestId } from "../observe";
import { handleCallbackResult } from "./callback";
import { errorResponse } from "./errors";
import { handleWebhook, type IngestEnv } from "./webhook";

export { errorResponse, type ErrorCode } from "./errors";
export { readBodyLimited } from "./body";
export { identify, MAX_EVENT_ID_LENGTH, type IdentifyResult } from "./identify";
export { forgetRecentlyAccepted, RecentlyAccepted } from "./recent";
export type { IngestEnv } from "./webhook";

type AppEnv = { Bindings: IngestEnv & ScrapeEnv; Variables: { requestId: string } };

/** Shared by both routers: a JSON 404 and a JSON 500 that never leaks the error. */
function withErrorHandlers(app: Hono<AppEnv>): Hono<AppEnv> {
  app.notFound(() => errorResponse("not_found", "no such route; webhooks go to POST /webhooks/<source>"));
  app.onError((error) => {
    console.error(JSON.stringify({ msg: "unhandled", error: String(error), stack: (error as Error).stack }));
    return errorResponse("internal", "internal error");
  });
  return app;
}

/**
 * Build the worker's HTTP app. Webhooks — nearly all traffic — are matched first by a router holding
 * only their route; everything else (`/health`, `/api`, `/dashboard`, unknown paths) falls through to
 * the full one.
 * @example export default { fetch: createApp().fetch }
 */
export function createApp() {
  const app = withErrorHandlers(new Hono<AppEnv>());
  app.use("*", withRequestId());
  app.get("/health", (c) => {
    const loaded = loadConfig(c.env);
    return loaded.ok
      ? c.json({ status: "ok", sources: loaded.config.sources.size, destinations: loaded.config.destinations.size })
      : c.json({ status: "config_invalid", problems: loaded.problems.length }, 503);
  });

  app.get("/metrics", handleScrape);

  const hooks = withErrorHandlers(new Hono<AppEnv>());
  // No request-id middleware here: the handler names a response only when it writes its log line.
  hooks.all("/webhooks/:source", handleWebhook);
  hooks.notFound((c) => app.fetch(c.req.raw, c.env, executionCtxOf(c)));

  app.all("/callbacks/:token", handleCallbackResult);
  app.route("/api", createAdminApi({ ingest: (request, env, ctx) => hooks.fetch(request, env as IngestEnv & ScrapeEnv, ctx) }));
  app.route("/dashboard", createDashboard());
  return hooks;
}

/** The execution context, or undefined when the app is called without one (`app.fetch(request, env)`). */
function executionCtxOf(c: Context): Context["executionCtx"] | undefined {
  try {
    return c.executionCtx;
  } catch {
    return undefined;
  }
}
