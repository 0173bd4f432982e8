/**
 * The metrics stage in workerd: the ingest tally under a flood of forged requests (exact counts, a
 * bounded number of MetricsStore requests and rows), the rejected-requests view (header names, never
 * values), and GET /metrics (auth, exposition format, counters, histograms and gauges).
 */
import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { flushNow, SAMPLES_PER_WINDOW, type RejectSample } from "../../src/metrics";
import { TEST_SECRETS } from "../support/fixtures";
import { sampleEvent, sha256hex, signRequest } from "../support/signer";
import { apiJson } from "./admin-helpers";
import { installMeter, readMeter, resetMeter } from "./cost-meter";
import { post, received, settled, waitFor } from "./helpers";

beforeAll(installMeter);

/** GET /metrics with a bearer token (none when null). */
function scrape(token: string | null): Promise<Response> {
  return exports.default.fetch("https://edgehook.test/metrics", { headers: token === null ? {} : { authorization: `Bearer ${token}` } });
}

/** One sample line of the exposition: name, labels, value. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parse the text exposition strictly enough to catch malformed lines and families without HELP/TYPE. */
function parseExposition(text: string): { samples: Sample[]; types: Map<string, string> } {
  const types = new Map<string, string>();
  const helps = new Set<string>();
  const samples: Sample[] = [];
  expect(text.endsWith("\n")).toBe(true);
  for (const line of text.trimEnd().split("\n")) {
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$/.exec(line);
    if (meta) {
      if (meta[1] === "TYPE") types.set(meta[2]!, meta[3]!);
      else helps.add(meta[2]!);
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?[0-9.e+]+|\+Inf|NaN)$/.exec(line);
    expect(m, `malformed line: ${line}`).not.toBeNull();
    const labels: Record<string, string> = {};
    for (const [, k, v] of m![2]?.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g) ?? []) labels[k!] = v!;
    const name = m![1]!;
    const family = types.has(name) ? name : name.replace(/_(bucket|sum|count)$/, "");
    expect(types.has(family) && helps.has(family), `no HELP/TYPE before ${name}`).toBe(true);
    samples.push({ name, labels, value: Number(m![3]) });
  }
  return { samples, types };
}

/** The value of the one sample with this name and exactly these labels (undefined if none). */
function valueOf(samples: Sample[], name: string, labels: Record<string, string>): number | undefined {
  const hit = samples.filter((s) => s.name === name && JSON.stringify(Object.entries(s.labels).sort()) === JSON.stringify(Object.entries(labels).sort()));
  expect(hit.length).toBeLessThanOrEqual(1);
  return hit[0]?.value;
}

/** Wait until every event this file sent to "ok" so far was delivered and counted (the index holds none pending). */
async function settledDeliveries(): Promise<void> {
  await waitFor(async () => {
    const accepted = (await received("/ok")).length;
    const parsed = parseExposition(await (await scrape(env.METRICS_TOKEN)).text());
    return (valueOf(parsed.samples, "edgehook_deliveries_total", { destination: "ok", outcome: "delivered", status_class: "2xx" }) ?? 0) >= accepted;
  }, 15_000, "earlier deliveries to be counted");
}

interface Rejections {
  source: string;
  counts: { "1h": Record<string, number>; "24h": Record<string, number> };
  samples: RejectSample[];
}

describe("ingest tally", () => {
  it("a flood of forged requests is counted exactly, with a bounded number of MetricsStore requests and rows", async () => {
    const N = 200;
    const body = sampleEvent("github");
    // Signed with a secret the source does not hold: each one is a 401 signature_invalid.
    const forged = await signRequest({ preset: "github", secret: "not-the-github-secret", body });
    const probe = "probe-value-that-must-never-be-stored";
    const headers = { ...forged.headers, "x-github-event": "push", "x-github-delivery": crypto.randomUUID(), "x-probe": probe };
    await flushNow(env);
    resetMeter();
    for (let i = 0; i < N; i += 50) {
      const statuses = await Promise.all(Array.from({ length: 50 }, async () => (await post("github", { ...forged, headers })).status));
      expect(statuses.every((s) => s === 401)).toBe(true);
    }
    // No store request on the response path: the flush comes FLUSH_AFTER_MS after the first reject.
    await waitFor(async () => ((await readMeter()).doRequests["MetricsStore.add"] ?? 0) > 0, 15_000, "the coalesced flush");
    const counts = await readMeter();
    // 200 requests, at most one flush per interval (2 if the flood straddled one); never one per request.
    expect(counts.doRequests["MetricsStore.add"]).toBeLessThanOrEqual(2);
    // Rows: per flush one total and one per-minute row for the one series, the samples (≤ 5) and
    // their trim — independent of N.
    expect(counts.metricsRowsWritten).toBeLessThanOrEqual(2 * (2 * 2 + SAMPLES_PER_WINDOW + 1));
    // Rejects never reach a ledger or the queue; the other rows are the alert stage's for the one
    // source.auth_failures alert the flush signalled (below) — also independent of N.
    expect(counts.doRequests["EventLedger.accept"]).toBeUndefined();
    expect(counts.queueMessagesSent).toBe(0);
    expect(counts.rowsWritten).toBeLessThanOrEqual(20);

    const view = await apiJson<Rejections>("/v1/sources/github/rejections", 200);
    expect(view.counts["1h"]).toEqual({ signature_invalid: N });
    expect(view.counts["24h"]).toEqual({ signature_invalid: N });
    expect(view.samples.length).toBeGreaterThan(0);
    expect(view.samples.length).toBeLessThanOrEqual(2 * SAMPLES_PER_WINDOW);
    const sample = view.samples[0]!;
    expect(sample.code).toBe("signature_invalid");
    expect(sample.source).toBe("github");
    expect(sample.headerNames).toEqual(expect.arrayContaining(["x-hub-signature-256", "x-github-event", "x-github-delivery", "x-probe", "content-type"]));
    expect(sample.bodyBytes).toBe(new TextEncoder().encode(body).byteLength);
    expect(sample.bodySha256).toBe(await sha256hex(new TextEncoder().encode(body)));
    expect(sample.hint.length).toBeGreaterThan(0);
    // Header names only: no value of any header the request carried is kept.
    const text = JSON.stringify(view);
    for (const value of Object.values(headers)) expect(text).not.toContain(value);

    // The flush told the alert stage: 200 failures of one source are one source.auth_failures alert.
    const alerts = (await env.ALERT_CENTER.get(env.ALERT_CENTER.idFromName("alerts")).list(200)).recent.filter((a) => a.type === "source.auth_failures");
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ source: "github", lastError: "signature_invalid" });
    // …and /metrics counts it under its type.
    const res = await scrape(env.METRICS_TOKEN!);
    const { samples, types } = parseExposition(await res.text());
    expect(types.get("edgehook_alerts_total")).toBe("counter");
    expect(samples.find((x) => x.name === "edgehook_alerts_total" && x.labels.type === "source.auth_failures")?.value).toBe(1);
  });

  it("counts each answer by result and reason, and an unknown source under one label", async () => {
    const valid = await signRequest({ preset: "stripe", secret: TEST_SECRETS.STRIPE_SECRET, body: sampleEvent("stripe") });
    expect((await post("stripe", valid)).status).toBe(202);
    expect((await post("stripe", valid)).status).toBe(200);
    expect((await post("stripe", { ...valid, headers: { "content-type": "application/json" } })).status).toBe(401);
    expect((await post("no-such-source-1", valid)).status).toBe(404);
    expect((await post("no-such-source-2", valid)).status).toBe(404);
    const { samples } = parseExposition(await (await scrape(env.ADMIN_TOKEN)).text());
    const ingest = (labels: Record<string, string>) => valueOf(samples, "edgehook_ingest_requests_total", labels);
    expect(ingest({ source: "stripe", result: "accepted" })).toBe(1);
    expect(ingest({ source: "stripe", result: "duplicate" })).toBe(1);
    expect(ingest({ source: "stripe", result: "rejected", reason: "signature_missing" })).toBe(1);
    expect(ingest({ source: "(unknown)", result: "rejected", reason: "source_unknown" })).toBe(2);
    expect(samples.some((s) => JSON.stringify(s.labels).includes("no-such-source"))).toBe(false);
    // Leave no delivery in flight for the next tests to count.
    const eventId = (JSON.parse(new TextDecoder().decode(valid.body)) as { id: string }).id;
    await waitFor(async () => (await received("/ok", eventId)).length > 0, 15_000, "the stripe event's delivery");
  });
});

describe("GET /metrics", () => {
  it("needs METRICS_TOKEN or ADMIN_TOKEN", async () => {
    for (const token of [null, "", "wrong-token", `${env.METRICS_TOKEN}x`]) {
      const res = await scrape(token);
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toContain("Bearer");
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
    }
    const plain = await exports.default.fetch("https://edgehook.test/metrics", { headers: { authorization: env.METRICS_TOKEN } });
    expect(plain.status).toBe(401);
    for (const token of [env.METRICS_TOKEN, env.ADMIN_TOKEN]) {
      const res = await scrape(token);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    }
    // The scrape token is not an admin token.
    expect((await exports.default.fetch("https://edgehook.test/api/v1/stats", { headers: { authorization: `Bearer ${env.METRICS_TOKEN}` } })).status).toBe(401);
  });

  it("exposes delivery counters by destination, outcome and status class, histograms and gauges", async () => {
    // "ok" also took the earlier tests' events: its figures are compared with a scrape made before.
    await settledDeliveries();
    const before = parseExposition(await (await scrape(env.METRICS_TOKEN)).text()).samples;
    const okBefore = (name: string, labels: Record<string, string>) => valueOf(before, name, labels) ?? 0;
    const ok = await signRequest({ preset: "standard-webhooks", secret: TEST_SECRETS.SW_SECRET, body: sampleEvent("standard-webhooks") });
    const doomed = await signRequest({ preset: "standard-webhooks", secret: TEST_SECRETS.SW_SECRET, body: sampleEvent("standard-webhooks") });
    expect((await post("sw", ok)).status).toBe(202);
    expect((await post("doomed", doomed)).status).toBe(202);
    await waitFor(async () => (await received("/ok", ok.headers["webhook-id"])).length > 0, 15_000, "delivery");
    await settled("doomed", doomed.headers["webhook-id"]!, 20_000);
    // The index is written by the consumer after the ledger: wait for the dead gauge to see both.
    const { samples, types } = await waitFor(async () => {
      const parsed = parseExposition(await (await scrape(env.METRICS_TOKEN)).text());
      return valueOf(parsed.samples, "edgehook_tasks_dead", {}) === 2 && valueOf(parsed.samples, "edgehook_deliveries_total", { destination: "always500", outcome: "dead", status_class: "5xx" }) === 1 ? parsed : undefined;
    }, 15_000, "dead tasks in the exposition");

    expect(types.get("edgehook_ingest_requests_total")).toBe("counter");
    expect(types.get("edgehook_deliveries_total")).toBe("counter");
    expect(types.get("edgehook_delivery_latency_seconds")).toBe("histogram");
    expect(types.get("edgehook_time_to_first_delivery_seconds")).toBe("histogram");
    expect(types.get("edgehook_tasks_pending")).toBe("gauge");

    const deliveries = (labels: Record<string, string>) => valueOf(samples, "edgehook_deliveries_total", labels);
    expect(deliveries({ destination: "ok", outcome: "delivered", status_class: "2xx" }), 'deliveries({ destination: "ok", outcome: "delivered", status_class: "2xx" })').toBe(okBefore("edgehook_deliveries_total", { destination: "ok", outcome: "delivered", status_class: "2xx" }) + 1);
    expect(deliveries({ destination: "rejects", outcome: "dead", status_class: "4xx" }), 'deliveries({ destination: "rejects", outcome: "dead", status_class: "4xx" })').toBe(1);
    // always500: maxAttempts 3 → two retried attempts and a dead one.
    expect(deliveries({ destination: "always500", outcome: "retry", status_class: "5xx" }), 'deliveries({ destination: "always500", outcome: "retry", status_class: "5xx" })').toBe(2);
    expect(deliveries({ destination: "always500", outcome: "dead", status_class: "5xx" }), 'deliveries({ destination: "always500", outcome: "dead", status_class: "5xx" })').toBe(1);

    // Histograms: cumulative buckets ending in +Inf = count; one attempt to "ok", delivered once.
    const buckets = samples.filter((s) => s.name === "edgehook_delivery_latency_seconds_bucket" && s.labels.destination === "ok");
    expect(buckets.at(-1)!.labels.le).toBe("+Inf");
    for (let i = 1; i < buckets.length; i++) expect(buckets[i]!.value).toBeGreaterThanOrEqual(buckets[i - 1]!.value);
    const okAttempts = okBefore("edgehook_delivery_latency_seconds_count", { destination: "ok" }) + 1;
    expect(buckets.at(-1)!.value).toBe(okAttempts);
    expect(valueOf(samples, "edgehook_delivery_latency_seconds_count", { destination: "ok" }), 'valueOf(samples, "edgehook_delivery_latency_seconds_count", { destination: "ok" })').toBe(okAttempts);
    expect(valueOf(samples, "edgehook_delivery_latency_seconds_count", { destination: "always500" }), 'valueOf(samples, "edgehook_delivery_latency_seconds_count", { destination: "always500" })').toBe(3);
    expect(valueOf(samples, "edgehook_time_to_first_delivery_seconds_count", { destination: "ok" }), 'valueOf(samples, "edgehook_time_to_first_delivery_seconds_count", { destination: "ok" })').toBe(okAttempts);
    expect(valueOf(samples, "edgehook_time_to_first_delivery_seconds_count", { destination: "always500" }), 'valueOf(samples, "edgehook_time_to_first_delivery_seconds_count", { destination: "always500" })').toBeUndefined();

    // Gauges: backlog from the index, breaker state per destination.
    expect(valueOf(samples, "edgehook_tasks_pending", {}), 'valueOf(samples, "edgehook_tasks_pending", {})').toBe(0);
    expect(valueOf(samples, "edgehook_oldest_pending_age_seconds", {}), 'valueOf(samples, "edgehook_oldest_pending_age_seconds", {})').toBe(0);
    expect(valueOf(samples, "edgehook_breaker_state", { destination: "ok", state: "closed" }), 'valueOf(samples, "edgehook_breaker_state", { destination: "ok", state: "closed" })').toBe(1);
    expect(valueOf(samples, "edgehook_breaker_state", { destination: "ok", state: "open" }), 'valueOf(samples, "edgehook_breaker_state", { destination: "ok", state: "open" })').toBe(0);
    expect(valueOf(samples, "edgehook_destination_paused", { destination: "ok" }), 'valueOf(samples, "edgehook_destination_paused", { destination: "ok" })').toBe(0);
    expect(valueOf(samples, "edgehook_tasks_parked", { destination: "ok" }), 'valueOf(samples, "edgehook_tasks_parked", { destination: "ok" })').toBe(0);
  });
});

describe("GET /api/v1/stats", () => {
  it("reports the SLIs of this file's traffic, each saying whether exact or aggregated", async () => {
    interface Window {
      accepted: number;
      acceptedPerSecond: number;
      duplicateRate: number | null;
      retryRate: number | null;
      rejectedByReason: Record<string, number>;
      destinations: Record<string, { attempts: number; rate4xx: number; rate5xx: number }>;
      timeToFirstDeliverySeconds: { p50: number | null; p95: number | null; p99: number | null };
      estimatedCostPerMillion: number | null;
      tasks: Record<string, number>;
    }
    const stats = await apiJson<{ windows: Record<string, Window>; backlog: { pending: number; oldestPendingAgeSeconds: number }; dead: number; figures: Record<string, string> }>("/v1/stats", 200);
    const w = stats.windows["1h"]!;
    // Earlier tests: stripe (1 accepted + 1 duplicate), sw and doomed (1 each) → 3 accepted, 1 duplicate.
    expect(w.accepted).toBe(3);
    expect(w.acceptedPerSecond).toBeCloseTo(3 / 3600, 9);
    expect(w.duplicateRate).toBeCloseTo(1 / 3, 9);
    expect(w.rejectedByReason).toEqual({ signature_invalid: 200, signature_missing: 1, source_unknown: 2 });
    // Attempts: stripe→ok, sw→ok, rejects ×1, always500 ×3 = 6, of which 2 after a task's first.
    expect(w.retryRate).toBeCloseTo(2 / 6, 9);
    expect(w.destinations.rejects).toEqual({ attempts: 1, rate4xx: 1, rate5xx: 0 });
    expect(w.destinations.always500).toEqual({ attempts: 3, rate4xx: 0, rate5xx: 1 });
    expect(w.destinations.ok).toEqual({ attempts: 2, rate4xx: 0, rate5xx: 0 });
    expect(w.timeToFirstDeliverySeconds.p50).not.toBeNull();
    expect(w.timeToFirstDeliverySeconds.p50!).toBeGreaterThanOrEqual(0);
    expect(w.timeToFirstDeliverySeconds.p99!).toBeGreaterThanOrEqual(w.timeToFirstDeliverySeconds.p50!);
    expect(w.estimatedCostPerMillion).toBeGreaterThan(0);
    expect(stats.backlog).toEqual({ pending: 0, oldestPendingAgeSeconds: 0 });
    expect(stats.dead).toBe(2);
    expect(stats.figures.retryRate).toMatch(/^exact/);
    expect(stats.figures.duplicateRate).toMatch(/^aggregated/);
    expect(stats.figures.estimatedCostPerMillion).toMatch(/^estimate/);
  });
});
