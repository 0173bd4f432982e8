/**
 * Property tests over every preset (fast-check): any valid signing is accepted; any single mutation of
 * the body, of the signature's text, or of a signed header is rejected.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CASES } from "./providers-cases";
import { build, mutateBody, NOW, signatureText, verify, withSignature, type Built } from "./providers-harness";

const RUNS = { numRuns: 30 };
/** Presets whose body may be any bytes (the others need a provider-shaped body: fields, params, passcode). */
const SHAPED = new Set(["twilio", "adyen", "mailgun", "figma", "microsoft-graph", "linear"]);
/** Presets whose key is the secret's UTF-8 bytes, so any secret string is a valid key. */
const UTF8_KEY = new Set(["github", "bitbucket", "shopify", "slack", "square", "paddle", "linear", "intercom", "zoom", "hubspot", "twitch", "typeform", "calendly", "vercel", "sentry", "pagerduty", "jira", "notion", "segment", "zendesk", "mux", "lemon-squeezy", "coinbase-commerce", "razorpay", "dropbox", "asana", "meta", "netlify", "stripe", "generic-hmac"]);

const secretArb = fc.string({ minLength: 1, maxLength: 64, unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789-_./+=ABCXYZ") });
const HEX = "0123456789abcdef";
const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

function mutateText(value: string, index: number, pick: number): string {
  const c = value[index]!;
  const alphabet = (HEX.includes(c) ? HEX : B64).replace(c, "");
  return value.slice(0, index) + alphabet[pick % alphabet.length]! + value.slice(index + 1);
}

for (const c of CASES) {
  describe(`${c.preset} properties`, () => {
    if (!SHAPED.has(c.preset)) {
      it("accepts any body signed with any secret", async () => {
        await fc.assert(
          fc.asyncProperty(fc.uint8Array({ maxLength: 1024 }), UTF8_KEY.has(c.preset) ? secretArb : fc.constant(c.secret), async (body, secret) => {
            const req = await build(c, { body, secret });
            expect(await verify(c, req, [secret])).toEqual({ ok: true, secretIndex: 0 });
          }),
          RUNS,
        );
      });
    }

    if (c.coversBody !== false) {
      it("rejects any single-byte change of the body", async () => {
        const req = await build(c);
        await fc.assert(
          fc.asyncProperty(fc.nat({ max: req.body.length - 1 }), fc.integer({ min: 1, max: 255 }), async (index, mask) => {
            expect((await verify(c, mutateBody(req, index, mask))).ok).toBe(false);
          }),
          RUNS,
        );
      });
    }

    it("rejects any single-character change of the signature", async () => {
      const req = await build(c);
      const text = signatureText(c, req);
      await fc.assert(
        fc.asyncProperty(fc.nat({ max: text.length - 1 }), fc.nat(), async (index, pick) => {
          const mutated = mutateText(text, index, pick);
          fc.pre(mutated !== text);
          const result = await verify(c, withSignature(c, req, mutated));
          expect(result.ok).toBe(false);
        }),
        RUNS,
      );
    });

    for (const header of c.required ?? []) {
      it(`rejects any single-character change of the signed ${header} header`, async () => {
        const req = await build(c);
        const value = req.headers[header]!;
        await fc.assert(
          fc.asyncProperty(fc.nat({ max: value.length - 1 }), fc.nat(), async (index, pick) => {
            const mutated = mutateText(value, index, pick);
            fc.pre(mutated !== value);
            const changed: Built = { ...req, headers: { ...req.headers, [header]: mutated } };
            expect((await verify(c, changed, [c.secret], NOW)).ok).toBe(false);
          }),
          RUNS,
        );
      });
    }
  });
}
