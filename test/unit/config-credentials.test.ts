/**
 * forwardHeaders can never pass a source's credential or signature on to destinations (issue 12 item 10):
 * config load refuses them, no preset forwards them, and the table of credential headers is complete.
 */
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config";
import { CREDENTIAL_PRESETS, credentialHeaders, PRESETS } from "../../src/providers";
import { PAYPAL_KEY } from "../support/network-keys";
import { PRESET_CONFIG, PRESET_IDS, PRESET_SIGNING } from "../support/preset-fixtures";
import { sampleEvent, signRequest } from "../support/signer";
import { P256_PKCS8, P256_PKCS8_2 } from "./providers-cases";

const bindings = { S: "p-secret", D: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" };
const load = (source: Record<string, unknown>) =>
  parseConfig({ sources: { s: { secrets: ["S"], destinations: ["d"], ...source } }, destinations: { d: { url: "https://hooks.example.com/x", secret: "D" } } }, bindings);

describe("forwardHeaders at config load", () => {
  it.each([
    [{ provider: "generic-token", tokenHeader: "X-Zapier-Secret" }, "x-zapier-secret"],
    [{ provider: "generic-token", tokenHeader: "x-zapier-secret" }, "Authorization"],
    [{ provider: "okta" }, "authorization"],
    [{ provider: "postmark" }, "AUTHORIZATION"],
    [{ provider: "stripe" }, "Stripe-Signature"],
    [{ provider: "github" }, "x-hub-signature"],
    [{ provider: "gitlab" }, "x-gitlab-token"],
    [{ provider: "svix" }, "webhook-signature"],
    [{ provider: "paypal" }, "paypal-transmission-sig"],
    [{ provider: "generic-hmac", scheme: { header: "X-My-Sig" } }, "x-my-sig"],
    [{ provider: "stripe" }, "cookie"],
    [{ provider: "stripe" }, "proxy-authorization"],
  ])("%o refuses forwarding %s, with the path", (source, header) => {
    const result = load({ ...source, forwardHeaders: ["x-request-id", header] });
    expect(!result.ok && result.problems).toEqual([
      `EDGEHOOK.sources.s.forwardHeaders.1: "${header}" carries this source's credential or signature; it is never forwarded to destinations, so remove it`,
    ]);
  });
  it("other headers are still forwarded", () => {
    expect(load({ provider: "stripe", forwardHeaders: ["x-request-id", "stripe-account"] }).ok).toBe(true);
  });
});

describe("the credential table", () => {
  it("covers every preset", () => {
    expect([...PRESETS.keys()].filter((id) => !CREDENTIAL_PRESETS.includes(id))).toEqual([]);
  });
  it("no preset forwards a header carrying its credential", () => {
    for (const [id, preset] of PRESETS) {
      const source = { provider: id, ...(PRESET_CONFIG[id] ?? {}) } as Parameters<typeof credentialHeaders>[0];
      expect(preset.forwardHeaders.filter((h) => credentialHeaders(source).includes(h)), id).toEqual([]);
    }
  });

  /** A variant of a test secret in the same format (hex stays hex, base64 stays base64). */
  const variant = (secret: string) => {
    const i = Math.min(10, secret.length - 2);
    const c = secret[i]!;
    const swap = /[0-8]/.test(c) ? String(Number(c) + 1) : c === "9" ? "0" : /[a-eA-E]/.test(c) ? String.fromCharCode(c.charCodeAt(0) + 1) : /[fF]/.test(c) ? "a" : /[g-yG-Y]/.test(c) ? String.fromCharCode(c.charCodeAt(0) + 1) : "a";
    return secret.slice(0, i) + swap + secret.slice(i + 1);
  };
  const presets = [...PRESET_IDS, "paypal", "plaid"];

  it.each(presets)("%s: every header whose value depends on the secret or signing key is a credential header", async (id) => {
    const config = PRESET_CONFIG[id] ?? {};
    const signingKey = id === "paypal" ? PAYPAL_KEY : id === "plaid" ? P256_PKCS8 : undefined;
    const keyRef = id === "paypal" ? "https://api.paypal.com/v1/notifications/certs/CERT-1" : id === "plaid" ? "kid-1" : undefined;
    const secret = PRESET_SIGNING[id] ?? (id === "paypal" ? "WH-1AB23456CD789012E" : "client-1:sandbox-secret");
    const common = { preset: id, body: sampleEvent(id), now: 1_760_000_000_000, id: "msg_1", url: (config.publicUrl as string | undefined) ?? `https://edgehook.test/webhooks/${id}`, tokenHeader: config.tokenHeader as string | undefined, scheme: config.scheme as never, keyRef };
    const a = await signRequest({ ...common, secret, signingKey });
    const b = await signRequest({ ...common, secret: id === "sendgrid" ? P256_PKCS8_2 : variant(secret), signingKey: id === "plaid" ? P256_PKCS8_2 : signingKey });
    const depends = Object.keys(a.headers).filter((h) => a.headers[h] !== b.headers[h]);
    const credentials = credentialHeaders({ provider: id, ...config } as Parameters<typeof credentialHeaders>[0]);
    expect(depends.filter((h) => !credentials.includes(h.toLowerCase()))).toEqual([]);
  });
});
