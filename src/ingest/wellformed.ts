/**
 * Identity text must be well-formed Unicode: a lone surrogate cannot be stored or signed faithfully
 * (UTF-8 turns every one into U+FFFD), so two different ids would share one webhook-id and one would
 * be lost as a "duplicate" at the destination. Such events are refused before anything is stored.
 */

/** In `u` mode a surrogate range matches only unpaired surrogates. */
const LONE_SURROGATE = /[\ud800-\udfff]/u;

/** The identity fields an ingest request produced. */
interface IdentityText {
  eventId: string;
  eventType: string;
  orderingKey: string | null;
}

/** Why an identity cannot be stored faithfully, or null when it can (control characters are fine: headers encode them). */
export function identityProblem(identity: IdentityText): string | null {
  const fields: [string, string | null][] = [["event id", identity.eventId], ["event type", identity.eventType], ["ordering key", identity.orderingKey]];
  for (const [name, value] of fields) {
    if (value !== null && LONE_SURROGATE.test(value)) return `the ${name} holds an unpaired UTF-16 surrogate (ill-formed Unicode), which cannot be stored faithfully`;
  }
  return null;
}
