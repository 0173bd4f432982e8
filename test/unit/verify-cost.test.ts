/**
 * Bounded verification cost (issue 12 item 1): the crypto work an unauthenticated request can cause
 * does not grow with the candidates it sends, requests over the caps are refused before any crypto,
 * and signed timestamps are checked before any MAC. Work is counted (WebCrypto calls, or calls into an
 * injected primitive), never timed.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { PRESETS } from "../../src/providers";
import { matchAny, timingSafeEqual, VERIFY_LIMITS, verifySigned, type InboundRequest, type SignatureAlgorithm, type VerifyResult } from "../../src/verify";
import { base64, publicKeyFor } from "../support/signer";
import { CASES, sourceFor, type PresetCase } from "./providers-cases";
import { NOW, TOLERANCE, build, type Built } from "./providers-harness";

const caseOf = (preset: string) => CASES.find((c) => c.preset === preset)!;
const enc = new TextEncoder();
const dec = new TextDecoder();

function randomBytes(n: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(n));
}
const randomHex = (n: number) => Array.from(randomBytes(n), (b) => b.toString(16).padStart(2, "0")).join("");

/** A Standard Webhooks v1a signing key (`whsk_` seed ‖ public key; the signer reads the seed only). */
const whsk = () => `whsk_${base64(new Uint8Array([...randomBytes(32), ...new Uint8Array(32)]))}`;
const HMAC_SECRETS = ["s3cret-one", "s3cret-two", "s3cret-three", "s3cret-four", "s3cret-five"];

/** Counts WebCrypto calls made while `run` executes (keys imported by earlier tests stay cached). */
type Calls = { sign: number; verify: number; digest: number; importKey: number };
async function counted(run: () => Promise<VerifyResult>): Promise<{ result: VerifyResult; calls: Calls }> {
  const names = ["sign", "verify", "digest", "importKey"] as const;
  const spies = names.map((name) => vi.spyOn(crypto.subtle, name));
  try {
    const result = await run();
    return { result, calls: Object.fromEntries(names.map((name, i) => [name, spies[i]!.mock.calls.length])) as Calls };
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}

/** Verify a request with a preset, the configured values (public keys for asymmetric presets) resolved beforehand. */
async function verifier(c: PresetCase, signingSecrets: string[]) {
  const configured = await Promise.all(signingSecrets.map((s) => publicKeyFor(c.preset, s)));
  const verify = PRESETS.get(c.preset)!.verifier(sourceFor(c, configured.map((_, i) => `SECRET_${i}`)));
  return (req: Built, now = NOW) => {
    const request: InboundRequest = { method: "POST", url: req.url, headers: new Headers(req.headers), body: req.body };
    return verify(request, { secrets: configured, toleranceSeconds: TOLERANCE, now });
  };
}

const withHeader = (req: Built, name: string, value: string): Built => ({ ...req, headers: { ...req.headers, [name]: value } });
const expectReason = (result: VerifyResult, reason: string) => expect(result.ok ? "ok" : result.reason).toBe(reason);

afterEach(() => vi.restoreAllMocks());

describe("timingSafeEqual", () => {
  it("is true for equal bytes and false for any single differing byte or another length", () => {
    const a = randomBytes(32);
    expect(timingSafeEqual(a, a.slice())).toBe(true);
    for (const at of [0, 15, 31]) {
      const b = a.slice();
      b[at]! ^= 0x01;
      expect(timingSafeEqual(a, b)).toBe(false);
    }
    expect(timingSafeEqual(a, a.subarray(0, 31))).toBe(false);
    expect(timingSafeEqual(new Uint8Array(0), new Uint8Array(0))).toBe(true);
  });
});

describe("matchAny over an injected primitive", () => {
  /** A MAC primitive whose MAC is the first content byte XOR the secret's index, repeated; counts its calls. */
  function countingMac() {
    const calls = { mac: 0, verify: 0 };
    const macOf = (key: CryptoKey, content: Uint8Array) => new Uint8Array(8).fill(content[0]! ^ Number((key as unknown as { i: number }).i));
    const algorithm: SignatureAlgorithm = {
      name: "TEST-MAC",
      importKey: async (secret) => ({ i: Number(secret) }) as unknown as CryptoKey,
      normalise: (s) => s,
      mac: async (key, content) => (calls.mac++, macOf(key, content)),
      verify: async (key, signature, content) => (calls.verify++, timingSafeEqual(macOf(key, signature), content)),
    };
    return { algorithm, calls, macOf };
  }

  it("computes each secret's MAC at most once, whatever the number of candidates, and finds a match at any position", async () => {
    const content = new Uint8Array([7, 1, 2]);
    for (let secrets = 1; secrets <= 5; secrets++) {
      const names = Array.from({ length: secrets }, (_, i) => String(i + 1));
      for (let position = 0; position < VERIFY_LIMITS.macCandidates; position++) {
        const { algorithm, calls } = countingMac();
        const signatures = Array.from({ length: VERIFY_LIMITS.macCandidates }, () => new Uint8Array(8).fill(0xee));
        signatures[position] = new Uint8Array(8).fill(7 ^ secrets); // the last secret's MAC
        expect(await matchAny(algorithm, names, signatures, content)).toBe(secrets - 1);
        expect(calls.verify).toBe(0);
        expect(calls.mac).toBe(secrets);
      }
      const { algorithm, calls } = countingMac();
      const forged = Array.from({ length: VERIFY_LIMITS.macCandidates }, () => new Uint8Array(8).fill(0xee));
      expect(await matchAny(algorithm, names, forged, content)).toBe(-1);
      expect(calls).toEqual({ mac: secrets, verify: 0 });
    }
  });

  it("never runs a candidate of the wrong length through a comparison that could match", async () => {
    const { algorithm } = countingMac();
    const short = new Uint8Array(7).fill(7 ^ 1);
    expect(await matchAny(algorithm, ["1"], [short], new Uint8Array([7]))).toBe(-1);
  });

  it("bounds an asymmetric scheme's checks (candidates × keys) before any verify", async () => {
    let verifies = 0;
    const algorithm: SignatureAlgorithm = {
      name: "TEST-SIG",
      importKey: async () => ({}) as CryptoKey,
      normalise: (s) => s,
      verify: async () => (verifies++, false),
    };
    const scheme = (candidates: number) => ({
      algorithm,
      encoding: "hex" as const,
      parse: () => ({ candidates: Array.from({ length: candidates }, () => "ab".repeat(8)) }),
      template: "{body}",
    });
    const request: InboundRequest = { method: "POST", url: "https://x.test/", headers: new Headers(), body: new Uint8Array(4) };
    const options = (keys: number) => ({ secrets: Array.from({ length: keys }, (_, i) => `k${i}`), toleranceSeconds: 300, now: NOW });

    expectReason(await verifySigned(scheme(VERIFY_LIMITS.asymmetricCandidates + 1), request, options(1)), "signature_header_too_large");
    // 2 candidates × 6 keys = 12 checks > 10 (config allows 5 secrets; the primitive's cap holds regardless).
    expectReason(await verifySigned(scheme(2), request, options(6)), "signature_header_too_large");
    expect(verifies).toBe(0);
    expectReason(await verifySigned(scheme(2), request, options(5)), "signature_invalid");
    expect(verifies).toBe(10);
    expect(VERIFY_LIMITS.asymmetricChecks).toBe(10);
  });
});

describe("Stripe (a list of v1= MACs)", () => {
  const c = caseOf("stripe");

  it("an unauthenticated request with the most candidates allowed costs one MAC per secret, no more", async () => {
    const verify = await verifier(c, HMAC_SECRETS.map((s) => `whsec_${s}`));
    const real = await build(c, { body: enc.encode(`{"id":"evt_1","pad":"${"x".repeat(100_000)}"}`) });
    const t = /t=(\d+)/.exec(real.headers["stripe-signature"]!)![1];
    const forged = Array.from({ length: VERIFY_LIMITS.macCandidates }, () => `v1=${randomHex(32)}`).join(",");
    await verify(real); // import the keys once, as a warm isolate has
    const { result, calls } = await counted(() => verify(withHeader(real, "stripe-signature", `t=${t},${forged}`)));
    expectReason(result, "signature_invalid");
    expect(calls.sign + calls.verify).toBeLessThanOrEqual(HMAC_SECRETS.length);
  });

  it("refuses more candidates than the cap with signature_header_too_large, before any crypto", async () => {
    const verify = await verifier(c, [c.secret]);
    const real = await build(c);
    const t = /t=(\d+)/.exec(real.headers["stripe-signature"]!)![1];
    const forged = Array.from({ length: VERIFY_LIMITS.macCandidates + 1 }, () => `v1=${randomHex(32)}`).join(",");
    const { result, calls } = await counted(() => verify(withHeader(real, "stripe-signature", `t=${t},${forged}`)));
    expectReason(result, "signature_header_too_large");
    expect(result.ok ? "" : result.hint).toContain(`at most ${VERIFY_LIMITS.macCandidates}`);
    expect(calls).toEqual({ sign: 0, verify: 0, digest: 0, importKey: 0 });
  });

  it("refuses a header over the size cap before parsing or any crypto", async () => {
    const verify = await verifier(c, [c.secret]);
    const real = await build(c);
    const huge = `${real.headers["stripe-signature"]},v0=${"a".repeat(VERIFY_LIMITS.headerChars)}`;
    const { result, calls } = await counted(() => verify(withHeader(real, "stripe-signature", huge)));
    expectReason(result, "signature_header_too_large");
    expect(calls).toEqual({ sign: 0, verify: 0, digest: 0, importKey: 0 });
  });

  it("accepts a valid signature at any position among the allowed candidates, with either rotated secret", async () => {
    const verify = await verifier(c, [c.rotated, c.secret]);
    const real = await build(c);
    const [t, valid] = real.headers["stripe-signature"]!.split(",");
    for (let position = 0; position < VERIFY_LIMITS.macCandidates; position++) {
      const entries = Array.from({ length: VERIFY_LIMITS.macCandidates - 1 }, () => `v1=${randomHex(32)}`);
      entries.splice(position, 0, valid!);
      const result = await verify(withHeader(real, "stripe-signature", [t, ...entries].join(",")));
      expect(result).toEqual({ ok: true, secretIndex: 1 });
    }
    const both = await build(c, { secret: c.rotated, more: [c.secret] });
    expect(await verify(both)).toEqual({ ok: true, secretIndex: 0 });
  });

  it("checks the signed timestamp before any MAC: a stale forged request costs no crypto", async () => {
    const verify = await verifier(c, [c.secret]);
    const stale = await build(c, { now: NOW - 600_000 });
    const t = /t=(\d+)/.exec(stale.headers["stripe-signature"]!)![1];
    const { result, calls } = await counted(() => verify(withHeader(stale, "stripe-signature", `t=${t},v1=${randomHex(32)}`)));
    expectReason(result, "timestamp_out_of_tolerance");
    expect(result.ok ? "" : result.hint).not.toContain(c.secret);
    expect(calls.sign + calls.verify + calls.importKey).toBe(0);
  });
});

describe("Standard Webhooks (v1 MACs and v1a Ed25519 signatures)", () => {
  const c = caseOf("standard-webhooks");
  const forgedV1 = (n: number) => Array.from({ length: n }, () => `v1,${base64(randomBytes(32))}`);
  const forgedV1a = (n: number) => Array.from({ length: n }, () => `v1a,${base64(randomBytes(64))}`);

  it("refuses more v1 candidates than the cap before any crypto; accepts the valid one among the allowed maximum", async () => {
    const verify = await verifier(c, [c.secret]);
    const real = await build(c);
    const over = await counted(() => verify(withHeader(real, "webhook-signature", [real.headers["webhook-signature"]!, ...forgedV1(VERIFY_LIMITS.macCandidates)].join(" "))));
    expectReason(over.result, "signature_header_too_large");
    expect(over.calls).toEqual({ sign: 0, verify: 0, digest: 0, importKey: 0 });
    const atCap = [...forgedV1(VERIFY_LIMITS.macCandidates - 1), real.headers["webhook-signature"]!].join(" ");
    expect(await verify(withHeader(real, "webhook-signature", atCap))).toEqual({ ok: true, secretIndex: 0 });
  });

  it("costs at most one MAC per whsec secret for the maximum v1 candidates", async () => {
    const secrets = ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_dGVzdC1yb3RhdGVkLWtleS0wMDAwMDAwMDAwMDE=", `whsec_${base64(randomBytes(24))}`, `whsec_${base64(randomBytes(24))}`, `whsec_${base64(randomBytes(24))}`];
    const verify = await verifier(c, secrets);
    const real = await build(c, { secret: secrets[4]! });
    await verify(real);
    const { result, calls } = await counted(() => verify(withHeader(real, "webhook-signature", forgedV1(VERIFY_LIMITS.macCandidates).join(" "))));
    expectReason(result, "signature_invalid");
    expect(calls.sign + calls.verify).toBeLessThanOrEqual(secrets.length);
  });

  it("bounds v1a checks: candidates over the cap do no verify; at the cap with 5 keys, at most 10 checks", async () => {
    const keys = [whsk(), whsk(), whsk(), whsk(), whsk()];
    const verify = await verifier(c, keys);
    const real = await build(c, { secret: keys[4]! });
    const over = await counted(() => verify(withHeader(real, "webhook-signature", [...forgedV1a(VERIFY_LIMITS.asymmetricCandidates), real.headers["webhook-signature"]!].join(" "))));
    expectReason(over.result, "signature_header_too_large");
    expect(over.calls.verify).toBe(0);
    // 2 candidates × 5 keys = 10: checked, and the valid one (signed by the last key) is found.
    const within = await counted(() => verify(withHeader(real, "webhook-signature", [...forgedV1a(VERIFY_LIMITS.asymmetricCandidates - 1), real.headers["webhook-signature"]!].join(" "))));
    expect(within.result).toEqual({ ok: true, secretIndex: 4 });
    expect(within.calls.verify).toBeLessThanOrEqual(VERIFY_LIMITS.asymmetricChecks);
    const forged = await counted(() => verify(withHeader(real, "webhook-signature", forgedV1a(VERIFY_LIMITS.asymmetricCandidates).join(" "))));
    expectReason(forged.result, "signature_invalid");
    expect(forged.calls.verify).toBeLessThanOrEqual(VERIFY_LIMITS.asymmetricChecks);
  });

  it("checks the timestamp before any MAC or verify", async () => {
    const verify = await verifier(c, [c.secret, whsk()]);
    const stale = await build(c, { now: NOW + 600_000 });
    const forged = [...forgedV1(2), ...forgedV1a(2)].join(" ");
    const { result, calls } = await counted(() => verify(withHeader(stale, "webhook-signature", forged)));
    expectReason(result, "timestamp_out_of_tolerance");
    expect(calls.sign + calls.verify).toBe(0);
  });
});

describe("every signature-header scheme refuses a header over the size cap before any crypto", () => {
  for (const preset of ["github", "slack", "paddle", "pagerduty", "discord", "sendgrid", "twilio", "netlify", "hubspot", "generic-hmac", "generic-ed25519", "standard-webhooks"]) {
    it(preset, async () => {
      const c = caseOf(preset);
      const verify = await verifier(c, [c.secret]);
      const real = await build(c);
      const name = (c.signature as { header: string }).header;
      const { result, calls } = await counted(() => verify(withHeader(real, name, real.headers[name]! + "A".repeat(VERIFY_LIMITS.headerChars))));
      expectReason(result, "signature_header_too_large");
      expect(calls.sign + calls.verify + calls.digest).toBe(0);
    });
  }
});

describe("discord (one Ed25519 signature) checks the timestamp before the verify", () => {
  it("a stale forged request does no verify", async () => {
    const c = caseOf("discord");
    const verify = await verifier(c, [c.secret]);
    const stale = await build(c, { now: NOW - 600_000 });
    const { result, calls } = await counted(() => verify(withHeader(stale, "x-signature-ed25519", randomHex(64))));
    expectReason(result, "timestamp_out_of_tolerance");
    expect(calls.verify).toBe(0);
  });
});

describe("batched signatures stop at the first forged item", () => {
  it("adyen: a forged body of many items costs at most one MAC per key", async () => {
    const c = caseOf("adyen");
    const keys = [c.secret, c.rotated];
    const verify = await verifier(c, keys);
    const real = await build(c);
    const json = JSON.parse(dec.decode(real.body));
    const item = json.notificationItems[0].NotificationRequestItem;
    json.notificationItems = Array.from({ length: 2000 }, (_, i) => ({
      NotificationRequestItem: { ...item, pspReference: `P${i}`, additionalData: { hmacSignature: base64(randomBytes(32)) } },
    }));
    await verify(real);
    const { result, calls } = await counted(() => verify({ ...real, body: enc.encode(JSON.stringify(json)) }));
    expectReason(result, "signature_invalid");
    expect(calls.sign + calls.verify).toBeLessThanOrEqual(keys.length);
  });

  it("adyen: every item of a valid batch is still checked (one forged item among valid ones fails)", async () => {
    const c = caseOf("adyen");
    const verify = await verifier(c, [c.secret]);
    const real = await build(c);
    const json = JSON.parse(dec.decode(real.body));
    json.notificationItems = [json.notificationItems[0], json.notificationItems[0], { NotificationRequestItem: { ...json.notificationItems[0].NotificationRequestItem, pspReference: "forged" } }];
    expectReason(await verify({ ...real, body: enc.encode(JSON.stringify(json)) }), "signature_invalid");
    json.notificationItems = json.notificationItems.slice(0, 2);
    expect(await verify({ ...real, body: enc.encode(JSON.stringify(json)) })).toEqual({ ok: true, secretIndex: 0 });
  });

  it("microsoft-graph: a forged batch of many clientStates costs one digest per secret plus one", async () => {
    const c = caseOf("microsoft-graph");
    const keys = [c.secret, c.rotated, "graph-client-state-3"];
    const verify = await verifier(c, keys);
    const real = await build(c);
    const json = JSON.parse(dec.decode(real.body));
    json.value = Array.from({ length: 2000 }, () => ({ ...json.value[0], clientState: "forged-client-state" }));
    const { result, calls } = await counted(() => verify({ ...real, body: enc.encode(JSON.stringify(json)) }));
    expectReason(result, "signature_invalid");
    expect(calls.digest).toBeLessThanOrEqual(keys.length + 1);
  });

  it("microsoft-graph: a batch is accepted only when every item carries the same configured secret", async () => {
    const c = caseOf("microsoft-graph");
    const verify = await verifier(c, [c.secret, c.rotated]);
    const real = await build(c, { secret: c.rotated });
    const json = JSON.parse(dec.decode(real.body));
    json.value = [json.value[0], json.value[0], json.value[0]];
    expect(await verify({ ...real, body: enc.encode(JSON.stringify(json)) })).toEqual({ ok: true, secretIndex: 1 });
    json.value[2] = { ...json.value[0], clientState: c.secret };
    expectReason(await verify({ ...real, body: enc.encode(JSON.stringify(json)) }), "signature_invalid");
  });
});

describe("network presets check the signed time before any key fetch or verify", () => {
  it("paypal: a stale request fetches nothing and verifies nothing", async () => {
    const fetches = vi.spyOn(globalThis, "fetch");
    const verify = PRESETS.get("paypal")!.verifier(sourceFor({ preset: "paypal", secret: "", rotated: "", signature: { header: "" } }, ["WEBHOOK_ID"]));
    const time = new Date(NOW - 600_000).toISOString();
    const headers = new Headers({
      "paypal-transmission-id": "t-1",
      "paypal-transmission-time": time,
      "paypal-transmission-sig": base64(randomBytes(256)),
      "paypal-cert-url": "https://api.paypal.com/v1/notifications/certs/CERT-1",
      "paypal-auth-algo": "SHA256withRSA",
    });
    const { result, calls } = await counted(() => verify({ method: "POST", url: "https://x.test/", headers, body: enc.encode("{}") }, { secrets: ["wh-1"], toleranceSeconds: TOLERANCE, now: NOW }));
    expectReason(result, "timestamp_out_of_tolerance");
    expect(fetches).not.toHaveBeenCalled();
    expect(calls.verify).toBe(0);
  });
});
