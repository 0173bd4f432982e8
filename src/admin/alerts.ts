/**
 * Alert routes: `GET /v1/alerts` (open conditions and the recent history with each channel's
 * delivery) and `POST /v1/alerts/channels/:name/test` (send a test alert to one channel now).
 */
import type { Hono } from "hono";
import { z } from "zod";
import { alertCenter } from "../alerts";
import { audit } from "./audit";
import type { AdminBindings } from "./env";
import { configOr503 } from "./operate";
import { apiError, route } from "./route";

const subject = { destination: z.string().optional(), source: z.string().optional() };
const openSchema = z.object({ type: z.string(), ...subject, since: z.number(), count: z.number(), lastError: z.string().nullable() });
const alertSchema = z.object({
  id: z.string(), type: z.string(), at: z.number(), ...subject, summary: z.string(), count: z.number(), since: z.number(), lastError: z.string().nullable(),
  eventIds: z.array(z.string()).optional(), details: z.record(z.string(), z.unknown()), link: z.string(),
  suppressed: z.boolean().describe("over alerts.maxPerHour: recorded, not sent"),
  deliveries: z.array(z.object({ channel: z.string(), state: z.enum(["pending", "sent", "failed"]), tries: z.number(), lastError: z.string().nullable() })),
});
/** `GET /v1/alerts` answer. */
export const alertsViewSchema = z.object({ open: z.array(openSchema), recent: z.array(alertSchema) });
/** `POST /v1/alerts/channels/:name/test` answer. */
export const channelTestResult = z.object({ channel: z.string(), ok: z.boolean(), status: z.number().nullable(), error: z.string().optional() });

const listQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }).strict();
const channelParams = z.object({ name: z.string().min(1).max(64) });

/** Register the alert routes. */
export function alertRoutes(api: Hono<AdminBindings>): void {
  route(api, { method: "get", path: "/v1/alerts", tag: "alerts", summary: "Open alert conditions and recent alerts (newest first) with each channel's delivery state", query: listQuery, responses: { 200: { description: "alerts", schema: alertsViewSchema }, 503: { description: "the ALERT_CENTER binding is missing" } } }, async (c, { query }) => {
    if (!c.env.ALERT_CENTER) return apiError(c, 503, "alerts_unavailable", "the ALERT_CENTER Durable Object binding is not configured (wrangler.toml)");
    return c.json(await alertCenter({ ALERT_CENTER: c.env.ALERT_CENTER }).list(query.limit));
  });

  route(api, { method: "post", path: "/v1/alerts/channels/:name/test", tag: "alerts", summary: "Send a test alert (type alert.test) to one channel now, once; answers how the channel took it", params: channelParams, responses: { 200: { description: "the channel's answer", schema: channelTestResult }, 404: { description: "no such channel" } } }, async (c, { params }) => {
    const config = configOr503(c);
    if (config instanceof Response) return config;
    if (!config.alertChannels.has(params.name)) return apiError(c, 404, "not_found", "no such channel under alerts.channels in the EDGEHOOK config");
    if (!c.env.ALERT_CENTER) return apiError(c, 503, "alerts_unavailable", "the ALERT_CENTER Durable Object binding is not configured (wrangler.toml)");
    const result = await alertCenter({ ALERT_CENTER: c.env.ALERT_CENTER }).sendTest(params.name);
    if (!result) return apiError(c, 404, "not_found", "no such channel under alerts.channels in the EDGEHOOK config");
    audit(c, "alert_test", { channel: params.name, ok: result.ok });
    return c.json({ channel: params.name, ok: result.ok, status: result.status, ...(result.ok ? {} : { error: result.error }) });
  });
}
