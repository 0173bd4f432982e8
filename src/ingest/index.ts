/** Ingest stage: the HTTP face of Edgehook (Hono). */
import { Hono } from "hono";
import { createAdminApi, type AdminEnv } from "../admin";
import { loadConfig } from "../config";
import { createDashboard } from "../dashboard";
import { withRequestId } from "../observe";
import { errorResponse } from "./errors";
import { handleWebhook, type IngestEnv } from "./webhook";

export { errorResponse, type ErrorCode } from "./errors";
export { readBodyLimited } from "./body";
export { identify, MAX_EVENT_ID_LENGTH, type IdentifyResult } from "./identify";
export { forgetRecentlyAccepted, RecentlyAccepted } from "./recent";
export type { IngestEnv } from "./webhook";

type AppEnv = { Bindings: IngestEnv & AdminEnv; Variables: { requestId: string } };

/** Shared by both routers: a JSON 404 and a JSON 500 that never leaks the error. */
function withErrorHandlers(app: Hono<AppEnv>): Hono<AppEnv> {
  app.notFound(() => errorResponse("not_found", "no such route; webhooks go to POST /webhooks/<source>"));
  app.onError((error) => {
    console.error(JSON.stringify({ msg: "unhandled", error: String(error), stack: (error as Error).stack }));
    return errorResponse("internal", "internal error");
  });
  return app;
}

/** Whether a request URL's path is under `/webhooks/` (scheme and host skipped without parsing the URL). */
function isWebhookPath(url: string): boolean {
  const path = url.indexOf("/", url.indexOf("://") + 3);
  return path >= 0 && url.startsWith("/webhooks/", path);
}

/**
 * Build the worker's HTTP app. Webhooks — nearly all traffic — go through a router holding only
 * their route; `/health`, `/api` and `/dashboard` through the full one.
 * @example export default { fetch: createApp().fetch }
 */
export function createApp() {
  const hooks = withErrorHandlers(new Hono<AppEnv>());
  hooks.use("*", withRequestId());
  hooks.all("/webhooks/:source", handleWebhook);

  const app = withErrorHandlers(new Hono<AppEnv>());
  app.use("*", withRequestId());
  app.get("/health", (c) => {
    const loaded = loadConfig(c.env);
    return loaded.ok
      ? c.json({ status: "ok", sources: loaded.config.sources.size, destinations: loaded.config.destinations.size })
      : c.json({ status: "config_invalid", problems: loaded.problems.length }, 503);
  });
  app.route("/api", createAdminApi({ ingest: (request, env, ctx) => hooks.fetch(request, env as IngestEnv & AdminEnv, ctx) }));
  app.route("/dashboard", createDashboard());

  const fetch = (...args: Parameters<typeof app.fetch>): Response | Promise<Response> =>
    isWebhookPath(args[0].url) ? hooks.fetch(...args) : app.fetch(...args);
  return { fetch };
}
