/** Logs and metrics of the operator surface: request ids, redaction, audit lines, Analytics Engine points. */
import { env, exports } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { redact, REDACTED, redactFieldsFrom, requestIdOf } from "../../src/observe";
import { writeIndex, type IndexUpdate } from "../../src/search";
import { api, postMany, SECRET_VALUES } from "./admin-helpers";
import { settled } from "./helpers";

afterEach(() => vi.restoreAllMocks());

describe("redaction (pure)", () => {
  const pii = redactFieldsFrom({ LOG_REDACT_FIELDS: "email, Phone" });
  it("redacts configured PII keys at any depth, case-insensitively, and secret-looking keys always", () => {
    const out = redact({ source: "shop", customer: { email: "a@b.c", PHONE: "+1", tags: [{ email: "x@y.z" }] }, authorization: "Bearer x", apiKey: "k", webhookSecret: "s", note: "kept" }, pii);
    expect(out).toEqual({ source: "shop", customer: { email: REDACTED, PHONE: REDACTED, tags: [{ email: REDACTED }] }, authorization: REDACTED, apiKey: REDACTED, webhookSecret: REDACTED, note: "kept" });
  });
  it("defaults to common PII fields when LOG_REDACT_FIELDS is not set", () => {
    expect([...redactFieldsFrom({})]).toEqual(expect.arrayContaining(["email", "phone"]));
  });
  it("keeps a well-formed caller request id, replaces a malformed one", () => {
    expect(requestIdOf(new Headers({ "x-request-id": "req-12345678" }))).toBe("req-12345678");
    expect(requestIdOf(new Headers({ "x-request-id": "bad id {}" }))).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestIdOf(new Headers({ "cf-ray": "8abc123-AMS" }))).toBe("8abc123-AMS");
  });
});

describe("request ids and audit lines", () => {
  it("every admin response carries x-request-id, refusals too; a caller's id is echoed", async () => {
    expect((await api("/v1/events", { token: null })).headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const res = await exports.default.fetch("https://edgehook.test/api/v1/events", { headers: { authorization: `Bearer ${env.ADMIN_TOKEN}`, "x-request-id": "trace-abcdef12" } });
    expect(res.headers.get("x-request-id")).toBe("trace-abcdef12");
    expect((await exports.default.fetch("https://edgehook.test/dashboard/login")).headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("a replay writes one admin_action JSON line with the request id and no secret", async () => {
    const [id] = await postMany("sw", 1);
    await settled("sw", id!);
    const lines: string[] = [];
    const original = console.log;
    vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
      lines.push(args.map(String).join(" "));
      original(...args);
    });
    const res = await exports.default.fetch(`https://edgehook.test/api/v1/events/sw/${id}/replay`, {
      method: "POST",
      headers: { authorization: `Bearer ${env.ADMIN_TOKEN}`, "content-type": "application/json", "x-request-id": "trace-replay-1" },
      body: "{}",
    });
    expect(res.status).toBe(200);
    const audit = lines.map((l) => { try { return JSON.parse(l) as Record<string, unknown>; } catch { return null; } }).filter((l) => l?.msg === "admin_action");
    expect(audit).toEqual([{ msg: "admin_action", action: "replay", requestId: "trace-replay-1", via: "api", source: "sw", eventId: id, replayed: [] }]);
    for (const s of SECRET_VALUES) expect(lines.join("\n")).not.toContain(s);
  });
});

describe("Analytics Engine points", () => {
  const update = (over: Partial<IndexUpdate>): IndexUpdate => ({ source: "shop", eventId: `m-${crypto.randomUUID()}`, eventType: "order.paid", receivedAt: 1, occurredAt: 1, destination: "orders", status: "delivered", attempts: 1, lastStatus: 200, lastError: null, latencyMs: 42, at: Date.now(), ...over });

  it("one point per attempt when METRICS is bound; none for updates without an attempt; none without the binding", async () => {
    const points: AnalyticsEngineDataPoint[] = [];
    const METRICS = { writeDataPoint: (p: AnalyticsEngineDataPoint) => void points.push(p) } as AnalyticsEngineDataset;
    await writeIndex({ EVENT_INDEX: env.EVENT_INDEX, METRICS }, [update({}), update({ status: "pending", latencyMs: null }), update({ status: "dead", lastStatus: 503, latencyMs: 7, attempts: 3 })]);
    expect(points).toEqual([
      { blobs: ["attempt", "shop", "orders", "delivered", "order.paid"], doubles: [42, 1, 200], indexes: ["orders"] },
      { blobs: ["attempt", "shop", "orders", "dead", "order.paid"], doubles: [7, 3, 503], indexes: ["orders"] },
    ]);
    await expect(writeIndex({ EVENT_INDEX: env.EVENT_INDEX }, [update({})])).resolves.toBeUndefined();
  });
});
