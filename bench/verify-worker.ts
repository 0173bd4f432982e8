/**
 * Benchmark worker (bench/verify.mjs bundles it into Miniflare): verifies one pre-signed request per
 * primitive `n` times through the real preset verifier and answers when done; `/cost` does the same
 * with forged requests (bench/verify-cost.ts). Timing is taken by the Node caller (workerd does not
 * advance clocks during pure computation).
 */
import { sourceSchema } from "../src/config/schema";
import { PRESETS } from "../src/providers";
import type { InboundRequest, VerifyOptions } from "../src/verify";
import { publicKeyFor, signRequest } from "../test/support/signer";
import { costCase } from "./verify-cost";

const ED_SEED = "d217b5a5a3c87aa3ce2daebf669351fa65941748a0e67f0514e85ec50ae47e51";
const P256 =
  "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgexOMMJ7zHgUCVQOI2XJWlEbJoJBC2Ry+OAcpEeAMd3KhRANCAASvXT3fIGsNyukyE1WpoTlwd7Em8BWgGH3XHIMtLzvXjGa1Pxc2tDMUJYmkM+ZnXVlg+fig4L2mg0mvVUPPtBb0";

/** Primitive → the preset that exercises it, and its signing secret. */
const PRIMITIVES: Record<string, { preset: string; secret: string; config?: Record<string, unknown> }> = {
  "hmac-sha256 (body only, github)": { preset: "github", secret: "bench-secret" },
  "hmac-sha256 (t.body, stripe)": { preset: "stripe", secret: "whsec_bench" },
  "hmac-sha1": { preset: "vercel", secret: "bench-secret" },
  "hmac-sha512": { preset: "generic-hmac", secret: "bench-secret", config: { scheme: { header: "x-sig", algorithm: "sha512" } } },
  ed25519: { preset: "discord", secret: ED_SEED },
  "ecdsa-p256": { preset: "sendgrid", secret: P256 },
  "jwt-hs256": { preset: "netlify", secret: "bench-secret" },
  token: { preset: "gitlab", secret: "bench-token" },
};

const prepared = new Map<string, { run: () => Promise<boolean> }>();

/** Baselines without Edgehook code: WebCrypto HMAC-SHA256 verify and SHA-256 digest of the same bytes. */
async function raw(primitive: string, size: number) {
  const body = new Uint8Array(size).fill(0x61);
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode("bench-secret"), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
  const mac = await crypto.subtle.sign("HMAC", key, body);
  return primitive === "webcrypto-hmac-sha256"
    ? { run: () => crypto.subtle.verify("HMAC", key, mac, body) }
    : { run: async () => (await crypto.subtle.digest("SHA-256", body)).byteLength === 32 };
}

async function prepare(primitive: string, size: number) {
  const key = `${primitive}:${size}`;
  const hit = prepared.get(key);
  if (hit) return hit;
  if (primitive.startsWith("webcrypto-")) {
    const entry = await raw(primitive, size);
    prepared.set(key, entry);
    return entry;
  }
  const p = PRIMITIVES[primitive]!;
  const body = new Uint8Array(size).fill(0x61);
  const now = Date.now();
  const scheme = (p.config?.scheme ?? undefined) as never;
  const signed = await signRequest({ preset: p.preset, secret: p.secret, body, now, scheme });
  const source = sourceSchema.parse({ provider: p.preset, secrets: ["S"], ...p.config });
  const verifier = PRESETS.get(p.preset)!.verifier(source);
  const options: VerifyOptions = { secrets: [await publicKeyFor(p.preset, p.secret)], toleranceSeconds: 86_400, now };
  const request: InboundRequest = { method: "POST", url: "https://bench.test/webhooks/x", headers: new Headers(signed.headers), body: signed.body };
  const entry = { run: async () => (await verifier(request, options)).ok };
  prepared.set(key, entry);
  return entry;
}

export default {
  async fetch(req: Request): Promise<Response> {
    const url = new URL(req.url);
    if (url.pathname === "/cost") return costCase(url.searchParams);
    const primitive = url.searchParams.get("primitive") ?? "hmac-sha256";
    const size = Number(url.searchParams.get("size") ?? 1024);
    const n = Number(url.searchParams.get("n") ?? 0);
    const entry = await prepare(primitive, size);
    let ok = 0;
    for (let i = 0; i < n; i++) if (await entry.run()) ok++;
    return Response.json({ ok, n });
  },
};
