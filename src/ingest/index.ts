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

/**
 * Build the worker's HTTP app.
 * @example export default { fetch: createApp().fetch }
 */
export function createApp() {
  const app = new Hono<{ Bindings: IngestEnv & AdminEnv; Variables: { requestId: string } }>();
  app.use("*", withRequestId());
  app.get("/health", (c) => {
    const loaded = loadConfig(c.env);
    return loaded.ok
      ? c.json({ status: "ok", sources: loaded.config.sources.size, destinations: loaded.config.destinations.size })
      : c.json({ status: "config_invalid", problems: loaded.problems.length }, 503);
  });
  app.all("/webhooks/:source", handleWebhook);
  app.route("/api", createAdminApi({ ingest: (request, env, ctx) => app.fetch(request, env as IngestEnv & AdminEnv, ctx) }));
  app.route("/dashboard", createDashboard());
  app.notFound(() => errorResponse("not_found", "no such route; webhooks go to POST /webhooks/<source>"));
  app.onError((error) => {
    console.error(JSON.stringify({ msg: "unhandled", error: String(error), stack: (error as Error).stack }));
    return errorResponse("internal", "internal error");
  });
  return app;
}
