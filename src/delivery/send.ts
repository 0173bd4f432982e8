/** One outbound HTTP attempt: the original body, Standard Webhooks headers, no redirects, bounded reads. */
import type { RuntimeDestination } from "../config";
import type { Delivery } from "../ledger";
import type { AttemptResult } from "./classify";
import { signStandardWebhook } from "./sign";

/** Response bytes kept for the attempt log. */
export const SNIPPET_BYTES = 512;

/** Build the outbound headers for one attempt. */
export async function outboundHeaders(destination: RuntimeDestination, delivery: Delivery, attempt: number, now: number): Promise<Headers> {
  const headers = new Headers(delivery.headers);
  if (!headers.has("content-type")) headers.set("content-type", "application/json");
  const timestamp = Math.floor(now / 1000);
  headers.set("webhook-id", delivery.webhookId);
  headers.set("webhook-timestamp", String(timestamp));
  headers.set("webhook-signature", await signStandardWebhook(destination.secretValue, delivery.webhookId, timestamp, delivery.payload));
  headers.set("edgehook-source", delivery.source);
  headers.set("edgehook-event-type", delivery.eventType);
  headers.set("edgehook-event-id", delivery.eventId);
  headers.set("edgehook-attempt", String(attempt));
  headers.set("user-agent", "Edgehook/0.1 (+https://github.com/edgehook/edgehook)");
  return headers;
}

/** Read at most `limit` bytes of a body as text, then cancel the rest. */
async function readSnippet(response: Response, limit: number): Promise<string> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  const bytes = new Uint8Array(Math.min(size, limit));
  let offset = 0;
  for (const chunk of chunks) {
    const take = Math.min(chunk.byteLength, bytes.length - offset);
    bytes.set(chunk.subarray(0, take), offset);
    offset += take;
  }
  return new TextDecoder().decode(bytes);
}

/** POST one delivery; transport failures become values, never exceptions. */
export async function sendDelivery(destination: RuntimeDestination, delivery: Delivery, attempt: number): Promise<AttemptResult> {
  const started = Date.now();
  const headers = await outboundHeaders(destination, delivery, attempt, started);
  try {
    const response = await fetch(destination.config.url, {
      method: "POST",
      headers,
      body: delivery.payload,
      redirect: "manual",
      signal: AbortSignal.timeout(destination.config.timeoutMs),
    });
    const snippet = await readSnippet(response, SNIPPET_BYTES);
    return { status: response.status, latencyMs: Date.now() - started, retryAfter: response.headers.get("retry-after"), snippet };
  } catch (error) {
    const name = (error as Error)?.name;
    const transportError = name === "TimeoutError" || name === "AbortError" ? "timeout" : "network";
    return { status: 0, latencyMs: Date.now() - started, transportError, snippet: String((error as Error)?.message ?? error).slice(0, SNIPPET_BYTES) };
  }
}
