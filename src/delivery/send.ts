/** One outbound HTTP attempt: the original body, Standard Webhooks headers, no redirects, bounded reads. */
import type { RuntimeDestination } from "../config";
import type { Delivery } from "../ledger";
import type { ListenEnv } from "../listen";
import { forwardedValue, headerSafe } from "../shared/header";
import type { AttemptResult } from "./classify";
import { signStandardWebhook } from "./sign";

/** Response bytes kept for the attempt log. */
export const SNIPPET_BYTES = 512;

/**
 * Longest wait for the snippet once the status has arrived (and never past the attempt's timeout):
 * the status decides the attempt, so a slow or endless body only shortens the snippet.
 */
export const SNIPPET_WAIT_MS = 1_000;

const USER_AGENT = "Edgehook/0.1";

/** Standard Webhooks headers for a body: `webhook-id`, `webhook-timestamp`, `webhook-signature`. */
export async function signHeaders(headers: Headers, destination: RuntimeDestination, webhookId: string, body: Uint8Array, now: number): Promise<Headers> {
  const timestamp = Math.floor(now / 1000);
  headers.set("webhook-id", webhookId);
  headers.set("webhook-timestamp", String(timestamp));
  headers.set("webhook-signature", await signStandardWebhook(destination.signingSecrets, webhookId, timestamp, body));
  headers.set("user-agent", USER_AGENT);
  return headers;
}

/**
 * Build the outbound headers for one single-event attempt. Source, type and id may hold any
 * character: their headers carry them percent-encoded (headerSafe, docs/delivery.md).
 */
export async function outboundHeaders(destination: RuntimeDestination, delivery: Delivery, attempt: number, now: number): Promise<Headers> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(delivery.headers)) headers.set(name, forwardedValue(value));
  if (!headers.has("content-type")) headers.set("content-type", "application/json");
  headers.set("edgehook-source", headerSafe(delivery.source));
  headers.set("edgehook-event-type", headerSafe(delivery.eventType));
  headers.set("edgehook-event-id", headerSafe(delivery.eventId));
  headers.set("edgehook-attempt", String(attempt));
  return signHeaders(headers, destination, delivery.webhookId, delivery.payload, now);
}

/** What a snippet read gets when its wait ends: a symbol, so no body text (not even "timeout") is taken for it. */
const TIMED_OUT = Symbol("snippet wait ended");

/** Resolves with `fallback` after `ms` (the timer is cleared by `done`). */
function after<T>(ms: number, fallback: T): { promise: Promise<T>; done: () => void } {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const promise = new Promise<T>((resolve) => (timer = setTimeout(() => resolve(fallback), Math.max(0, ms))));
  return { promise, done: () => timer !== null && clearTimeout(timer) };
}

/**
 * Read at most `limit` bytes of a body within `waitMs`, then cancel the rest. Never throws: a body
 * that stalls, ends early or breaks gives what arrived so far (`complete` false).
 */
async function readHead(response: Response, limit: number, waitMs: number): Promise<{ bytes: Uint8Array; complete: boolean }> {
  if (!response.body) return { bytes: new Uint8Array(0), complete: true };
  const deadline = after(waitMs, TIMED_OUT);
  const chunks: Uint8Array[] = [];
  let size = 0;
  let complete = false;
  try {
    // A declared length within the limit bounds an uncompressed read by itself: one read instead of
    // a reader loop and a cancel (the common small acknowledgement; ~0.06 ms of CPU per attempt here).
    const length = response.headers.get("content-length");
    if (length !== null && /^\d{1,6}$/.test(length) && Number(length) <= limit && !response.headers.has("content-encoding")) {
      const whole = response.arrayBuffer();
      const first = await Promise.race([whole, deadline.promise]);
      if (first !== TIMED_OUT) return { bytes: new Uint8Array(first), complete: true };
      whole.catch(() => {}); // abandoned: the attempt's signal ends it
      return { bytes: new Uint8Array(0), complete: false };
    }
    const reader = response.body.getReader();
    try {
      while (size < limit) {
        const next = await Promise.race([reader.read(), deadline.promise]);
        if (next === TIMED_OUT) break;
        if (next.done) {
          complete = true;
          break;
        }
        chunks.push(next.value);
        size += next.value.byteLength;
      }
    } finally {
      reader.cancel().catch(() => {}); // not awaited: a stalled peer must not hold the attempt
    }
  } catch {
    // The body broke after the status arrived: keep what was read.
  } finally {
    deadline.done();
  }
  const bytes = new Uint8Array(Math.min(size, limit));
  let offset = 0;
  for (const chunk of chunks) {
    const take = Math.min(chunk.byteLength, bytes.length - offset);
    bytes.set(chunk.subarray(0, take), offset);
    offset += take;
  }
  return { bytes, complete: complete && size <= limit };
}

/**
 * Response bytes read for a destination with `callback` or `failureCallback`: the callback event
 * carries at most this much of the response body (docs/workflows.md).
 */
export const CALLBACK_BODY_BYTES = 64 * 1024;

/** Response headers a callback event carries (an allow-list: cookies and auth never travel on). */
export const CALLBACK_RESPONSE_HEADERS = ["content-type", "content-language", "etag", "last-modified", "location", "retry-after", "x-request-id"] as const;

/** Does a destination's response feed a callback event (so its body is read further than the snippet)? */
function capturesResponse(destination: RuntimeDestination): boolean {
  return destination.config.callback !== undefined || destination.config.failureCallback !== undefined;
}

/**
 * POST signed bytes to a destination: no redirects, a timeout, a bounded read; failures are values.
 * Once a status arrives it decides the attempt: the body read after it can shorten the snippet
 * but never turn a 2xx into a timeout (and so into a second delivery).
 */
export async function postSigned(destination: RuntimeDestination, headers: Headers, body: Uint8Array, started: number, url = destination.config.url): Promise<AttemptResult> {
  const { timeoutMs } = destination.config;
  if (url === undefined) return unbuildable(new Error("the destination has no url"), started);
  let response: Response;
  try {
    const init = { method: "POST", headers, body, redirect: "manual", signal: AbortSignal.timeout(timeoutMs) } as const;
    // mTLS: the [[mtls_certificates]] binding's fetch presents the client certificate (docs/operate.md).
    response = await (destination.fetcher ? destination.fetcher.fetch(url, init) : fetch(url, init));
  } catch (error) {
    const name = (error as Error)?.name;
    const transportError = name === "TimeoutError" || name === "AbortError" ? "timeout" : "network";
    return { status: 0, latencyMs: Date.now() - started, transportError, snippet: String((error as Error)?.message ?? error).slice(0, SNIPPET_BYTES) };
  }
  const capture = capturesResponse(destination);
  const head = await readHead(response, capture ? CALLBACK_BODY_BYTES : SNIPPET_BYTES, Math.min(SNIPPET_WAIT_MS, timeoutMs - (Date.now() - started)));
  const snippet = new TextDecoder().decode(head.bytes.subarray(0, SNIPPET_BYTES));
  const result: AttemptResult = { status: response.status, latencyMs: Date.now() - started, retryAfter: response.headers.get("retry-after"), snippet };
  if (!capture) return result;
  const kept: Record<string, string> = {};
  for (const name of CALLBACK_RESPONSE_HEADERS) {
    const value = response.headers.get(name);
    if (value !== null) kept[name] = value;
  }
  return { ...result, response: { headers: kept, body: head.bytes, truncated: !head.complete } };
}

/**
 * The result of an attempt whose request could not even be built (a stored value no header can
 * carry, a key that cannot sign): retrying cannot help, so it is final (`undeliverable`).
 */
export function unbuildable(error: unknown, started: number): AttemptResult {
  return { status: 0, latencyMs: Date.now() - started, transportError: "undeliverable", snippet: `the request could not be built: ${String(error)}`.slice(0, SNIPPET_BYTES) };
}

/**
 * POST one event (as received, or as its transform shaped it, to `url`) with its Standard Webhooks
 * signature (a listen destination: to its CLI, src/listen).
 */
export async function sendDelivery(destination: RuntimeDestination, delivery: Delivery, attempt: number, env: ListenEnv, url = destination.config.url): Promise<AttemptResult> {
  const started = Date.now();
  let headers: Headers;
  try {
    headers = await outboundHeaders(destination, delivery, attempt, started);
  } catch (error) {
    return unbuildable(error, started);
  }
  if (destination.config.kind === "listen") {
    // Loaded when needed: the listen face carries a Durable Object class, which only workerd can load
    // (the unit tests import this file in node).
    const { sendToListener } = await import("../listen");
    return sendToListener(env, destination, headers, delivery.payload, started);
  }
  return postSigned(destination, headers, delivery.payload, started, url);
}
