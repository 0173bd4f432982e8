/**
 * `GET /metrics`: the Prometheus scrape endpoint. Bearer `METRICS_TOKEN` (a scrape-only secret) or
 * `ADMIN_TOKEN`, compared in constant time; 401 otherwise, and when neither secret is set (fail closed).
 * Cost per scrape: one MetricsStore request, one AlertCenter request, one gate request per destination, two D1 reads.
 */
import type { Context } from "hono";
import { alertCenter } from "../alerts";
import { loadConfig } from "../config";
import { EXPOSITION_CONTENT_TYPE, readSnapshot, renderExposition, type Gauges } from "../metrics";
import { countDead, readBacklog } from "../search";
import { tokensEqual } from "./auth";
import type { AdminEnv } from "./env";
import { gateOf } from "./operate";

/** Bindings of the scrape endpoint. */
export interface ScrapeEnv extends AdminEnv {
  METRICS_TOKEN?: string;
}

/** Is the request's bearer token METRICS_TOKEN or ADMIN_TOKEN? (Both compared, so timing says nothing about which.) */
export async function scrapeAuthorized(header: string | undefined, env: ScrapeEnv): Promise<boolean> {
  const given = header?.startsWith("Bearer ") ? header.slice("Bearer ".length) : "";
  if (!given) return false;
  const [metrics, admin] = await Promise.all([
    env.METRICS_TOKEN ? tokensEqual(given, env.METRICS_TOKEN) : Promise.resolve(false),
    env.ADMIN_TOKEN ? tokensEqual(given, env.ADMIN_TOKEN) : Promise.resolve(false),
  ]);
  return metrics || admin;
}

/** The gauges: backlog from the index, breaker and pause state from each destination's gate. */
async function readGauges(env: ScrapeEnv, now: number): Promise<Gauges> {
  const loaded = loadConfig(env);
  const names = loaded.ok ? [...loaded.config.destinations.keys()] : [];
  const db = env.EVENT_INDEX;
  const center = env.ALERT_CENTER;
  const [backlog, dead, statuses, alerts] = await Promise.all([
    db ? readBacklog(db).catch(() => null) : null,
    db ? countDead(db, {}).catch(() => null) : null,
    Promise.all(names.map((n) => gateOf(env, n).status().catch(() => null))),
    center ? alertCenter({ ALERT_CENTER: center }).raisedByType().catch(() => undefined) : undefined,
  ]);
  const destinations = names.flatMap((destination, i) => {
    const s = statuses[i];
    return s ? [{ destination, breaker: s.breaker.state, paused: s.paused, parked: s.parked }] : [];
  });
  const oldest = backlog?.oldestPendingAt ?? null;
  return {
    pending: backlog?.pending ?? null,
    oldestPendingAgeSeconds: backlog ? (oldest === null ? 0 : Math.max(0, Math.floor((now - oldest) / 1000))) : null,
    dead,
    destinations,
    alerts,
  };
}

/** The scrape handler (mounted at `GET /metrics`). */
export async function handleScrape(c: Context<{ Bindings: ScrapeEnv }>): Promise<Response> {
  if (!(await scrapeAuthorized(c.req.header("authorization"), c.env))) {
    const configured = Boolean(c.env.METRICS_TOKEN || c.env.ADMIN_TOKEN);
    return c.json(
      { error: { code: "unauthorized", message: configured ? "missing or wrong bearer token (METRICS_TOKEN or ADMIN_TOKEN)" : "the metrics endpoint is disabled until METRICS_TOKEN or ADMIN_TOKEN is set" } },
      401,
      { "www-authenticate": 'Bearer realm="edgehook-metrics"' },
    );
  }
  const now = Date.now();
  const [snapshot, gauges] = await Promise.all([readSnapshot(c.env, []), readGauges(c.env, now)]);
  return new Response(renderExposition(snapshot, gauges), { headers: { "content-type": EXPOSITION_CONTENT_TYPE, "cache-control": "no-store" } });
}
