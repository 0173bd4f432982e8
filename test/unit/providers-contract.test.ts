/**
 * The shared contract every preset passes: valid, one-byte body mutation, signature mutation, wrong
 * secret, rotation, stale/future timestamps, missing headers, malformed encodings, unknown scheme
 * versions. One mutation per negative case; failure hints never echo a secret.
 */
import { describe, expect, it } from "vitest";
import { PRESETS } from "../../src/providers";
import type { VerifyResult } from "../../src/verify";
import { CASES, type PresetCase } from "./providers-cases";
import { build, flipChar, mutateBody, mutateField, NOW, signatureText, TOLERANCE, verify, withoutHeader, withSignature } from "./providers-harness";

/** Presets whose signature is base64 with padding (20/32/64-byte values), where padding bits could alias. */
const PADDED_BASE64 = new Set(["shopify", "standard-webhooks", "svix", "clerk", "resend", "brex", "twilio", "square", "typeform", "zendesk", "woocommerce", "hubspot", "adyen", "postmark"]);

function rejected(result: VerifyResult, reason: string, c: PresetCase): void {
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.reason).toBe(reason);
  expect(result.hint).not.toContain(c.secret);
  expect(result.hint).not.toContain(c.rotated);
}

it("every preset in the table has a contract case (or is listed as network-only)", () => {
  // paypal and plaid fetch their keys: their contract is test/unit/providers-network.test.ts.
  const covered = new Set([...CASES.map((c) => c.preset), "paypal", "plaid"]);
  const missing = [...PRESETS.keys()].filter((id) => !covered.has(id));
  expect(missing).toEqual([]);
});

for (const c of CASES) {
  describe(`${c.preset} contract`, () => {
    it("accepts a valid signature", async () => {
      const result = await verify(c, await build(c));
      expect(result).toEqual({ ok: true, secretIndex: 0 });
    });

    if (c.coversBody !== false) {
      it("rejects a one-byte body mutation", async () => {
        rejected(await verify(c, mutateBody(await build(c))), "signature_invalid", c);
      });
    }

    if (c.signedField) {
      it(`rejects a mutation of the signed field ${c.signedField}`, async () => {
        rejected(await verify(c, mutateField(await build(c), c.signedField!)), "signature_invalid", c);
      });
    }

    it("rejects a mutated signature", async () => {
      const req = await build(c);
      rejected(await verify(c, withSignature(c, req, flipChar(signatureText(c, req)))), "signature_invalid", c);
    });

    it("rejects a signature made with another secret", async () => {
      rejected(await verify(c, await build(c, { secret: c.rotated }), [c.secret]), "signature_invalid", c);
    });

    it("accepts the rotated secret when both are configured", async () => {
      const result = await verify(c, await build(c, { secret: c.rotated }), [c.secret, c.rotated]);
      expect(result).toEqual({ ok: true, secretIndex: 1 });
    });

    it("rejects a missing signature", async () => {
      rejected(await verify(c, withSignature(c, await build(c), undefined)), "signature_missing", c);
    });

    for (const header of c.required ?? []) {
      it(`rejects a missing ${header} header`, async () => {
        rejected(await verify(c, withoutHeader(await build(c), header)), "signature_missing", c);
      });
    }

    it("rejects a malformed signature encoding", async () => {
      const req = await build(c);
      rejected(await verify(c, withSignature(c, req, flipChar(signatureText(c, req), undefined, "!"))), "signature_invalid", c);
    });

    if (PADDED_BASE64.has(c.preset)) it("rejects a non-canonical base64 signature (padding bits changed)", async () => {
      const req = await build(c);
      const text = signatureText(c, req);
      const m = /([A-Za-z0-9+/])(=+)$/.exec(text);
      expect(m).not.toBeNull();
      const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
      const aliased = text.slice(0, m!.index) + B64[B64.indexOf(m![1]!) ^ 1]! + m![2];
      rejected(await verify(c, withSignature(c, req, aliased)), "signature_invalid", c);
    });

    if (c.timestamped) {
      it("rejects a stale timestamp and a future one, and accepts one inside the window", async () => {
        const skew = (TOLERANCE + 60) * 1000;
        rejected(await verify(c, await build(c, { now: NOW - skew })), "timestamp_out_of_tolerance", c);
        rejected(await verify(c, await build(c, { now: NOW + skew })), "timestamp_out_of_tolerance", c);
        expect((await verify(c, await build(c, { now: NOW - (TOLERANCE - 30) * 1000 }))).ok).toBe(true);
      });
    }

    if (c.unknownVersion) {
      it("ignores entries of unknown scheme versions beside a valid one, and rejects a header with only those", async () => {
        const req = await build(c);
        const header = (c.signature as { header: string }).header;
        expect((await verify(c, withSignature(c, req, c.unknownVersion!(req.headers[header]!)))).ok).toBe(true);
        const onlyUnknown = c.unknownVersion!(req.headers[header]!).replace(req.headers[header]!, "").replace(/^[\s,;]+|[\s,;]+$/g, "");
        const keepTs = /^(t|ts)=/.test(req.headers[header]!) ? `${req.headers[header]!.split(/[,;]/)[0]}${header === "paddle-signature" ? ";" : ","}${onlyUnknown}` : onlyUnknown;
        rejected(await verify(c, withSignature(c, req, keepTs)), "signature_invalid", c);
      });

      it("accepts a header signed with two secrets when either one is configured", async () => {
        const req = await build(c, { more: [c.rotated] });
        expect(await verify(c, req, [c.rotated])).toEqual({ ok: true, secretIndex: 0 });
      });
    }
  });
}

describe("linear: only the signed body timestamp counts", () => {
  const c = CASES.find((x) => x.preset === "linear")!;
  it("refuses a validly signed body without webhookTimestamp, whatever the Linear-Timestamp header says", async () => {
    const req = await build(c, { body: JSON.stringify({ action: "create", type: "Issue", data: { id: "x" } }) });
    expect(req.headers["linear-timestamp"]).toBe(String(NOW));
    rejected(await verify(c, req), "signature_missing", c);
  });
});
