/** Admin stage: the authenticated JSON API under /api/v1 and its OpenAPI document. */
import { Hono } from "hono";
import { withRequestId } from "../observe";
import { alertRoutes } from "./alerts";
import { requireAdmin } from "./auth";
import { deadLetterRoutes } from "./deadletters";
import type { AdminBindings, IngestDispatch } from "./env";
import { eventRoutes } from "./events";
import { listenRoutes } from "./listen";
import { buildOpenApi } from "./openapi";
import { operateRoutes } from "./operate";
import { orderingRoutes } from "./ordering";
import { publicKeyRoutes } from "./publickey";
import { rejectionRoutes } from "./rejections";
import { ROUTES } from "./route";
import { transformRoutes } from "./transforms";

export { requireAdmin, tokensEqual } from "./auth";
export { handleScrape, scrapeAuthorized, type ScrapeEnv } from "./scrape";
export { sourceRejections } from "./rejections";
/** Bindings of the admin API and how it reaches the ingest app. */
export type { AdminBindings, AdminEnv, IngestDispatch } from "./env";
export { ledgerOf, PAYLOAD_DOWNLOAD_HEADERS, payloadPreview, replayOne } from "./events";
export { gateOf, operatorPauseSignal } from "./operate";
export { FIGURES, operatorStats, STATS_WINDOWS, type OperatorStats, type OperatorWindow } from "./stats";
export { destinationView, redactUrl, sourceView } from "./redact";
export { buildOpenApi, openApiPath } from "./openapi";
export { ROUTES } from "./route";
export { audit } from "./audit";
export { continueIfStalled, runReplayJob } from "./replay";
export { storedTransformInput, testTransform, type TransformTestResult } from "./transforms";

/**
 * Build the admin API (mounted at /api). Every route, the OpenAPI document included, needs the token.
 * `ingest` lets it send signed test events through the app's own ingest route.
 * @example app.route("/api", createAdminApi({ ingest: (req, env, ctx) => app.fetch(req, env, ctx) }))
 */
export function createAdminApi(options: { ingest?: IngestDispatch } = {}) {
  const api = new Hono<AdminBindings>();
  api.use("*", withRequestId());
  api.use("*", requireAdmin());
  eventRoutes(api);
  deadLetterRoutes(api);
  operateRoutes(api, options.ingest);
  orderingRoutes(api);
  listenRoutes(api);
  publicKeyRoutes(api);
  transformRoutes(api);
  rejectionRoutes(api);
  alertRoutes(api);
  api.get("/openapi.json", (c) => c.json(buildOpenApi(ROUTES)));
  api.all("*", (c) => c.json({ error: { code: "not_found", message: "no such admin route (see /api/openapi.json)" } }, 404));
  return api;
}
