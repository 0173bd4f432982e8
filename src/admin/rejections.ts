/** `GET /api/v1/sources/:source/rejections`: why a source's requests were refused (counts and samples). */
import type { Hono } from "hono";
import { INGEST_COUNTER, parseSeries, readRejections, readSnapshot } from "../metrics";
import type { AdminBindings, AdminEnv } from "./env";
import { configOr503 } from "./operate";
import { apiError, route } from "./route";
import { rejectionsQuery, rejectionsSchema, sourceParams } from "./schemas";

/** Windows of the reject counts (seconds). */
const WINDOWS = { "1h": 3600, "24h": 86_400 } as const;

/** Reject counts by reason of one source from a window's counter sums. */
export function rejectsByReason(sums: Record<string, number>, source: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, n] of Object.entries(sums)) {
    const { name, labels } = parseSeries(key);
    if (name === INGEST_COUNTER && labels.source === source && labels.result === "rejected" && labels.reason) out[labels.reason] = (out[labels.reason] ?? 0) + n;
  }
  return out;
}

/** A source's reject counts by reason (1 h, 24 h) and its newest samples; shared by the API and the dashboard. */
export async function sourceRejections(env: AdminEnv, source: string, limit: number) {
  // One after the other: the first read flushes this isolate's tally, the second must see it.
  const samples = await readRejections(env, source, limit);
  const snapshot = await readSnapshot(env, Object.values(WINDOWS));
  const counts = { "1h": rejectsByReason(snapshot.windows[WINDOWS["1h"]] ?? {}, source), "24h": rejectsByReason(snapshot.windows[WINDOWS["24h"]] ?? {}, source) };
  return { source, counts, samples };
}

/** Register the rejected-requests route. */
export function rejectionRoutes(api: Hono<AdminBindings>): void {
  route(api, { method: "get", path: "/v1/sources/:source/rejections", tag: "config", summary: "A source's rejected requests: counts by reason (1 h, 24 h) and the most recent samples (header names, never values)", params: sourceParams, query: rejectionsQuery, responses: { 200: { description: "counts and samples", schema: rejectionsSchema }, 404: { description: "no such source" } } }, async (c, { params, query }) => {
    const config = configOr503(c);
    if (config instanceof Response) return config;
    if (!config.sources.has(params.source)) return apiError(c, 404, "not_found", "no such source in the EDGEHOOK config");
    return c.json(await sourceRejections(c.env, params.source, query.limit));
  });
}
