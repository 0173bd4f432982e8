/** Identify an event: preset defaults, config overrides, and the SHA-256 fallback for the id. */
import type { Extractor, RuntimeSource } from "../config";
import type { Identity } from "../providers";
import { sha256Hex } from "../shared/bytes";
import { asString, getExactPath, jsonText, toMillis } from "../shared/json";

/** Longest accepted event id (ids name ledger objects). */
export const MAX_EVENT_ID_LENGTH = 512;

/** A complete identity, or why none could be made. */
export type IdentifyResult =
  /** `providerEventId`: the provider's own id, when `dedupe = "content"` made the event id the body hash. */
  | { ok: true; eventId: string; eventType: string; orderingKey: string | null; occurredAt: number; providerEventId?: string }
  | { ok: false; message: string };

function extract(extractor: Extractor, headers: Headers, json: unknown, text: () => string): unknown {
  return "header" in extractor ? headers.get(extractor.header) ?? undefined : getExactPath(json, extractor.path, text);
}

/**
 * Identify a verified request. Config overrides win over the preset; a configured id extractor that
 * finds nothing is an error (payload_malformed); otherwise the id falls back to SHA-256 of the body
 * (`bodySha256`, when the caller already has it).
 */
export async function identify(source: RuntimeSource, headers: Headers, body: Uint8Array, json: unknown, receivedAt: number, bodySha256?: string): Promise<IdentifyResult> {
  // Decoded only if a number is read, so `9007199254740993` and `1e21` keep their exact digits.
  let decoded: string | undefined;
  const text = () => (decoded ??= jsonText(body));
  const preset: Identity = source.preset.identify({ headers, json, text });
  const { config } = source;
  const idExtractor = config.eventId ?? (config.scheme?.idHeader ? { header: config.scheme.idHeader } : undefined);

  let eventId = idExtractor ? asString(extract(idExtractor, headers, json, text)) : preset.eventId;
  if (idExtractor && eventId === undefined) {
    const where = "header" in idExtractor ? `header ${idExtractor.header}` : `body field ${idExtractor.path}`;
    return { ok: false, message: `the event id was not found in the ${where} configured for this source` };
  }
  const contentId = eventId === undefined || config.dedupe === "content" ? `sha256:${bodySha256 ?? (await sha256Hex(body))}` : undefined;
  // dedupe = "content": the body hash is the id (a re-sent body is a duplicate whatever id it carries); the provider's id is kept beside it.
  const providerEventId = config.dedupe === "content" && eventId !== undefined && eventId !== contentId ? eventId : undefined;
  eventId = contentId ?? eventId!;
  if (eventId.length > MAX_EVENT_ID_LENGTH || (providerEventId?.length ?? 0) > MAX_EVENT_ID_LENGTH) {
    return { ok: false, message: `the event id is longer than ${MAX_EVENT_ID_LENGTH} characters` };
  }

  const eventType = (config.eventType ? asString(extract(config.eventType, headers, json, text)) : preset.eventType) ?? asString(getExactPath(json, "type", text)) ?? "unknown";
  const orderingKey = (config.orderingKey ? asString(extract(config.orderingKey, headers, json, text)) : preset.orderingKey) ?? null;
  const occurredAt = (config.occurredAt ? toMillis(extract(config.occurredAt, headers, json, text)) : preset.occurredAt) ?? receivedAt;
  return { ok: true, eventId, eventType, orderingKey, occurredAt, ...(providerEventId !== undefined ? { providerEventId } : {}) };
}
