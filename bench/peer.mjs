#!/usr/bin/env node
/**
 * The hand-written peer: the receiver most teams write. Express, an HMAC check with node:crypto
 * (Stripe's scheme), Redis `SET NX` for dedupe, Redis Streams as the queue, and a consumer loop in
 * the same process that fetches the destination and XACKs.
 *
 *   node bench/peer.mjs --port <n> --redis <redis://127.0.0.1:port> --dest <url>
 */
import express from "express";
import { createHmac, timingSafeEqual } from "node:crypto";
import { createClient } from "redis";
import { BENCH_SECRETS } from "./lib/secrets.mjs";

const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : fallback);
const secret = BENCH_SECRETS.STRIPE_WEBHOOK_SECRET;
const dest = opt("dest");
const STREAM = "webhooks";
const GROUP = "deliver";

const redis = createClient({ url: opt("redis") });
await redis.connect();
const reader = redis.duplicate();
await reader.connect();
try {
  await redis.xGroupCreate(STREAM, GROUP, "0", { MKSTREAM: true });
} catch {
  // group exists
}

function verify(header, body) {
  if (!header) return false;
  const parts = Object.fromEntries(header.split(",").map((p) => p.split("=", 2)));
  const t = Number(parts.t);
  if (!Number.isFinite(t) || Math.abs(Date.now() / 1000 - t) > 300 || !/^[0-9a-f]{64}$/.test(parts.v1 ?? "")) return false;
  const expected = createHmac("sha256", secret).update(`${t}.`).update(body).digest();
  return timingSafeEqual(expected, Buffer.from(parts.v1, "hex"));
}

const app = express();
app.post("/webhooks/:source", express.raw({ type: "*/*", limit: "2mb" }), async (req, res) => {
  const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  if (!verify(req.get("stripe-signature"), body)) return res.status(401).json({ error: "signature_invalid" });
  let id;
  try {
    id = JSON.parse(body.toString("utf8")).id;
  } catch {
    return res.status(400).json({ error: "payload_malformed" });
  }
  if (typeof id !== "string") return res.status(400).json({ error: "payload_malformed" });
  try {
    const fresh = await redis.set(`seen:${id}`, "1", { NX: true, EX: 7 * 86_400 });
    if (fresh === null) return res.status(200).json({ status: "duplicate", id });
    await redis.xAdd(STREAM, "*", { id, body: body.toString("utf8") });
    return res.status(202).json({ status: "accepted", id });
  } catch {
    return res.status(503).json({ error: "unavailable" });
  }
});

async function consume() {
  for (;;) {
    const batches = await reader.xReadGroup(GROUP, "c1", { key: STREAM, id: ">" }, { COUNT: 50, BLOCK: 1000 });
    for (const { messages } of batches ?? []) {
      for (const { id, message } of messages) {
        try {
          const r = await fetch(dest, { method: "POST", headers: { "content-type": "application/json", "webhook-id": message.id }, body: message.body });
          if (r.ok) await reader.xAck(STREAM, GROUP, id);
        } catch {
          // left pending; a real peer would XAUTOCLAIM it later
        }
      }
    }
  }
}

const server = app.listen(Number(opt("port", "0")), "127.0.0.1", () => {
  process.stdout.write(`ready http://127.0.0.1:${server.address().port}\n`);
  consume();
});
process.on("SIGTERM", () => process.exit(0));
