/**
 * Batching destinations: one POST carrying a JSON array of envelopes, signed once. The batch's
 * `webhook-id` is derived from its members' ids, so a retried batch of the same members keeps it.
 */
import type { RuntimeDestination } from "../config";
import type { Delivery } from "../ledger";
import { toBase64, toBase64Url, utf8 } from "../shared/bytes";
import { tryParseJson } from "../shared/json";
import type { AttemptResult } from "./classify";
import { postSigned, signHeaders, unbuildable } from "./send";

/** One event inside a batch body (docs/delivery.md, "Batch format"). */
export interface BatchEnvelope {
  /** The event's own `webhook-id` at this destination: dedupe on it. */
  id: string;
  source: string;
  eventId: string;
  type: string;
  occurredAt: string;
  headers: Record<string, string>;
  /** The original body parsed as JSON, when it is JSON. */
  payload?: unknown;
  /** Otherwise the original bytes, base64. */
  payloadBase64?: string;
}

/** The envelope of one event. */
export function envelopeOf(delivery: Delivery): BatchEnvelope {
  const json = tryParseJson(delivery.payload);
  return {
    id: delivery.webhookId,
    source: delivery.source,
    eventId: delivery.eventId,
    type: delivery.eventType,
    occurredAt: new Date(delivery.occurredAt).toISOString(),
    headers: delivery.headers,
    ...(json === undefined ? { payloadBase64: toBase64(delivery.payload) } : { payload: json }),
  };
}

/** Stable id of a batch: `batch_` + base64url(SHA-256 of the member ids)[0..18 bytes]. */
export async function batchIdOf(memberIds: readonly string[]): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", utf8(memberIds.join("\n")));
  return `batch_${toBase64Url(new Uint8Array(digest).subarray(0, 18))}`;
}

/** POST a batch of deliveries as one signed JSON array. */
export async function sendBatchDelivery(destination: RuntimeDestination, deliveries: readonly Delivery[], attempt: number): Promise<AttemptResult> {
  const started = Date.now();
  const body = utf8(JSON.stringify(deliveries.map(envelopeOf)));
  const headers = new Headers({
    "content-type": "application/json",
    "edgehook-batch-size": String(deliveries.length),
    "edgehook-attempt": String(attempt),
  });
  try {
    await signHeaders(headers, destination, await batchIdOf(deliveries.map((d) => d.webhookId)), body, started);
  } catch (error) {
    return unbuildable(error, started);
  }
  return postSigned(destination, headers, body, started);
}
