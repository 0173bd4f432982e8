/**
 * Signed test events: a synthetic event signed with the source's own (first) secret exactly as its
 * provider would, then sent through the real ingest path — verification, ledger, delivery — so an
 * operator can check a source end to end. Supported for the presets whose signature the gateway can
 * produce from a shared secret; others answer 422 (use `npm run send` with the provider's key).
 */
import { toBase64, toHex, utf8 } from "../shared/bytes";

/** Presets this module can sign for. */
export const TEST_EVENT_PRESETS = ["standard-webhooks", "stripe", "github"] as const;

/** A request ready to be handed to the ingest app. */
export interface SignedTestEvent {
  eventId: string;
  headers: Record<string, string>;
  body: string;
}

async function hmacSha256(key: Uint8Array, content: string): Promise<Uint8Array> {
  const k = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", k, utf8(content)));
}


/** Standard Webhooks keys are `whsec_` + base64; the raw bytes are the HMAC key. */
function standardKey(secret: string): Uint8Array {
  const raw = atob(secret.startsWith("whsec_") ? secret.slice("whsec_".length) : secret);
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

/**
 * Sign a test event of `type` for `preset` with `secret` at `now`; `null` for an unsupported preset.
 * @example await signTestEvent("stripe", "whsec_…", "edgehook.test", Date.now())
 */
export async function signTestEvent(preset: string, secret: string, type: string, now: number): Promise<SignedTestEvent | null> {
  const seconds = Math.floor(now / 1000);
  const suffix = crypto.randomUUID().replaceAll("-", "");
  const data = { object: "edgehook_test", note: "sent from the Edgehook admin API to check this source end to end" };
  switch (preset) {
    case "standard-webhooks": {
      const eventId = `msg_test_${suffix}`;
      const body = JSON.stringify({ type, timestamp: new Date(now).toISOString(), data });
      const sig = toBase64(await hmacSha256(standardKey(secret), `${eventId}.${seconds}.${body}`));
      return { eventId, body, headers: { "content-type": "application/json", "webhook-id": eventId, "webhook-timestamp": String(seconds), "webhook-signature": `v1,${sig}` } };
    }
    case "stripe": {
      const eventId = `evt_test_${suffix}`;
      const body = JSON.stringify({ id: eventId, object: "event", type, created: seconds, livemode: false, data: { object: data } });
      const sig = toHex(await hmacSha256(utf8(secret), `${seconds}.${body}`));
      return { eventId, body, headers: { "content-type": "application/json", "stripe-signature": `t=${seconds},v1=${sig}` } };
    }
    case "github": {
      const eventId = crypto.randomUUID();
      const body = JSON.stringify({ zen: "Edgehook test event", hook_id: 0, ...data });
      const sig = toHex(await hmacSha256(utf8(secret), body));
      return { eventId, body, headers: { "content-type": "application/json", "x-github-delivery": eventId, "x-github-event": type, "x-hub-signature-256": `sha256=${sig}` } };
    }
    default:
      return null;
  }
}
