/**
 * Identity text must be well-formed Unicode: a lone surrogate cannot be stored or signed faithfully
 * (UTF-8 turns every one into U+FFFD), so two different ids would share one webhook-id and one would
 * be lost as a "duplicate" at the destination. Such events are refused before anything is stored.
 */

/**
 * Longest event type and ordering key, in UTF-16 units. The type travels in the outbound
 * `edgehook-event-type` header (percent-encoded, up to 9 bytes a character): a 100 KB type would be
 * accepted and then refused by every destination (431), so it is refused here instead.
 */
export const MAX_EVENT_TYPE_LENGTH = 256;
/** Ordering keys name a sequencer object and show on every page; bounded like ids. */
export const MAX_ORDERING_KEY_LENGTH = 512;

/** In `u` mode a surrogate range matches only unpaired surrogates. */
const LONE_SURROGATE = /[\ud800-\udfff]/u;

/** The identity fields an ingest request produced. */
interface IdentityText {
  eventId: string;
  eventType: string;
  orderingKey: string | null;
  providerEventId?: string;
}

/**
 * Why an identity cannot be stored and delivered faithfully, or null when it can (control characters
 * are fine: headers encode them).
 */
export function identityProblem(identity: IdentityText): string | null {
  if (identity.eventType.length > MAX_EVENT_TYPE_LENGTH) return `the event type is longer than ${MAX_EVENT_TYPE_LENGTH} characters (it is sent in a header)`;
  if ((identity.orderingKey?.length ?? 0) > MAX_ORDERING_KEY_LENGTH) return `the ordering key is longer than ${MAX_ORDERING_KEY_LENGTH} characters`;
  const fields: [string, string | null][] = [
    ["event id", identity.eventId],
    ["event type", identity.eventType],
    ["ordering key", identity.orderingKey],
    ["provider event id", identity.providerEventId ?? null],
  ];
  for (const [name, value] of fields) {
    if (value !== null && LONE_SURROGATE.test(value)) return `the ${name} holds an unpaired UTF-16 surrogate (ill-formed Unicode), which cannot be stored faithfully`;
  }
  return null;
}
