import { describe, expect, it } from "vitest";
import { backoffSeconds, classifyResponse, MAX_QUEUE_DELAY_SECONDS, parseRetryAfter } from "../../src/delivery/classify";

const policy = { maxAttempts: 5, baseSeconds: 10, capSeconds: 300 };
const now = Date.parse("2026-11-23T12:00:00Z");

describe("classifyResponse", () => {
  it.each([200, 201, 202, 204, 299])("%i is delivered", (status) => {
    expect(classifyResponse({ status, latencyMs: 5 }, 1, policy, now, 0.5)).toEqual({ kind: "delivered" });
  });

  it.each([408, 429, 500, 502, 503, 504])("%i is retried while attempts remain", (status) => {
    const d = classifyResponse({ status, latencyMs: 5 }, 1, policy, now, 1);
    expect(d).toEqual({ kind: "retry", delaySeconds: 10, error: `http_${status}` });
  });

  it.each(["timeout", "network", "no_listener"] as const)("a %s error is retried", (transportError) => {
    const d = classifyResponse({ status: 0, latencyMs: 2000, transportError }, 2, policy, now, 1);
    expect(d).toEqual({ kind: "retry", delaySeconds: 20, error: transportError });
  });

  it("410 Gone pauses the destination instead of killing the task", () => {
    expect(classifyResponse({ status: 410, latencyMs: 5 }, 15, policy, now, 0.5)).toEqual({ kind: "pause", error: "http_410" });
  });

  it.each([400, 401, 403, 404, 413, 422])("%i is dead at once (retrying cannot help)", (status) => {
    expect(classifyResponse({ status, latencyMs: 5 }, 1, policy, now, 0.5)).toEqual({ kind: "dead", error: `http_${status}` });
  });

  it("a redirect is dead: redirects are never followed", () => {
    expect(classifyResponse({ status: 301, latencyMs: 5 }, 1, policy, now, 0.5)).toEqual({ kind: "dead", error: "redirect" });
  });

  it("a retryable failure on the last attempt is dead, naming the cause", () => {
    expect(classifyResponse({ status: 503, latencyMs: 5 }, 5, policy, now, 0.5)).toEqual({ kind: "dead", error: "http_503_attempts_exhausted" });
  });

  it("Retry-After in seconds replaces the backoff", () => {
    const d = classifyResponse({ status: 503, latencyMs: 5, retryAfter: "42" }, 1, policy, now, 0);
    expect(d).toEqual({ kind: "retry", delaySeconds: 42, error: "http_503" });
  });

  it("Retry-After as an HTTP date is measured from now", () => {
    const at = new Date(now + 90_000).toUTCString();
    const d = classifyResponse({ status: 429, latencyMs: 5, retryAfter: at }, 1, policy, now, 0);
    expect(d).toEqual({ kind: "retry", delaySeconds: 90, error: "http_429" });
  });

  it("Retry-After is capped by the policy", () => {
    const d = classifyResponse({ status: 429, latencyMs: 5, retryAfter: "999999" }, 1, policy, now, 0);
    expect(d).toMatchObject({ kind: "retry", delaySeconds: 300 });
  });

  it("an unparseable Retry-After falls back to the backoff", () => {
    const d = classifyResponse({ status: 503, latencyMs: 5, retryAfter: "soon" }, 3, policy, now, 1);
    expect(d).toMatchObject({ kind: "retry", delaySeconds: 40 });
  });
});

describe("backoffSeconds", () => {
  it("grows exponentially up to the cap, scaled by the jitter draw", () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((a) => backoffSeconds(a, policy, 1))).toEqual([10, 20, 40, 80, 160, 300, 300]);
    expect(backoffSeconds(4, policy, 0.5)).toBe(40);
    expect(backoffSeconds(4, policy, 0)).toBe(0);
  });

  it("never exceeds the queue's longest delay, even for huge attempts and caps", () => {
    const wide = { maxAttempts: 100, baseSeconds: 86_400, capSeconds: 86_400 };
    expect(backoffSeconds(100, wide, 1)).toBe(MAX_QUEUE_DELAY_SECONDS);
  });

  it("default policy spans about three days in expectation (Standard Webhooks-like horizon)", () => {
    const defaults = { maxAttempts: 15, baseSeconds: 60, capSeconds: 86_400 };
    let total = 0;
    for (let a = 1; a < defaults.maxAttempts; a++) total += backoffSeconds(a, defaults, 0.5);
    expect(total / 86_400).toBeGreaterThan(2);
    expect(total / 86_400).toBeLessThan(3);
  });
});

describe("parseRetryAfter", () => {
  it("parses seconds and dates, rejects junk", () => {
    expect(parseRetryAfter("120", now)).toBe(120);
    expect(parseRetryAfter(new Date(now - 5000).toUTCString(), now)).toBe(0);
    expect(parseRetryAfter("-1", now)).toBeNull();
    expect(parseRetryAfter("", now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });
});
