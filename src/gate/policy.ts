/**
 * Pure per-destination policy: the circuit breaker and the token-bucket rate limit. The
 * DestinationGate object applies these; every function takes `now` and returns new state.
 */

/** Breaker settings for one destination. */
export interface BreakerPolicy {
  /** Consecutive failed attempts that open the breaker. */
  failureThreshold: number;
  /** How long the breaker stays open before one probe is let through. */
  cooldownSeconds: number;
}

/** Rate-limit settings for one destination (both optional). */
export interface RatePolicy {
  perSecond?: number;
  maxConcurrency?: number;
}

/** Breaker state, persisted by the gate. */
export interface BreakerState {
  state: "closed" | "open" | "half-open";
  consecutiveFailures: number;
  /** While open: when the next probe is allowed (ms). */
  retryAt: number | null;
  /** While half-open: the probe's lease; another probe is allowed once it passes. */
  probeUntil: number | null;
}

/** A closed breaker. */
export const CLOSED: BreakerState = { state: "closed", consecutiveFailures: 0, retryAt: null, probeUntil: null };

/** How many attempts the breaker allows now: all (closed), one probe (half-open), none (open, with the wait). */
export function breakerAllowance(b: BreakerState, now: number, probeLeaseMs: number): { allow: number; state: BreakerState; waitMs: number } {
  if (b.state === "closed") return { allow: Number.POSITIVE_INFINITY, state: b, waitMs: 0 };
  if (b.state === "open" && b.retryAt !== null && now < b.retryAt) return { allow: 0, state: b, waitMs: b.retryAt - now };
  // Cool-down over (or a half-open probe whose lease lapsed): let exactly one probe through.
  if (b.state === "half-open" && b.probeUntil !== null && now < b.probeUntil) return { allow: 0, state: b, waitMs: b.probeUntil - now };
  return { allow: 1, state: { ...b, state: "half-open", probeUntil: now + probeLeaseMs }, waitMs: 0 };
}

/**
 * Fold a report into the breaker: all successes close it; failures past the threshold (or a failed
 * probe) open it; a mixed report counts its failures only when they outnumber its successes.
 */
export function breakerRecord(b: BreakerState, result: { successes: number; failures: number }, policy: BreakerPolicy, now: number): BreakerState {
  const open = (): BreakerState => ({ state: "open", consecutiveFailures: b.consecutiveFailures + result.failures, retryAt: now + policy.cooldownSeconds * 1000, probeUntil: null });
  if (b.state === "half-open") {
    if (result.failures > 0) return open();
    return result.successes > 0 ? CLOSED : b;
  }
  if (result.successes > 0 && result.failures === 0) return CLOSED;
  if (result.failures === 0) return b;
  // A report does not say in which order its attempts finished: when successes are at least as
  // many as failures the destination is up (count resets); when failures dominate, they count.
  if (result.successes >= result.failures) return { ...b, consecutiveFailures: 0 };
  const failures = (result.successes > 0 ? 0 : b.consecutiveFailures) + result.failures;
  if (b.state === "closed" && failures >= policy.failureThreshold) return { ...open(), consecutiveFailures: failures };
  return { ...b, consecutiveFailures: failures };
}

/** Token bucket: `tokens` refill at `perSecond`, up to one second's worth (bursts stay within the rate). */
export interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** Take up to `want` tokens; returns how many were granted and how long until the next one. */
export function takeTokens(bucket: Bucket, want: number, perSecond: number, now: number): { granted: number; bucket: Bucket; waitMs: number } {
  const capacity = Math.max(1, perSecond);
  const tokens = Math.min(capacity, bucket.tokens + ((now - bucket.updatedAt) / 1000) * perSecond);
  const granted = Math.max(0, Math.min(want, Math.floor(tokens)));
  const left = tokens - granted;
  const waitMs = granted < want ? Math.ceil(((1 - (left % 1)) / perSecond) * 1000) : 0;
  return { granted, bucket: { tokens: left, updatedAt: now }, waitMs };
}
