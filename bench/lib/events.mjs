/**
 * Signed Stripe-style events of a fixed size for benchmarks and soak runs (node:crypto: signing is
 * the load generator's work, not the server's).
 */
import { createHmac } from "node:crypto";
import { BENCH_SECRETS } from "./secrets.mjs";

const PAD = "x".repeat(4096);

/**
 * One event body of exactly `bytes` bytes (≥ 256) with the given id; `sentAt` lets the sink measure
 * end-to-end latency from the verbatim body it receives.
 */
export function eventBody(id, bytes = 1024, sentAt = Date.now()) {
  const base = { id, object: "event", type: "payment_intent.succeeded", created: Math.floor(sentAt / 1000), bench_sent_at: sentAt, data: { object: { id: `pi_${id}`, amount: 2000, currency: "usd" } }, pad: "" };
  const without = Buffer.byteLength(JSON.stringify(base));
  let pad = bytes - without;
  if (pad < 0) throw new Error(`event of ${bytes} bytes is too small`);
  let text = "";
  while (pad > 0) {
    const piece = PAD.slice(0, Math.min(pad, PAD.length));
    text += piece;
    pad -= piece.length;
  }
  return JSON.stringify({ ...base, pad: text });
}

/** Stripe-Signature header for `body` (t=…,v1=hex HMAC-SHA256 of "t.body"). */
export function stripeSignature(body, secret = BENCH_SECRETS.STRIPE_WEBHOOK_SECRET, t = Math.floor(Date.now() / 1000)) {
  const v1 = createHmac("sha256", secret).update(`${t}.`).update(body).digest("hex");
  return `t=${t},v1=${v1}`;
}

/** A ready-to-send signed request; `valid: false` signs with a wrong secret. */
export function signedEvent(id, { bytes = 1024, valid = true } = {}) {
  const body = eventBody(id, bytes);
  const signature = stripeSignature(body, valid ? BENCH_SECRETS.STRIPE_WEBHOOK_SECRET : "whsec_not_the_right_secret");
  return { body, headers: { "content-type": "application/json", "stripe-signature": signature } };
}
