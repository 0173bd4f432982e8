/**
 * The naive card: the shortest honest worker of Edgehook's shape. Verify one Stripe signature,
 * one Durable Object per event id doing get-then-put, one queue send, a consumer that fetches the
 * destination. No outbox, no re-drive, no per-destination policy, no admin surface: what the
 * features cost is Edgehook's figure minus this one.
 */
import { DurableObject } from "cloudflare:workers";

interface CardEnv {
  SEEN: DurableObjectNamespace<Seen>;
  QUEUE: Queue<{ id: string; body: string }>;
  STRIPE_WEBHOOK_SECRET: string;
  DEST_URL: string;
}

/** One object per event id: get-then-put with no I/O between is race-free (input gate). */
export class Seen extends DurableObject {
  async claim(): Promise<boolean> {
    if (await this.ctx.storage.get("seen")) return false;
    await this.ctx.storage.put("seen", Date.now());
    return true;
  }
}

const encoder = new TextEncoder();
let key: Promise<CryptoKey> | undefined;

function fromHex(hex: string): Uint8Array | null {
  if (!/^[0-9a-f]{64}$/.test(hex)) return null;
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

async function verify(header: string | null, body: ArrayBuffer, secret: string): Promise<boolean> {
  if (!header) return false;
  const parts = new Map(header.split(",").map((p) => p.split("=", 2) as [string, string]));
  const t = Number(parts.get("t"));
  const sig = fromHex(parts.get("v1") ?? "");
  if (!sig || !Number.isFinite(t) || Math.abs(Date.now() / 1000 - t) > 300) return false;
  key ??= crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
  const prefix = encoder.encode(`${t}.`);
  const signed = new Uint8Array(prefix.byteLength + body.byteLength);
  signed.set(prefix);
  signed.set(new Uint8Array(body), prefix.byteLength);
  return crypto.subtle.verify("HMAC", await key, sig, signed);
}

export default {
  async fetch(request, env) {
    if (request.method !== "POST") return new Response(null, { status: 405 });
    const body = await request.arrayBuffer();
    if (!(await verify(request.headers.get("stripe-signature"), body, env.STRIPE_WEBHOOK_SECRET))) {
      return Response.json({ error: "signature_invalid" }, { status: 401 });
    }
    const text = new TextDecoder().decode(body);
    const id = (JSON.parse(text) as { id?: string }).id;
    if (typeof id !== "string") return Response.json({ error: "payload_malformed" }, { status: 400 });
    const fresh = await env.SEEN.get(env.SEEN.idFromName(id)).claim();
    if (!fresh) return Response.json({ status: "duplicate", id }, { status: 200 });
    await env.QUEUE.send({ id, body: text });
    return Response.json({ status: "accepted", id }, { status: 202 });
  },
  async queue(batch, env) {
    for (const message of batch.messages) {
      const res = await fetch(env.DEST_URL, { method: "POST", headers: { "content-type": "application/json", "webhook-id": message.body.id }, body: message.body.body });
      if (res.ok) message.ack();
      else message.retry();
    }
  },
} satisfies ExportedHandler<CardEnv, { id: string; body: string }>;
