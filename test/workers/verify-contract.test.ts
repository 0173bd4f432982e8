/**
 * The verify contract every scheme passes over HTTP, in workerd: one mutation per negative case,
 * and a rejected request is never stored or enqueued.
 */
import { describe, expect, it } from "vitest";
import { ACME_SCHEME, TEST_SECRETS } from "../support/fixtures";
import { sampleEvent, signRequest, type SignedRequest } from "../support/signer";
import { inspect, post } from "./helpers";

interface SchemeCase {
  source: string;
  preset: string;
  secret: string;
  rotated: string;
  signatureHeader: string;
  timestamped: boolean;
  /** Where the event id comes from, to check nothing was stored. */
  eventId: (signed: SignedRequest) => string;
}

const bodyId = (s: SignedRequest) => JSON.parse(new TextDecoder().decode(s.body)).id as string;

const cases: SchemeCase[] = [
  { source: "stripe", preset: "stripe", secret: TEST_SECRETS.STRIPE_SECRET, rotated: TEST_SECRETS.STRIPE_OLD_SECRET, signatureHeader: "stripe-signature", timestamped: true, eventId: bodyId },
  { source: "github", preset: "github", secret: TEST_SECRETS.GITHUB_SECRET, rotated: TEST_SECRETS.GITHUB_OLD_SECRET, signatureHeader: "x-hub-signature-256", timestamped: false, eventId: (s) => s.headers["x-github-delivery"]! },
  { source: "sw", preset: "standard-webhooks", secret: TEST_SECRETS.SW_SECRET, rotated: TEST_SECRETS.SW_OLD_SECRET, signatureHeader: "webhook-signature", timestamped: true, eventId: (s) => s.headers["webhook-id"]! },
  { source: "acme", preset: "generic-hmac", secret: TEST_SECRETS.GENERIC_SECRET, rotated: TEST_SECRETS.GENERIC_OLD_SECRET, signatureHeader: ACME_SCHEME.header, timestamped: true, eventId: (s) => s.headers[ACME_SCHEME.idHeader]! },
];

/** Replace one character of the signature's encoded value with another valid one. */
function flipSignature(value: string): string {
  const at = value.length - 3;
  const c = value[at]!;
  return value.slice(0, at) + (c === "a" ? "b" : "a") + value.slice(at + 1);
}

for (const c of cases) {
  describe(`${c.preset} contract (source ${c.source})`, () => {
    const sign = (overrides: { secret?: string; now?: number; body?: string | Uint8Array } = {}) =>
      signRequest({ preset: c.preset, secret: overrides.secret ?? c.secret, body: overrides.body ?? sampleEvent(c.preset), now: overrides.now, scheme: ACME_SCHEME });

    async function expectRejected(signed: SignedRequest, code: string) {
      const res = await post(c.source, signed);
      expect(res.status).toBe(401);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe(code);
      expect(body.error.message.length).toBeGreaterThan(10);
      expect(JSON.stringify(body)).not.toContain(c.secret);
      expect(await inspect(c.source, c.eventId(signed))).toBeNull();
    }

    it("accepts a valid signature (202) and stores the event", async () => {
      const signed = await sign();
      const res = await post(c.source, signed);
      expect(res.status).toBe(202);
      expect(await res.json()).toEqual({ status: "accepted", id: c.eventId(signed) });
      expect((await inspect(c.source, c.eventId(signed)))?.event.payloadBytes).toBe(signed.body.byteLength);
    });

    it("accepts the rotated (second) secret", async () => {
      const signed = await sign({ secret: c.rotated });
      expect((await post(c.source, signed)).status).toBe(202);
    });

    it("rejects a one-byte body change", async () => {
      const signed = await sign();
      const body = new Uint8Array(signed.body);
      // Toggle the case of the last letter: still valid JSON with the same id, one byte different.
      const at = body.findLastIndex((b) => (b >= 0x61 && b <= 0x7a) || (b >= 0x41 && b <= 0x5a));
      body[at]! ^= 0x20;
      await expectRejected({ ...signed, body }, "signature_invalid");
    });

    it("rejects a changed signature", async () => {
      const signed = await sign();
      await expectRejected({ ...signed, headers: { ...signed.headers, [c.signatureHeader]: flipSignature(signed.headers[c.signatureHeader]!) } }, "signature_invalid");
    });

    it("rejects a wrong secret", async () => {
      await expectRejected(await sign({ secret: c.preset === "standard-webhooks" ? "whsec_d3Jvbmctc2VjcmV0LXdyb25nLXNlY3JldA==" : "wrong-secret" }), "signature_invalid");
    });

    it("rejects a missing signature header", async () => {
      const signed = await sign();
      const headers = { ...signed.headers };
      delete headers[c.signatureHeader];
      await expectRejected({ ...signed, headers }, "signature_missing");
    });

    it("rejects a malformed signature encoding", async () => {
      const signed = await sign();
      const value = signed.headers[c.signatureHeader]!;
      const broken = value.slice(0, -6) + "!!@@##";
      await expectRejected({ ...signed, headers: { ...signed.headers, [c.signatureHeader]: broken } }, "signature_invalid");
    });

    it("refuses a signature header over 4096 characters with signature_header_too_large", async () => {
      const signed = await sign();
      const huge = signed.headers[c.signatureHeader]! + "A".repeat(4096);
      await expectRejected({ ...signed, headers: { ...signed.headers, [c.signatureHeader]: huge } }, "signature_header_too_large");
    });

    if (c.preset === "stripe" || c.preset === "standard-webhooks") {
      it("refuses more than 8 signature candidates, even with the valid one among them", async () => {
        const signed = await sign();
        const random = () => Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) => b.toString(16).padStart(2, "0")).join("");
        const extra = Array.from({ length: 8 }, () => (c.preset === "stripe" ? `,v1=${random()}` : ` v1,${btoa(random().slice(0, 32))}`)).join("");
        await expectRejected({ ...signed, headers: { ...signed.headers, [c.signatureHeader]: signed.headers[c.signatureHeader]! + extra } }, "signature_header_too_large");
      });
    }

    if (c.timestamped) {
      it("answers timestamp_out_of_tolerance for a stale request whose signature is also forged (time checked first)", async () => {
        const signed = await sign({ now: Date.now() - 600_000 });
        await expectRejected({ ...signed, headers: { ...signed.headers, [c.signatureHeader]: flipSignature(signed.headers[c.signatureHeader]!) } }, "timestamp_out_of_tolerance");
      });
      it("rejects a stale timestamp (validly signed 10 minutes ago)", async () => {
        await expectRejected(await sign({ now: Date.now() - 600_000 }), "timestamp_out_of_tolerance");
      });
      it("rejects a future timestamp (validly signed 10 minutes ahead)", async () => {
        await expectRejected(await sign({ now: Date.now() + 600_000 }), "timestamp_out_of_tolerance");
      });
      it("accepts a timestamp within tolerance (4 minutes old)", async () => {
        expect((await post(c.source, await sign({ now: Date.now() - 240_000 }))).status).toBe(202);
      });
    }
  });
}
