/**
 * Outbound Standard Webhooks v1a (Ed25519) signing, cross-checked outside Edgehook's own code: the
 * spec's v1a vector, node:crypto's Ed25519 verifier, and the `standardwebhooks` package for the v1
 * entries beside it (standardwebhooks@1.1.1 has no v1a support: its verify() skips every entry whose
 * version is not `v1`, so it cannot check a v1a signature; node:crypto does that here).
 */
import { createPublicKey, randomBytes, verify as nodeVerify } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config";
// The file, not the face: the delivery face carries Durable Object classes only workerd can load.
import { isAsymmetricKey, publicKeyOf, signStandardWebhook } from "../../src/delivery/sign";

// The spec's v1a vector (svix-server worker.rs; also pinned inbound in providers-vectors.test.ts).
const VECTOR = {
  whsk: "whsk_6Xb/dCcHpPea21PS1N9VY/NZW723CEc77N4rJCubMbfVKIDij2HKpMKkioLlX0dRqSKJp4AJ6p9lMicMFs6Kvg==",
  whpk: "whpk_1SiA4o9hyqTCpIqC5V9HUakiiaeACeqfZTInDBbOir4=",
  id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
  ts: 1614265330,
  body: '{"test": 2432232314}',
  sig: "v1a,hnO3f9T8Ytu9HwrXslvumlUpqtNVqkhqw/enGzPCXe5BdqzCInXqYXFymVJaA7AZdpXwVLPo3mNl8EM+m7TBAg==",
};
const WHSEC = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const enc = new TextEncoder();
const b64 = (b: Uint8Array | Buffer) => Buffer.from(b).toString("base64");
const newWhsk = (form: 32 | 64 = 32) => `whsk_${b64(randomBytes(form))}`;

/** node:crypto's verdict on a v1a entry with a whpk_ key (an Ed25519 implementation that is not WebCrypto's signer path). */
function nodeVerifies(whpk: string, id: string, ts: number, body: string, entry: string): boolean {
  const x = Buffer.from(whpk.slice("whpk_".length), "base64").toString("base64url");
  const key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x }, format: "jwk" });
  const [version, signature] = entry.split(",");
  return version === "v1a" && nodeVerify(null, Buffer.from(`${id}.${ts}.${body}`), key, Buffer.from(signature!, "base64"));
}

describe("v1a signing", () => {
  it("reproduces the spec's v1a vector byte for byte, and derives its whpk_ key", async () => {
    expect(await signStandardWebhook(VECTOR.whsk, VECTOR.id, VECTOR.ts, enc.encode(VECTOR.body))).toBe(VECTOR.sig);
    expect(await publicKeyOf(VECTOR.whsk)).toBe(VECTOR.whpk);
  });

  it("the 32-byte seed form signs exactly as the 64-byte seed‖public form", async () => {
    const seedOnly = `whsk_${b64(Buffer.from(VECTOR.whsk.slice(5), "base64").subarray(0, 32))}`;
    expect(await signStandardWebhook(seedOnly, VECTOR.id, VECTOR.ts, enc.encode(VECTOR.body))).toBe(VECTOR.sig);
    expect(await publicKeyOf(seedOnly)).toBe(VECTOR.whpk);
  });

  it("node:crypto verifies random deliveries with the published whpk_, and refuses a one-byte change", async () => {
    for (let i = 0; i < 20; i++) {
      const whsk = newWhsk(i % 2 === 0 ? 32 : 64);
      const whpk = (await publicKeyOf(whsk))!;
      const body = JSON.stringify({ type: "t", n: b64(randomBytes(1 + i * 7)) });
      const id = `msg_${i}`;
      const header = await signStandardWebhook(whsk, id, 1_700_000_000 + i, enc.encode(body));
      expect(nodeVerifies(whpk, id, 1_700_000_000 + i, body, header)).toBe(true);
      expect(nodeVerifies(whpk, id, 1_700_000_000 + i, body.replace("t", "u"), header)).toBe(false);
      expect(nodeVerifies(whpk, `${id}x`, 1_700_000_000 + i, body, header)).toBe(false);
    }
  });

  it("several keys give one entry each, in order: standardwebhooks accepts the v1 entry, node:crypto each v1a entry", async () => {
    const oldKey = newWhsk();
    const newKey = newWhsk(64);
    const body = '{"type":"rotated"}';
    const ts = Math.floor(Date.now() / 1000);
    const header = await signStandardWebhook([WHSEC, newKey, oldKey], "msg_rot", ts, enc.encode(body));
    const entries = header.split(" ");
    expect(entries.map((e) => e.split(",")[0])).toEqual(["v1", "v1a", "v1a"]);
    const headers = { "webhook-id": "msg_rot", "webhook-timestamp": String(ts), "webhook-signature": header };
    expect(new Webhook(WHSEC).verify(body, headers)).toEqual({ type: "rotated" });
    expect(nodeVerifies((await publicKeyOf(newKey))!, "msg_rot", ts, body, entries[1]!)).toBe(true);
    expect(nodeVerifies((await publicKeyOf(oldKey))!, "msg_rot", ts, body, entries[2]!)).toBe(true);
    // A v1a-only header carries nothing the HMAC-only package can check: it refuses, as it should.
    const v1aOnly = await signStandardWebhook(newKey, "msg_rot", ts, enc.encode(body));
    expect(() => new Webhook(WHSEC).verify(body, { ...headers, "webhook-signature": v1aOnly })).toThrow();
  });

  it("a malformed whsk_ key cannot sign and has no public key", async () => {
    expect(isAsymmetricKey("whsk_abc")).toBe(true);
    await expect(signStandardWebhook(`whsk_${b64(randomBytes(31))}`, "m", 1, new Uint8Array())).rejects.toThrow(/whsk_/);
    expect(await publicKeyOf(`whsk_${b64(randomBytes(48))}`)).toBeNull();
    expect(await publicKeyOf(WHSEC)).toBeNull();
  });
});

describe("destination keys in config", () => {
  const config = (dest: Record<string, unknown>) => ({ sources: {}, destinations: { d: { url: "https://d.example/hooks", secret: "KEY", ...dest } } });

  it("secret may hold a whsk_ key (v1a instead of v1), additionalSecrets add keys after it", () => {
    const v1a = parseConfig(config({}), { KEY: VECTOR.whsk });
    expect(v1a.ok && v1a.config.destinations.get("d")!.signingSecrets).toEqual([VECTOR.whsk]);
    const both = parseConfig(config({ additionalSecrets: ["ED", "OLD"] }), { KEY: WHSEC, ED: VECTOR.whsk, OLD: WHSEC.replace("M", "N") });
    expect(both.ok && both.config.destinations.get("d")!.signingSecrets).toEqual([WHSEC, VECTOR.whsk, WHSEC.replace("M", "N")]);
    expect(both.ok && both.config.destinations.get("d")!.secretValue).toBe(WHSEC);
  });

  it("refuses a whsk_ of the wrong length, an unset additional secret, and more than two Ed25519 keys (values never printed)", () => {
    const short = `whsk_${b64(randomBytes(40))}`;
    const bad = parseConfig(config({ additionalSecrets: ["ED", "MISSING"] }), { KEY: WHSEC, ED: short });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.problems).toContainEqual(expect.stringMatching(/^EDGEHOOK\.destinations\.d\.additionalSecrets\.0: Worker secret "ED" does not hold a Standard Webhooks key/));
    expect(bad.problems).toContainEqual(expect.stringMatching(/^EDGEHOOK\.destinations\.d\.additionalSecrets\.1: Worker secret "MISSING" is not set/));
    expect(bad.problems.join("\n")).not.toContain(short.slice(5, 20));
    const three = parseConfig(config({ additionalSecrets: ["A", "B"] }), { KEY: newWhsk(), A: newWhsk(), B: newWhsk() });
    expect(!three.ok && three.problems).toContainEqual(expect.stringMatching(/at most 2 whsk_/));
  });
});
