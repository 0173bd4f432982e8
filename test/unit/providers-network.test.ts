/**
 * PayPal and Plaid: keys fetched from the provider (fetch stubbed here with a local key server), cached,
 * pinned, and failing closed. The PayPal certificate is a self-signed test certificate made with openssl.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { sourceSchema } from "../../src/config/schema";
import { PRESETS } from "../../src/providers";
import { KEY_FETCHES_PER_MINUTE } from "../../src/providers/key-cache";
import { urlUnder } from "../../src/providers/network";
import { crc32, pemToDer, spkiFromCertificate, type InboundRequest } from "../../src/verify";
import { base64, base64url, signRequest } from "../support/signer";
import { sampleEvent } from "../support/samples";
import { PAYPAL_CERT, PAYPAL_KEY, PAYPAL_SPKI } from "../support/network-keys";
import { P256_PKCS8, P256_PKCS8_2 } from "./providers-cases";

const enc = new TextEncoder();
const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);
let fetches: { url: string; init?: RequestInit }[] = [];
let respond: (url: string, init?: RequestInit) => Response | Promise<Response>;

beforeEach(() => {
  fetches = [];
  vi.stubGlobal("fetch", async (url: string, init?: RequestInit) => {
    fetches.push({ url: String(url), init });
    return respond(String(url), init);
  });
});
afterEach(() => vi.unstubAllGlobals());

async function run(preset: string, secrets: string[], req: { headers: Record<string, string>; body: Uint8Array }, config: Record<string, unknown> = {}, now = NOW) {
  const source = sourceSchema.parse({ provider: preset, secrets: secrets.map((_, i) => `S${i}`), ...config });
  const request: InboundRequest = { method: "POST", url: `https://edgehook.test/webhooks/${preset}`, headers: new Headers(req.headers), body: req.body };
  return PRESETS.get(preset)!.verifier(source)(request, { secrets, toleranceSeconds: 300, now });
}

describe("primitives", () => {
  it("crc32 matches the standard check value", () => {
    expect(crc32(enc.encode("123456789"))).toBe(0xcbf43926);
  });
  it("spkiFromCertificate extracts what openssl extracts", () => {
    expect(base64(spkiFromCertificate(pemToDer(PAYPAL_CERT)!)!)).toBe(PAYPAL_SPKI);
  });
  it("spkiFromCertificate refuses truncated DER", () => {
    const der = pemToDer(PAYPAL_CERT)!;
    expect(spkiFromCertificate(der.subarray(0, 200))).toBeNull();
  });
});

describe("paypal", () => {
  const certUrl = "https://api.sandbox.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-edgehook";
  const sign = (o: { webhookId?: string; now?: number; cert?: string } = {}) =>
    signRequest({ preset: "paypal", secret: o.webhookId ?? "WH-1AB23456CD789012E", body: sampleEvent("paypal"), now: o.now ?? NOW, signingKey: PAYPAL_KEY, keyRef: o.cert ?? certUrl });
  beforeEach(() => {
    respond = (url) => (url === certUrl || url.startsWith("http://127.0.0.1") ? new Response(PAYPAL_CERT) : new Response("no", { status: 404 }));
  });

  it("accepts a valid transmission, fetching the certificate once", async () => {
    expect(await run("paypal", ["WH-1AB23456CD789012E"], await sign())).toEqual({ ok: true, secretIndex: 0 });
    expect(await run("paypal", ["WH-1AB23456CD789012E"], await sign())).toEqual({ ok: true, secretIndex: 0 });
    expect(fetches.filter((f) => f.url === certUrl)).toHaveLength(1);
  });
  it("rejects a one-byte body change (crc32 is signed)", async () => {
    const req = await sign();
    const body = req.body.slice();
    body[10] = body[10]! ^ 1;
    expect(await run("paypal", ["WH-1AB23456CD789012E"], { ...req, body })).toMatchObject({ ok: false, reason: "signature_invalid" });
  });
  it("rejects another webhook id, and accepts the second of two configured", async () => {
    const req = await sign({ webhookId: "WH-OTHER" });
    expect(await run("paypal", ["WH-1AB23456CD789012E"], req)).toMatchObject({ ok: false, reason: "signature_invalid" });
    expect(await run("paypal", ["WH-1AB23456CD789012E", "WH-OTHER"], req)).toEqual({ ok: true, secretIndex: 1 });
  });
  it("refuses an oversized PAYPAL-TRANSMISSION-SIG or PAYPAL-CERT-URL before decoding or fetching anything", async () => {
    const req = await sign();
    for (const [name, value] of [["paypal-transmission-sig", "A".repeat(8192)], ["paypal-cert-url", `${certUrl}/${"x".repeat(8192)}`]] as const) {
      const result = await run("paypal", ["WH-1AB23456CD789012E"], { ...req, headers: { ...req.headers, [name]: value } });
      expect(result).toMatchObject({ ok: false, reason: "signature_header_too_large" });
    }
    expect(fetches).toEqual([]);
  });
  it("never follows a redirect from the pinned certificate URL", async () => {
    const redirecting = `${certUrl}-redirect`; // not cached by an earlier test
    respond = (url) => (url === redirecting ? new Response(null, { status: 302, headers: { location: "https://evil.test/cert.pem" } }) : new Response(PAYPAL_CERT));
    const result = await run("paypal", ["WH-1AB23456CD789012E"], await sign({ cert: redirecting }));
    expect(result.ok).toBe(false);
    expect(fetches).toHaveLength(1);
    expect(fetches[0]!.init?.redirect).toBe("manual");
  });
  it("never fetches a certificate from a host that is not PayPal's", async () => {
    const req = await sign({ cert: "https://evil.example/cert.pem" });
    expect(await run("paypal", ["WH-1AB23456CD789012E"], req)).toMatchObject({ ok: false, reason: "signature_invalid" });
    expect(fetches).toHaveLength(0);
  });
  it("fetches from the configured keyUrl prefix only (local key server in tests)", async () => {
    const local = "http://127.0.0.1:9/certs/CERT-1";
    const req = await sign({ cert: local });
    expect(await run("paypal", ["WH-1AB23456CD789012E"], req, { keyUrl: "http://127.0.0.1:9/certs/" })).toEqual({ ok: true, secretIndex: 0 });
    expect(await run("paypal", ["WH-1AB23456CD789012E"], req)).toMatchObject({ ok: false, reason: "signature_invalid" });
  });
  it("fails closed when the certificate cannot be fetched", async () => {
    respond = () => new Response("down", { status: 503 });
    const req = await sign({ cert: "https://api.paypal.com/v1/notifications/certs/CERT-unfetchable" });
    expect(await run("paypal", ["WH-1AB23456CD789012E"], req)).toMatchObject({ ok: false, reason: "signature_invalid" });
  });
  describe("keyUrl pinning (issue 12 item 3)", () => {
    // Each URL is served a certificate whose key the sender holds: fetching it means accepting a forgery.
    const bypasses: [keyUrl: string, certUrl: string][] = [
      ["https://api.paypal.com", "https://api.paypal.com:8443/v1/notifications/certs/CERT-1"],
      ["https://api.paypal.com", "https://api.paypal.com.evil.test/v1/notifications/certs/CERT-1"],
      ["https://api.paypal.com", "https://api.paypal.com@evil.test/v1/notifications/certs/CERT-1"],
      ["https://api.paypal.com/v1/notifications/certs", "https://api.paypal.com/v1/notifications/certs-evil/CERT-1"],
      ["https://api.paypal.com/v1/notifications/certs", "https://user:pw@api.paypal.com/v1/notifications/certs/CERT-1"],
      ["https://api.paypal.com/v1/notifications/certs", "http://api.paypal.com/v1/notifications/certs/CERT-1"],
      ["https://api.paypal.com/v1/notifications/certs", "https://api.paypal.com/v1/notifications/certs/..%2f..%2fevil/CERT-1"],
      ["https://api.paypal.com/v1/notifications/certs", "https://api.paypal.com/v1/notifications/certs/../../evil/CERT-1"],
    ];
    beforeEach(() => {
      respond = () => new Response(PAYPAL_CERT);
    });
    it.each(bypasses)("keyUrl %s refuses %s without fetching it", async (keyUrl, cert) => {
      expect(await run("paypal", ["WH-1AB23456CD789012E"], await sign({ cert }), { keyUrl })).toMatchObject({ ok: false, reason: "signature_invalid" });
      expect(fetches).toEqual([]);
    });
    it("refuses userinfo on PayPal's own hosts too (no keyUrl)", async () => {
      const req = await sign({ cert: "https://edgehook@api.paypal.com/v1/notifications/certs/CERT-1" });
      expect(await run("paypal", ["WH-1AB23456CD789012E"], req)).toMatchObject({ ok: false, reason: "signature_invalid" });
      expect(fetches).toEqual([]);
    });
    it("accepts a certificate under keyUrl at a segment boundary, with or without a trailing slash", async () => {
      const cert = "https://api.paypal.com/v1/notifications/certs/CERT-pinned";
      for (const keyUrl of ["https://api.paypal.com/v1/notifications/certs", "https://api.paypal.com/v1/notifications/certs/", "https://api.paypal.com", "https://API.paypal.com:443/"]) {
        expect(await run("paypal", ["WH-1AB23456CD789012E"], await sign({ cert }), { keyUrl }), keyUrl).toEqual({ ok: true, secretIndex: 0 });
      }
      expect(fetches.map((f) => f.url)).toEqual([cert]);
    });
    it("urlUnder compares parsed origins and whole path segments", () => {
      const under = (url: string, base: string) => urlUnder(new URL(url), new URL(base));
      expect(under("https://a.test/certs/x", "https://a.test/certs")).toBe(true);
      expect(under("https://a.test/certs", "https://a.test/certs")).toBe(true);
      expect(under("https://A.TEST:443/certs/x", "https://a.test/certs/")).toBe(true);
      expect(under("https://a.test/certsx", "https://a.test/certs")).toBe(false);
      expect(under("https://a.test/cert", "https://a.test/certs/")).toBe(false);
      expect(under("https://a.test.b/certs/x", "https://a.test")).toBe(false);
      expect(under("https://a.test:444/certs/x", "https://a.test")).toBe(false);
      expect(under("https://u@a.test/certs/x", "https://a.test")).toBe(false);
      expect(under("https://a.test/certs/x%2F..%2F..%2Fy", "https://a.test/certs")).toBe(false);
    });
  });
  it("remembers a failed certificate fetch for a minute instead of fetching on every request", async () => {
    respond = () => new Response("down", { status: 503 });
    const req = await sign({ cert: "https://api.paypal.com/v1/notifications/certs/CERT-negative" });
    for (let i = 0; i < 5; i++) expect(await run("paypal", ["WH-1AB23456CD789012E"], req, {}, NOW + i * 1000)).toMatchObject({ ok: false, reason: "signature_invalid" });
    expect(fetches).toHaveLength(1);
    respond = () => new Response(PAYPAL_CERT);
    expect(await run("paypal", ["WH-1AB23456CD789012E"], req, {}, NOW + 61_000)).toEqual({ ok: true, secretIndex: 0 });
    expect(fetches).toHaveLength(2);
  });
  it(`fetches at most ${KEY_FETCHES_PER_MINUTE} distinct certificates per minute, then refuses without fetching`, async () => {
    const later = NOW + 86_400_000; // a minute of its own
    respond = (url) => (url.endsWith("CERT-good") ? new Response(PAYPAL_CERT) : new Response("no", { status: 404 }));
    for (let i = 0; i < 3 * KEY_FETCHES_PER_MINUTE; i++) {
      const req = await sign({ cert: `https://api.paypal.com/v1/notifications/certs/CERT-flood-${i}`, now: later });
      expect(await run("paypal", ["WH-1AB23456CD789012E"], req, {}, later)).toMatchObject({ ok: false, reason: "signature_invalid" });
    }
    expect(fetches).toHaveLength(KEY_FETCHES_PER_MINUTE);
    const good = await sign({ cert: "https://api.paypal.com/v1/notifications/certs/CERT-good", now: later });
    expect(await run("paypal", ["WH-1AB23456CD789012E"], good, {}, later + 1000)).toMatchObject({ ok: false, hint: expect.stringMatching(/too many distinct signing keys/) });
    expect(await run("paypal", ["WH-1AB23456CD789012E"], good, {}, later + 60_000)).toEqual({ ok: true, secretIndex: 0 });
    expect(fetches).toHaveLength(KEY_FETCHES_PER_MINUTE + 1);
  });
  it("rejects a missing header, another auth algorithm, a mutated signature and a stale transmission", async () => {
    const req = await sign();
    const without = { ...req, headers: { ...req.headers } };
    delete without.headers["paypal-transmission-sig"];
    expect(await run("paypal", ["WH-1AB23456CD789012E"], without)).toMatchObject({ ok: false, reason: "signature_missing" });
    expect(await run("paypal", ["WH-1AB23456CD789012E"], { ...req, headers: { ...req.headers, "paypal-auth-algo": "SHA1withRSA" } })).toMatchObject({ ok: false, reason: "signature_invalid" });
    const sig = req.headers["paypal-transmission-sig"]!;
    const flipped = sig.slice(0, 10) + (sig[10] === "A" ? "B" : "A") + sig.slice(11);
    expect(await run("paypal", ["WH-1AB23456CD789012E"], { ...req, headers: { ...req.headers, "paypal-transmission-sig": flipped } })).toMatchObject({ ok: false, reason: "signature_invalid" });
    expect(await run("paypal", ["WH-1AB23456CD789012E"], await sign({ now: NOW - 3_600_000 }))).toMatchObject({ ok: false, reason: "timestamp_out_of_tolerance" });
  });
});

describe("plaid", () => {
  const keyUrl = "http://127.0.0.1:9/webhook_verification_key/get";
  let jwk: JsonWebKey;
  let expired: string | null = null;
  beforeEach(async () => {
    const k = await crypto.subtle.importKey("pkcs8", Uint8Array.from(atob(P256_PKCS8), (c) => c.charCodeAt(0)), { name: "ECDSA", namedCurve: "P-256" }, true, ["sign"]);
    const { x, y } = (await crypto.subtle.exportKey("jwk", k)) as JsonWebKey;
    jwk = { kty: "EC", crv: "P-256", x, y };
    expired = null;
    respond = (_url, init) => {
      const req = JSON.parse(String(init?.body));
      if (req.client_id !== "client-1" || req.secret !== "sandbox-secret" || req.key_id !== "kid-1") return new Response("{}", { status: 400 });
      return Response.json({ key: { ...jwk, alg: "ES256", kid: "kid-1", use: "sig", created_at: 1560466143, expired_at: expired } });
    };
  });
  const sign = (o: { now?: number; key?: string; kid?: string } = {}) =>
    signRequest({ preset: "plaid", secret: "client-1:sandbox-secret", body: sampleEvent("plaid"), now: o.now ?? NOW, signingKey: o.key ?? P256_PKCS8, keyRef: o.kid ?? "kid-1" });
  const cfg = { keyUrl };

  it("accepts a valid token, asking the key endpoint with client_id, secret and kid", async () => {
    expect(await run("plaid", ["client-1:sandbox-secret"], await sign(), cfg)).toEqual({ ok: true, secretIndex: 0 });
    expect(fetches[0]!.url).toBe(keyUrl);
    expect(JSON.parse(String(fetches[0]!.init!.body))).toEqual({ client_id: "client-1", secret: "sandbox-secret", key_id: "kid-1" });
    expect(fetches[0]!.init!.redirect).toBe("manual"); // the client secret is never re-posted to a redirect target
  });
  it("refuses an oversized Plaid-Verification before decoding it or asking the key endpoint", async () => {
    const req = await sign();
    const token = `${req.headers["plaid-verification"]}${"A".repeat(8192)}`;
    expect(await run("plaid", ["client-1:sandbox-secret"], { ...req, headers: { ...req.headers, "plaid-verification": token } }, cfg)).toMatchObject({ ok: false, reason: "signature_header_too_large" });
    expect(fetches).toEqual([]);
  });
  it("rejects a one-byte body change (request_body_sha256)", async () => {
    const req = await sign();
    const body = req.body.slice();
    body[5] = body[5]! ^ 1;
    expect(await run("plaid", ["client-1:sandbox-secret"], { ...req, body }, cfg)).toMatchObject({ ok: false, reason: "signature_invalid" });
  });
  it("rejects a token signed by another key, an unknown kid, and an expired key", async () => {
    expect(await run("plaid", ["client-1:sandbox-secret"], await sign({ key: P256_PKCS8_2 }), cfg)).toMatchObject({ ok: false, reason: "signature_invalid" });
    expect(await run("plaid", ["client-1:sandbox-secret"], await sign({ kid: "kid-2" }), cfg)).toMatchObject({ ok: false, reason: "signature_invalid" });
    expired = "2026-01-01T00:00:00Z";
    const req = await sign();
    expect(await run("plaid", ["client-1:sandbox-secret"], req, { keyUrl: `${keyUrl}?fresh=1` })).toMatchObject({ ok: false, reason: "signature_invalid" });
  });
  it("remembers an unknown kid for a minute instead of asking the key endpoint on every request", async () => {
    const req = await sign({ kid: "kid-unknown" });
    for (let i = 0; i < 4; i++) expect(await run("plaid", ["client-1:sandbox-secret"], req, cfg)).toMatchObject({ ok: false, reason: "signature_invalid" });
    expect(fetches).toHaveLength(1);
  });
  it("rejects a stale iat, a missing header, a non-ES256 token, and secrets not shaped client_id:secret", async () => {
    expect(await run("plaid", ["client-1:sandbox-secret"], await sign({ now: NOW - 600_000 }), cfg)).toMatchObject({ ok: false, reason: "timestamp_out_of_tolerance" });
    const req = await sign();
    expect(await run("plaid", ["client-1:sandbox-secret"], { ...req, headers: {} }, cfg)).toMatchObject({ ok: false, reason: "signature_missing" });
    const [, claims, sig] = req.headers["plaid-verification"]!.split(".");
    const hs = `${base64url(enc.encode(JSON.stringify({ alg: "HS256", kid: "kid-1" })))}.${claims}.${sig}`;
    expect(await run("plaid", ["client-1:sandbox-secret"], { ...req, headers: { "plaid-verification": hs } }, cfg)).toMatchObject({ ok: false, reason: "signature_invalid" });
    expect(await run("plaid", ["client-1"], req, cfg)).toMatchObject({ ok: false, reason: "signature_invalid" });
  });
});
