/** Pure parts of the metrics stage: the tally's caps and series keys, the exposition, the alert signals. */
import { describe, expect, it } from "vitest";
// Inner modules: the face also exports the Durable Object class, which needs workerd.
import { labelText, renderExposition } from "../../src/metrics/exposition";
import { INGEST_COUNTER } from "../../src/metrics/ingest";
import { authFailureSignals } from "../../src/metrics/signals";
import { BUCKETS_SECONDS, SAMPLES_PER_WINDOW, seriesKey, Tally, type RejectSample } from "../../src/metrics/tally";

const sample = (source: string, i: number): RejectSample => ({ at: i, source, code: "signature_invalid", hint: "h", headerNames: ["content-type"], bodyBytes: 2, bodySha256: "x", clientIp: null, country: null });

describe("Tally", () => {
  it("counts by minute, caps samples per source per window, and starts empty again after take()", () => {
    const t = new Tally();
    expect(t.empty).toBe(true);
    for (let i = 0; i < 1000; i++) t.count(INGEST_COUNTER, { source: "s", result: "rejected", reason: "signature_invalid" }, 60_000 * 10 + i);
    t.count(INGEST_COUNTER, { result: "rejected", source: "s", reason: "signature_invalid" }, 60_000 * 11);
    for (let i = 0; i < 20; i++) t.sample(sample("s", i));
    for (let i = 0; i < 3; i++) t.sample(sample("other", i));
    const d = t.take();
    // Label order does not make another series.
    expect(Object.keys(d.counters)).toEqual([seriesKey(INGEST_COUNTER, { reason: "signature_invalid", result: "rejected", source: "s" })]);
    expect(Object.values(d.counters)[0]).toEqual({ 10: 1000, 11: 1 });
    expect(d.samples.filter((s) => s.source === "s")).toHaveLength(SAMPLES_PER_WINDOW);
    expect(d.samples.filter((s) => s.source === "other")).toHaveLength(3);
    expect(t.empty).toBe(true);
    expect(t.wantsSample("s")).toBe(true);
  });

  it("puts a failed flush back without losing counts", () => {
    const t = new Tally();
    t.count("c", { a: "1" }, 0);
    t.observe("h", {}, 0.3);
    const d = t.take();
    t.count("c", { a: "1" }, 0, 2);
    t.restore(d);
    const again = t.take();
    expect(Object.values(again.counters)[0]).toEqual({ 0: 3 });
    expect(Object.values(again.histograms)[0]!.count).toBe(1);
  });
});

describe("renderExposition", () => {
  it("renders counters, cumulative histogram buckets and gauges with HELP and TYPE, escaping label values", () => {
    const t = new Tally();
    t.count(INGEST_COUNTER, { source: 'we"ird\\src\n', result: "accepted", reason: "" }, 0, 3);
    t.observe("edgehook_delivery_latency_seconds", { destination: "d" }, 0.07);
    t.observe("edgehook_delivery_latency_seconds", { destination: "d" }, 4000);
    const d = t.take();
    const totals = Object.fromEntries(Object.entries(d.counters).map(([k, v]) => [k, Object.values(v).reduce((a, b) => a + b, 0)]));
    const text = renderExposition({ totals, histograms: d.histograms, windows: {} }, { pending: 2, oldestPendingAgeSeconds: 61, dead: 1, destinations: [{ destination: "d", breaker: "open", paused: false, parked: 0 }] });
    expect(text).toContain("# TYPE edgehook_ingest_requests_total counter\n");
    expect(text).toContain('edgehook_ingest_requests_total{result="accepted",source="we\\"ird\\\\src\\n"} 3\n');
    expect(text).toContain('edgehook_delivery_latency_seconds_bucket{destination="d",le="0.05"} 0\n');
    expect(text).toContain('edgehook_delivery_latency_seconds_bucket{destination="d",le="0.1"} 1\n');
    expect(text).toContain(`edgehook_delivery_latency_seconds_bucket{destination="d",le="${BUCKETS_SECONDS.at(-1)}"} 1\n`);
    expect(text).toContain('edgehook_delivery_latency_seconds_bucket{destination="d",le="+Inf"} 2\n');
    expect(text).toContain('edgehook_delivery_latency_seconds_count{destination="d"} 2\n');
    expect(text).toContain("\nedgehook_tasks_pending 2\n");
    expect(text).toContain("\nedgehook_oldest_pending_age_seconds 61\n");
    expect(text).toContain('edgehook_breaker_state{destination="d",state="open"} 1\n');
    expect(text).toContain('edgehook_breaker_state{destination="d",state="closed"} 0\n');
    expect(text.endsWith("\n")).toBe(true);
    // A figure whose source is unavailable is left out, not reported as 0.
    expect(renderExposition({ totals: {}, histograms: {}, windows: {} }, { pending: null, oldestPendingAgeSeconds: null, dead: null, destinations: [] })).not.toContain("edgehook_tasks_pending");
  });

  it("leaves empty labels out", () => {
    expect(labelText({ b: "2", a: "", c: "x" })).toBe('{b="2",c="x"}');
    expect(labelText({ a: "" })).toBe("");
  });
});

describe("authFailureSignals", () => {
  it("sums the 401 family per source with its most frequent reason, and ignores other rejects", () => {
    const t = new Tally();
    const reject = (source: string, reason: string, n: number) => t.count(INGEST_COUNTER, { source, result: "rejected", reason }, 0, n);
    reject("stripe", "signature_invalid", 7);
    reject("stripe", "timestamp_out_of_tolerance", 2);
    reject("stripe", "payload_too_large", 50);
    reject("github", "signature_missing", 1);
    reject("(unknown)", "source_unknown", 9);
    t.count(INGEST_COUNTER, { source: "stripe", result: "accepted", reason: "" }, 0, 5);
    expect(authFailureSignals(t.take(), 123)).toEqual([
      { kind: "auth_failures", source: "github", count: 1, reason: "signature_missing", at: 123 },
      { kind: "auth_failures", source: "stripe", count: 9, reason: "signature_invalid", at: 123 },
    ]);
  });
});
