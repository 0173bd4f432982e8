import { describe, expect, it } from "vitest";
import { breakerAllowance, breakerRecord, CLOSED, takeTokens, type BreakerState } from "../../src/gate/policy";

const policy = { failureThreshold: 3, cooldownSeconds: 30 };
const t0 = Date.parse("2026-11-23T12:00:00Z");

describe("circuit breaker", () => {
  it("stays closed below the threshold and resets on success", () => {
    let b = breakerRecord(CLOSED, { successes: 0, failures: 2 }, policy, t0);
    expect(b).toMatchObject({ state: "closed", consecutiveFailures: 2 });
    b = breakerRecord(b, { successes: 1, failures: 0 }, policy, t0);
    expect(b).toEqual(CLOSED);
  });

  it("opens after N consecutive failures, even across reports", () => {
    let b = breakerRecord(CLOSED, { successes: 0, failures: 2 }, policy, t0);
    b = breakerRecord(b, { successes: 0, failures: 1 }, policy, t0 + 10);
    expect(b).toEqual({ state: "open", consecutiveFailures: 3, retryAt: t0 + 10 + 30_000, probeUntil: null });
  });

  it("a mixed report where successes hold their own resets the count (30% failures never open it)", () => {
    expect(breakerRecord({ ...CLOSED, consecutiveFailures: 2 }, { successes: 1, failures: 1 }, policy, t0)).toMatchObject({ state: "closed", consecutiveFailures: 0 });
    expect(breakerRecord(CLOSED, { successes: 35, failures: 15 }, policy, t0)).toMatchObject({ state: "closed", consecutiveFailures: 0 });
  });

  it("a mixed report dominated by failures counts them from zero, and may open the breaker", () => {
    expect(breakerRecord({ ...CLOSED, consecutiveFailures: 2 }, { successes: 1, failures: 2 }, policy, t0)).toMatchObject({ state: "closed", consecutiveFailures: 2 });
    expect(breakerRecord(CLOSED, { successes: 1, failures: 4 }, policy, t0)).toMatchObject({ state: "open", consecutiveFailures: 4 });
  });

  it("open: no attempts until the cool-down ends, then exactly one probe", () => {
    const open: BreakerState = { state: "open", consecutiveFailures: 3, retryAt: t0 + 30_000, probeUntil: null };
    expect(breakerAllowance(open, t0 + 29_999, 5000)).toMatchObject({ allow: 0, waitMs: 1 });
    const probe = breakerAllowance(open, t0 + 30_000, 5000);
    expect(probe).toMatchObject({ allow: 1, state: { state: "half-open", probeUntil: t0 + 35_000 } });
    // While the probe is out, nothing else goes.
    expect(breakerAllowance(probe.state, t0 + 31_000, 5000)).toMatchObject({ allow: 0, waitMs: 4000 });
    // A probe whose lease lapsed (its consumer died) allows another.
    expect(breakerAllowance(probe.state, t0 + 35_000, 5000).allow).toBe(1);
  });

  it("half-open: the probe's success closes, its failure re-opens for another cool-down", () => {
    const half: BreakerState = { state: "half-open", consecutiveFailures: 3, retryAt: t0, probeUntil: t0 + 5000 };
    expect(breakerRecord(half, { successes: 1, failures: 0 }, policy, t0 + 100)).toEqual(CLOSED);
    expect(breakerRecord(half, { successes: 0, failures: 1 }, policy, t0 + 100)).toEqual({ state: "open", consecutiveFailures: 4, retryAt: t0 + 30_100, probeUntil: null });
  });

  it("closed allows everything", () => {
    expect(breakerAllowance(CLOSED, t0, 1000).allow).toBe(Number.POSITIVE_INFINITY);
  });
});

describe("token bucket", () => {
  it("grants at most one second's worth at once, then refills at the rate", () => {
    let r = takeTokens({ tokens: 10, updatedAt: t0 }, 50, 10, t0);
    expect(r.granted).toBe(10);
    expect(r.waitMs).toBe(100);
    r = takeTokens(r.bucket, 50, 10, t0 + 500);
    expect(r.granted).toBe(5);
    r = takeTokens(r.bucket, 50, 10, t0 + 10_000);
    expect(r.granted).toBe(10); // capped at capacity
  });

  it("over 30 s of constant demand, grants stay within the rate", () => {
    let bucket = { tokens: 20, updatedAt: t0 };
    let total = 0;
    for (let ms = 0; ms <= 30_000; ms += 250) {
      const r = takeTokens(bucket, 100, 20, t0 + ms);
      total += r.granted;
      bucket = r.bucket;
    }
    expect(total).toBeGreaterThanOrEqual(20 * 30);
    expect(total).toBeLessThanOrEqual(20 * 30 * 1.1);
  });

  it("fractional rates wait for a whole token", () => {
    const r = takeTokens({ tokens: 0, updatedAt: t0 }, 1, 0.5, t0);
    expect(r).toMatchObject({ granted: 0, waitMs: 2000 });
  });
});
