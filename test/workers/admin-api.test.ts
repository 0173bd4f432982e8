/** The admin API over the real pipeline: list/search, detail, validation, pagination, replay one, stats, config views. */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { indexAccepted, writeIndex, type IndexUpdate } from "../../src/search";
import { api, apiJson, postMany, SECRET_VALUES, setSwitch } from "./admin-helpers";
import { received, settled, waitFor } from "./helpers";

interface Page<T> { items: T[]; nextCursor: string | null }
interface Ev { source: string; eventId: string; eventType: string; status: string; receivedAt: number; tasks: { destination: string; status: string; attempts: number }[] }
interface ErrorBody { error: { code: string; message: string; problems?: string[] } }

/** Synthetic index rows for a private source (so pagination counts are exact). */
function update(source: string, i: number, over: Partial<IndexUpdate> = {}): IndexUpdate {
  const at = 1_700_000_000_000 + i * 1000;
  return { source, eventId: `evt_${String(i).padStart(3, "0")}`, eventType: i % 2 ? "invoice.paid" : "charge.failed", receivedAt: at, occurredAt: at, destination: "ok", status: i % 3 === 0 ? "dead" : "delivered", attempts: 1, lastStatus: 200, lastError: null, latencyMs: 10 + i, at, ...over };
}

describe("GET /api/v1/events", () => {
  it("finds an event the pipeline delivered, by source, type, status, destination and id text", async () => {
    const [id] = await postMany("sw", 1, "order.created");
    await settled("sw", id!);
    const page = await waitFor(async () => {
      const p = await apiJson<Page<Ev>>(`/v1/events?source=sw&q=${encodeURIComponent(id!.slice(4, 14))}`, 200);
      return p.items.length > 0 ? p : undefined;
    }, 10_000, "the index row");
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).toMatchObject({ source: "sw", eventId: id, eventType: "order.created", status: "delivered", tasks: [{ destination: "ok", status: "delivered", attempts: 1 }] });
    const hit = (q: string) => apiJson<Page<Ev>>(`/v1/events?${q}&q=${encodeURIComponent(id!)}`, 200).then((p) => p.items.length);
    expect(await hit("type=order.created")).toBe(1);
    expect(await hit("type=order.*")).toBe(1);
    expect(await hit("type=order")).toBe(0);
    expect(await hit("status=delivered&destination=ok")).toBe(1);
    expect(await hit("status=dead")).toBe(0);
    expect(await hit("destination=ok2")).toBe(0);
    expect(await hit("source=github")).toBe(0);
    expect(await hit(`since=${Date.now() + 60_000}`)).toBe(0);
    expect(await hit(`until=${new Date(Date.now() + 60_000).toISOString()}`)).toBe(1);
  });

  it("pages with a cursor: newest first, every event exactly once, filters kept", async () => {
    const source = `page-${crypto.randomUUID().slice(0, 8)}`;
    await writeIndex(env, Array.from({ length: 23 }, (_, i) => update(source, i)));
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Page<Ev> = await apiJson(`/v1/events?source=${source}&limit=5${cursor ? `&cursor=${cursor}` : ""}`, 200);
      expect(page.items.length).toBeLessThanOrEqual(5);
      seen.push(...page.items.map((e) => e.eventId));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(5);
    expect(seen).toEqual(Array.from({ length: 23 }, (_, i) => `evt_${String(22 - i).padStart(3, "0")}`));
    const dead = await apiJson<Page<Ev>>(`/v1/events?source=${source}&status=dead&limit=200`, 200);
    expect(dead.items.map((e) => e.eventId)).toEqual(["evt_021", "evt_018", "evt_015", "evt_012", "evt_009", "evt_006", "evt_003", "evt_000"]);
    expect(dead.items.every((e) => e.status === "dead")).toBe(true);
  });

  it("an event indexed without tasks (routed nowhere) is listed as unrouted", async () => {
    const source = `nowhere-${crypto.randomUUID().slice(0, 8)}`;
    await indexAccepted(env, { source, eventId: "evt_unrouted", eventType: "ping", receivedAt: 5, occurredAt: 5 });
    await indexAccepted(env, { source, eventId: "evt_unrouted", eventType: "ping", receivedAt: 5, occurredAt: 5 });
    const page = await apiJson<Page<Ev>>(`/v1/events?source=${source}`, 200);
    expect(page.items).toEqual([expect.objectContaining({ eventId: "evt_unrouted", status: "unrouted", tasks: [] })]);
  });

  it("an out-of-order older update never moves a task back", async () => {
    const source = `order-${crypto.randomUUID().slice(0, 8)}`;
    await writeIndex(env, [update(source, 1, { status: "delivered", at: 2000 })]);
    await writeIndex(env, [update(source, 1, { status: "pending", at: 1000 })]);
    const page = await apiJson<Page<Ev>>(`/v1/events?source=${source}`, 200);
    expect(page.items[0]!.tasks[0]!.status).toBe("delivered");
  });

  it.each([
    ["limit=0", "query.limit"],
    ["limit=201", "query.limit"],
    ["limit=ten", "query.limit"],
    ["status=lost", "query.status"],
    ["since=yesterday", "query.since"],
    ["unknown=1", "query"],
    ["cursor=not-a-cursor", "query.cursor"],
  ])("400 validation_failed for %s", async (query, path) => {
    const body = await apiJson<ErrorBody>(`/v1/events?${query}`, 400);
    expect(body.error.code).toBe("validation_failed");
    expect(body.error.problems!.some((p) => p.startsWith(path))).toBe(true);
  });
});

describe("GET /api/v1/events/:source/:eventId", () => {
  it("shows metadata, headers, the payload and the attempts, never a secret", async () => {
    const [id] = await postMany("sw", 1, "customer.updated");
    await settled("sw", id!);
    const detail = await apiJson<{ event: { eventId: string; headers: Record<string, string> }; payload: { encoding: string; data: string; truncated: boolean }; tasks: { log: { status: number }[] }[] }>(`/v1/events/sw/${id}`, 200);
    expect(detail.event.eventId).toBe(id);
    expect(detail.payload.encoding).toBe("utf8");
    expect(JSON.parse(detail.payload.data)).toMatchObject({ type: "customer.updated" });
    expect(detail.payload.truncated).toBe(false);
    expect(detail.tasks[0]!.log[0]!.status).toBe(200);
    const text = JSON.stringify(detail);
    for (const secret of SECRET_VALUES) expect(text).not.toContain(secret);
    const raw = await api(`/v1/events/sw/${id}/payload`);
    expect(raw.headers.get("content-type")).toBe("application/octet-stream");
    expect(JSON.parse(await raw.text())).toMatchObject({ type: "customer.updated" });
  });

  it("404 for an unknown event, on detail, payload and replay", async () => {
    expect((await apiJson<ErrorBody>("/v1/events/sw/nope", 404)).error.code).toBe("not_found");
    expect((await api("/v1/events/sw/nope/payload")).status).toBe(404);
    expect((await api("/v1/events/sw/nope/replay", { body: {} })).status).toBe(404);
  });
});

describe("POST /api/v1/events/:source/:eventId/replay", () => {
  it("replays a dead task once it heals: same webhook-id, idempotent while pending, nothing to do once delivered", async () => {
    await setSwitch("outage", 503);
    const [id] = await postMany("outage", 1);
    const dead = await settled("outage", id!);
    expect(dead.tasks[0]!.status).toBe("dead");
    await setSwitch("outage", 200);
    const first = await apiJson<{ replayed: string[] }>(`/v1/events/outage/${id}/replay`, 200, { body: {} });
    expect(first.replayed).toEqual(["outage"]);
    const delivered = await settled("outage", id!);
    expect(delivered.tasks[0]).toMatchObject({ status: "delivered", attempts: 1 });
    expect((await apiJson<{ replayed: string[] }>(`/v1/events/outage/${id}/replay`, 200, { body: {} })).replayed).toEqual([]);
    const hits = await received("/switch/outage", id);
    expect(hits.map((h) => h.status)).toEqual([503, 200]);
    expect(new Set(hits.map((h) => h.webhookId)).size).toBe(1);
    // includeDelivered re-sends on purpose, still with the same webhook-id.
    expect((await apiJson<{ replayed: string[] }>(`/v1/events/outage/${id}/replay`, 200, { body: { includeDelivered: true, destination: "outage" } })).replayed).toEqual(["outage"]);
    await settled("outage", id!);
    await waitFor(async () => (await received("/switch/outage", id)).length === 3, 10_000, "the deliberate re-send");
  });

  it.each([
    ['{"destination": 5}', "body.destination"],
    ['{"includeDelivered": "yes"}', "body.includeDelivered"],
    ['{"extra": true}', "body"],
    ["{not json", "body"],
  ])("400 for the body %s", async (body, path) => {
    const res = await apiJson<ErrorBody>("/v1/events/sw/x/replay", 400, { body });
    expect(res.error.problems!.some((p) => p.startsWith(path))).toBe(true);
  });
});

describe("config views, destinations and stats", () => {
  it("lists sources and destinations with secret names only", async () => {
    const sources = await apiJson<{ name: string; secrets: { name: string; set: boolean }[] }[]>("/v1/sources", 200);
    expect(sources.find((s) => s.name === "stripe")!.secrets).toEqual([{ name: "STRIPE_SECRET", set: true }, { name: "STRIPE_OLD_SECRET", set: true }]);
    const destinations = await apiJson<{ name: string; secret: unknown; gate: { paused: boolean } }[]>("/v1/destinations", 200);
    expect(destinations.find((d) => d.name === "ok")).toMatchObject({ secret: { name: "SINK_SECRET", set: true }, gate: { paused: false } });
    const text = JSON.stringify([sources, destinations]);
    for (const secret of SECRET_VALUES) expect(text).not.toContain(secret);
  });

  it("pauses and resumes a destination; 404 for an unknown one; 400 for a bad reason", async () => {
    const paused = await apiJson<{ paused: boolean; pausedReason: string }>("/v1/destinations/ok2/pause", 200, { body: { reason: "maintenance" } });
    expect(paused).toMatchObject({ paused: true, pausedReason: "maintenance" });
    expect((await apiJson<{ gate: { paused: boolean } }>("/v1/destinations/ok2", 200)).gate.paused).toBe(true);
    const resumed = await apiJson<{ paused: boolean; breaker: { state: string } }>("/v1/destinations/ok2/resume", 200, { method: "POST" });
    expect(resumed).toMatchObject({ paused: false, breaker: { state: "closed" } });
    expect((await api("/v1/destinations/nope/pause", { body: {} })).status).toBe(404);
    expect((await api("/v1/destinations/nope")).status).toBe(404);
    expect((await api("/v1/destinations/ok2/pause", { body: { reason: "" } })).status).toBe(400);
  });

  it("reports counts, success rate and latency percentiles per window", async () => {
    const [id] = await postMany("sw", 1);
    await settled("sw", id!);
    const stats = await waitFor(async () => {
      const s = await apiJson<{ windows: Record<string, { attempts: number; successRate: number | null; tasks: Record<string, number>; latencyMs: { p50: number | null; p99: number | null } }> }>("/v1/stats", 200);
      return s.windows["1h"]!.attempts > 0 ? s : undefined;
    });
    for (const w of ["1h", "24h", "7d"]) {
      const s = stats.windows[w]!;
      expect(s.successRate).toBeGreaterThan(0);
      expect(s.successRate).toBeLessThanOrEqual(1);
      expect(s.tasks.delivered).toBeGreaterThan(0);
      expect(s.latencyMs.p50).not.toBeNull();
      expect(s.latencyMs.p99!).toBeGreaterThanOrEqual(s.latencyMs.p50!);
    }
  });

  it("serves an OpenAPI 3.1 document generated from the route schemas", async () => {
    const doc = await apiJson<{ openapi: string; paths: Record<string, Record<string, { parameters: { name: string }[] }>> }>("/openapi.json", 200);
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.paths["/api/v1/events"]!.get!.parameters.map((p) => p.name)).toEqual(expect.arrayContaining(["source", "type", "status", "destination", "since", "until", "q", "limit", "cursor"]));
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/api/v1/events/{source}/{eventId}/replay", "/api/v1/replays", "/api/v1/dead-letters", "/api/v1/destinations/{name}/pause"]));
  });
});

describe("POST /api/v1/sources/:source/test", () => {
  it.each(["sw", "stripe", "github"])("sends a test event signed with the %s source's secret through verification to delivery", async (source) => {
    const result = await apiJson<{ eventId: string; status: number; response: { status: string } }>(`/v1/sources/${source}/test`, 200, { body: { type: "edgehook.check" } });
    expect(result.status).toBe(202);
    expect(result.response.status).toBe("accepted");
    const view = await settled(source, result.eventId);
    expect(view.event.eventType).toBe("edgehook.check");
    expect(view.tasks.map((t) => t.status)).toEqual(["delivered"]);
  });

  it("422 for a preset the gateway cannot sign, 404 for an unknown source, 400 for a bad body", async () => {
    expect((await apiJson<ErrorBody>("/v1/sources/acme/test", 422, { body: {} })).error.code).toBe("test_event_unsupported");
    expect((await api("/v1/sources/nope/test", { body: {} })).status).toBe(404);
    expect((await api("/v1/sources/sw/test", { body: { type: "" } })).status).toBe(400);
  });
});
