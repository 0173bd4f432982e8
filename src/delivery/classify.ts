/** Pure delivery policy: classify an attempt's result and compute the next retry delay. */
import type { RetryPolicy } from "../config";

/** Longest single delay a queue message may carry (Cloudflare Queues: 24 h). */
export const MAX_QUEUE_DELAY_SECONDS = 86_400;

/** What one HTTP attempt produced. `status` is 0 when no response arrived. */
export interface AttemptResult {
  status: number;
  latencyMs: number;
  /**
   * `timeout` or `network` when the transport failed, `no_listener` when a listen destination has no
   * CLI connected (src/listen); `undeliverable` when the request could not
   * even be built from the stored event (final: every attempt would fail the same way).
   */
  transportError?: "timeout" | "network" | "no_listener" | "undeliverable";
  retryAfter?: string | null;
  snippet?: string;
  /** Allow-listed headers and the bounded body, read only for destinations with a callback (send.ts). */
  response?: { headers: Record<string, string>; body: Uint8Array; truncated: boolean };
}

/** What happens to the task next. `error` is the error class recorded in the attempt log. */
export type Decision =
  | { kind: "delivered" }
  | { kind: "retry"; delaySeconds: number; error: string }
  | { kind: "dead"; error: string }
  /** 410 Gone: the endpoint is gone (Standard Webhooks); pause the destination and keep the task. */
  | { kind: "pause"; error: string };

/**
 * Exponential backoff with full jitter: a uniform delay in [0, min(cap, base · 2^(attempt-1))].
 * @example backoffSeconds(3, { maxAttempts: 15, baseSeconds: 60, capSeconds: 86400 }, 0.5) // 120
 */
export function backoffSeconds(attempt: number, policy: RetryPolicy, random: number): number {
  const ceiling = Math.min(policy.capSeconds, policy.baseSeconds * 2 ** Math.min(attempt - 1, 40), MAX_QUEUE_DELAY_SECONDS);
  return Math.round(ceiling * random);
}

/** Parse `Retry-After` (delta seconds or an HTTP date) into seconds from `now`; `null` when absent or invalid. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  // HTTP-date (RFC 9110 §5.6.7) always names a weekday or month; bare numbers like "-1" are junk.
  const at = /[A-Za-z]{3}/.test(trimmed) ? Date.parse(trimmed) : NaN;
  return Number.isFinite(at) ? Math.max(0, Math.ceil((at - now) / 1000)) : null;
}

/** Error class for a non-2xx or failed attempt. */
export function errorClass(result: AttemptResult): string {
  if (result.transportError) return result.transportError;
  if (result.status >= 300 && result.status < 400) return "redirect";
  return `http_${result.status}`;
}

/**
 * Classify an attempt: 2xx delivered; 408, 429, 5xx, timeouts, network errors and no listener retried (Retry-After
 * honoured, capped by the policy) until `maxAttempts`; 410 pauses the destination; redirects, other
 * 4xx and requests that cannot be built are dead (retrying cannot help).
 */
export function classifyResponse(result: AttemptResult, attempt: number, policy: RetryPolicy, now: number, random: number): Decision {
  if (result.status >= 200 && result.status < 300) return { kind: "delivered" };
  const error = errorClass(result);
  if (result.status === 410) return { kind: "pause", error };
  const transient = result.transportError === "timeout" || result.transportError === "network" || result.transportError === "no_listener";
  const retryable = transient || result.status === 408 || result.status === 429 || result.status >= 500;
  if (!retryable) return { kind: "dead", error };
  if (attempt >= policy.maxAttempts) return { kind: "dead", error: `${error}_attempts_exhausted` };
  const retryAfter = parseRetryAfter(result.retryAfter, now);
  const delaySeconds = retryAfter === null
    ? backoffSeconds(attempt, policy, random)
    : Math.min(retryAfter, policy.capSeconds, MAX_QUEUE_DELAY_SECONDS);
  return { kind: "retry", delaySeconds, error };
}
