/** Admin routes for configuration views (secrets redacted), destination pause/resume/breaker, and stats. */
import type { Context, Hono } from "hono";
import { signalAlerts } from "../alerts";
import { loadConfig, type RuntimeConfig, type RuntimeDestination } from "../config";
import { hubOf } from "../listen";
import type { AdminBindings, AdminEnv, IngestDispatch } from "./env";
import { signTestEvent, TEST_EVENT_PRESETS } from "./testevent";
import { audit } from "./audit";
import { operatorStats } from "./stats";
import { destinationView, sourceView } from "./redact";
import { apiError, route } from "./route";
import { destinationParams, destinationViewSchema, gateStatusSchema, pauseBody, sourceParams, sourceViewSchema, statsSchema, testEventBody, testEventResult } from "./schemas";

/** The gate stub of a destination. */
export function gateOf(env: AdminEnv, name: string) {
  return env.DESTINATION_GATE.get(env.DESTINATION_GATE.idFromName(name));
}

/** How many CLIs listen to a listen destination (null for http ones, or when its hub cannot be reached). */
function listenersOf(env: AdminEnv, d: RuntimeDestination): Promise<number | null> {
  return d.config.kind === "listen" ? hubOf(env, d.name).listeners().catch(() => null) : Promise.resolve(null);
}

/** Tell the alert stage an operator paused or resumed a destination (resume also closes its breaker; transitions it never saw open are ignored). */
export async function operatorPauseSignal(env: AdminEnv, destination: string, paused: boolean): Promise<void> {
  const at = Date.now();
  await signalAlerts(env, paused ? [{ kind: "pause", destination, paused: true, by: "operator", at }] : [{ kind: "pause", destination, paused: false, by: "operator", at }, { kind: "breaker", destination, state: "closed", error: null, at }]);
}

/** The checked config, or a 503 response saying why not (problem paths only). */
export function configOr503(c: Context<AdminBindings>): RuntimeConfig | Response {
  const loaded = loadConfig(c.env);
  return loaded.ok ? loaded.config : apiError(c, 503, "config_invalid", "the EDGEHOOK config is invalid; see the worker's config_invalid log line", { problems: loaded.problems.length });
}


/** Register the operate routes; `ingest` enables signed test events. */
export function operateRoutes(api: Hono<AdminBindings>, ingest?: IngestDispatch): void {
  route(api, { method: "post", path: "/v1/sources/:source/test", tag: "config", summary: `Send a signed test event to a source through the real ingest path (presets: ${TEST_EVENT_PRESETS.join(", ")})`, params: sourceParams, body: testEventBody, responses: { 200: { description: "the ingest answer", schema: testEventResult }, 404: { description: "no such source" }, 422: { description: "the preset cannot be signed by the gateway" } } }, async (c, { params, body }) => {
    const config = configOr503(c);
    if (config instanceof Response) return config;
    const source = config.sources.get(params.source);
    if (!source) return apiError(c, 404, "not_found", "no such source in the EDGEHOOK config");
    const signed = await signTestEvent(source.config.provider, source.secretValues[0] ?? "", body.type, Date.now());
    if (!signed || !ingest) return apiError(c, 422, "test_event_unsupported", `test events can be signed for ${TEST_EVENT_PRESETS.join(", ")} sources; for "${source.config.provider}" use npm run send with the provider's key`);
    const res = await ingest(new Request(new URL(`/webhooks/${encodeURIComponent(params.source)}`, c.req.url), { method: "POST", headers: signed.headers, body: signed.body }), c.env, c.executionCtx);
    const answer = (await res.json().catch(() => null)) as unknown;
    audit(c, "test_event", { source: params.source, eventId: signed.eventId, status: res.status });
    return c.json({ eventId: signed.eventId, status: res.status, response: answer });
  });

  route(api, { method: "get", path: "/v1/sources", tag: "config", summary: "Configured sources (secret names and whether set; never values)", responses: { 200: { description: "sources", schema: sourceViewSchema.array() } } }, (c) => {
    const config = configOr503(c);
    if (config instanceof Response) return config;
    return c.json([...config.sources.values()].map(sourceView));
  });

  route(api, { method: "get", path: "/v1/destinations", tag: "destinations", summary: "Configured destinations with pause and breaker state (secrets redacted)", responses: { 200: { description: "destinations", schema: destinationViewSchema.array() } } }, async (c) => {
    const config = configOr503(c);
    if (config instanceof Response) return config;
    const list = [...config.destinations.values()];
    const gates = await Promise.all(list.map((d) => gateOf(c.env, d.name).status().catch(() => null)));
    const listeners = await Promise.all(list.map((d) => listenersOf(c.env, d)));
    return c.json(list.map((d, i) => destinationView(d, gates[i] ?? null, listeners[i] ?? null)));
  });

  route(api, { method: "get", path: "/v1/destinations/:name", tag: "destinations", summary: "One destination with pause and breaker state", params: destinationParams, responses: { 200: { description: "the destination", schema: destinationViewSchema }, 404: { description: "not configured" } } }, async (c, { params }) => {
    const config = configOr503(c);
    if (config instanceof Response) return config;
    const d = config.destinations.get(params.name);
    if (!d) return apiError(c, 404, "not_found", "no such destination in the EDGEHOOK config");
    return c.json(destinationView(d, await gateOf(c.env, d.name).status(), await listenersOf(c.env, d)));
  });

  for (const action of ["pause", "resume"] as const) {
    route(api, {
      method: "post", path: `/v1/destinations/:name/${action}`, tag: "destinations",
      summary: action === "pause" ? "Pause deliveries to a destination (tasks are parked, never dropped)" : "Resume a destination: close its breaker and re-enqueue parked tasks",
      params: destinationParams, ...(action === "pause" ? { body: pauseBody } : {}),
      responses: { 200: { description: "the gate's state", schema: gateStatusSchema }, 404: { description: "not configured" } },
    }, async (c, { params, body }) => {
      const config = configOr503(c);
      if (config instanceof Response) return config;
      if (!config.destinations.has(params.name)) return apiError(c, 404, "not_found", "no such destination in the EDGEHOOK config");
      const gate = gateOf(c.env, params.name);
      const status = action === "pause" ? await gate.pause((body as { reason: string }).reason) : await gate.resume();
      audit(c, action, { destination: params.name });
      await operatorPauseSignal(c.env, params.name, action === "pause");
      return c.json(status);
    });
  }

  route(api, { method: "get", path: "/v1/stats", tag: "stats", summary: "SLIs over 1 h, 24 h and 7 d (task counts, success and retry rates, latency and time to first delivery p50/p95/p99, ingress, duplicates, rejects by reason, destination 4xx/5xx, cost estimate), backlog and dead count; `figures` says which are exact and which aggregated", responses: { 200: { description: "stats", schema: statsSchema } } }, async (c) => {
    const db = c.env.EVENT_INDEX;
    if (!db) return apiError(c, 503, "index_unavailable", "the EVENT_INDEX D1 binding is not configured");
    return c.json(await operatorStats(c.env, db, Date.now()));
  });
}
