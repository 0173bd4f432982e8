/** Admin stage: the authenticated JSON API under /api/v1. */
import { Hono } from "hono";
import { ledgerName, type EventLedger } from "../ledger";
import { requireAdmin } from "./auth";

export { requireAdmin, tokensEqual } from "./auth";

/** Bindings the admin API uses. */
export interface AdminEnv {
  ADMIN_TOKEN?: string;
  EVENT_LEDGER: DurableObjectNamespace<EventLedger>;
}

/**
 * Build the admin API (mounted at /api).
 * @example app.route("/api", createAdminApi())
 */
export function createAdminApi() {
  const api = new Hono<{ Bindings: AdminEnv }>();
  api.use("*", requireAdmin());
  // One event as the ledger holds it: metadata, forwarded headers, and each destination's task with its attempt log.
  api.get("/v1/events/:source/:eventId", async (c) => {
    const name = ledgerName(c.req.param("source"), c.req.param("eventId"));
    const view = await c.env.EVENT_LEDGER.get(c.env.EVENT_LEDGER.idFromName(name)).inspect();
    if (!view) return c.json({ error: { code: "not_found", message: "no such event in the ledger (unknown, or past its dedupe window)" } }, 404);
    return c.json(view);
  });
  api.all("*", (c) => c.json({ error: { code: "not_found", message: "no such admin route" } }, 404));
  return api;
}
