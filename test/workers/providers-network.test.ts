/**
 * PayPal and Plaid over HTTP in workerd: the worker fetches the certificate / JWK from the source's
 * keyUrl (answered here by a stubbed fetch standing in for the provider's key server), caches it, and
 * accepts or refuses the event.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { PAYPAL_CERT, PAYPAL_KEY } from "../support/network-keys";
import { NETWORK_KEY_URLS, PRESET_SECRETS, presetSource } from "../support/preset-fixtures";
import { sampleEvent, signRequest } from "../support/signer";
import { post } from "./helpers";

const P256 =
  "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgexOMMJ7zHgUCVQOI2XJWlEbJoJBC2Ry+OAcpEeAMd3KhRANCAASvXT3fIGsNyukyE1WpoTlwd7Em8BWgGH3XHIMtLzvXjGa1Pxc2tDMUJYmkM+ZnXVlg+fig4L2mg0mvVUPPtBb0";
const keyFetches: string[] = [];
const realFetch = globalThis.fetch;

beforeEach(async () => {
  keyFetches.length = 0;
  const k = await crypto.subtle.importKey("pkcs8", Uint8Array.from(atob(P256), (c) => c.charCodeAt(0)), { name: "ECDSA", namedCurve: "P-256" }, true, ["sign"]);
  const { x, y } = (await crypto.subtle.exportKey("jwk", k)) as JsonWebKey;
  vi.stubGlobal("fetch", async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = input instanceof Request ? input.url : String(input);
    if (url.startsWith(NETWORK_KEY_URLS.paypal)) {
      keyFetches.push(url);
      return new Response(PAYPAL_CERT);
    }
    if (url === NETWORK_KEY_URLS.plaid) {
      keyFetches.push(url);
      const req = JSON.parse(String(init?.body));
      if (req.key_id !== "kid-http") return new Response("{}", { status: 400 });
      return Response.json({ key: { kty: "EC", crv: "P-256", x, y, kid: "kid-http", alg: "ES256", use: "sig", created_at: 1, expired_at: null } });
    }
    return realFetch(input, init);
  });
});
afterEach(() => vi.unstubAllGlobals());

describe("paypal over HTTP", () => {
  const sign = (webhookId = PRESET_SECRETS.P_PAYPAL_WEBHOOK_ID!, cert = `${NETWORK_KEY_URLS.paypal}CERT-http`) =>
    signRequest({ preset: "paypal", secret: webhookId, body: sampleEvent("paypal"), signingKey: PAYPAL_KEY, keyRef: cert });
  it("accepts a transmission signed for the configured webhook id, fetching the certificate from keyUrl", async () => {
    const res = await post(presetSource("paypal"), await sign());
    expect(res.status, await res.clone().text()).toBe(202);
    expect(keyFetches).toEqual([`${NETWORK_KEY_URLS.paypal}CERT-http`]);
    expect((await post(presetSource("paypal"), await sign())).status).toBe(202);
    expect(keyFetches).toHaveLength(1); // cached
  });
  it("refuses another webhook id, and a certificate outside keyUrl without fetching it", async () => {
    expect((await post(presetSource("paypal"), await sign("WH-SOMEONE-ELSE"))).status).toBe(401);
    keyFetches.length = 0;
    expect((await post(presetSource("paypal"), await sign(undefined, "https://api.paypal.com.evil.example/cert"))).status).toBe(401);
    expect(keyFetches).toEqual([]);
  });
});

describe("paypal keyUrl pinning over HTTP (issue 12 item 3)", () => {
  const sign = (cert: string) => signRequest({ preset: "paypal", secret: PRESET_SECRETS.P_PAYPAL_WEBHOOK_ID!, body: sampleEvent("paypal"), signingKey: PAYPAL_KEY, keyRef: cert });
  it("refuses, without fetching, certificate URLs that only look like they are under keyUrl", async () => {
    const under = NETWORK_KEY_URLS.paypal; // https://keys.edgehook.test/paypal/certs/
    for (const cert of [`${under}..%2F..%2Fevil/CERT-1`, `${under}..%5C..%5Cevil/CERT-1`, under.replace("keys.edgehook.test", "keys.edgehook.test:8443") + "CERT-1", under.replace("https://", "https://user@") + "CERT-1"]) {
      keyFetches.length = 0;
      const res = await post(presetSource("paypal"), await sign(cert));
      expect(res.status, cert).toBe(401);
      expect(keyFetches, cert).toEqual([]);
    }
  });
});

describe("plaid over HTTP", () => {
  const sign = (kid = "kid-http") => signRequest({ preset: "plaid", secret: PRESET_SECRETS.P_PLAID_CLIENT!, body: sampleEvent("plaid"), signingKey: P256, keyRef: kid });
  it("accepts a token whose key the key endpoint returns", async () => {
    const res = await post(presetSource("plaid"), await sign());
    expect(res.status, await res.clone().text()).toBe(202);
  });
  it("refuses a kid the key endpoint does not know, and a tampered body", async () => {
    expect((await post(presetSource("plaid"), await sign("kid-unknown"))).status).toBe(401);
    const signed = await sign();
    const body = signed.body.slice();
    body[3] = body[3]! ^ 1;
    expect((await post(presetSource("plaid"), { ...signed, body })).status).toBe(401);
  });
});
