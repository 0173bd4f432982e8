/** The sample sink's Standard Webhooks check over raw bytes: what the provider sent, JSON or not. */
import { describe, expect, it } from "vitest";
import { Webhook } from "standardwebhooks";
// @ts-expect-error plain ESM script without types
import { verifyRaw as untyped } from "../../scripts/sink.mjs";

const verifyRaw = untyped as (key: Buffer, raw: Buffer, headers: Record<string, string>) => boolean;

const secret = `whsec_${Buffer.alloc(32, 7).toString("base64")}`;
const key = Buffer.from(secret.slice("whsec_".length), "base64");
const wh = new Webhook(secret);

function headersFor(body: string, at = new Date()) {
  return { "webhook-id": "msg_1", "webhook-timestamp": String(Math.floor(at.getTime() / 1000)), "webhook-signature": wh.sign("msg_1", at, body) };
}

describe("sink verifyRaw", () => {
  it("accepts what the standardwebhooks package signs, JSON or not (form body, BOM-led JSON)", () => {
    for (const body of ['{"a":1}', "Body=hi&From=%2B1", "\ufeff{\"a\":1}"]) {
      expect(verifyRaw(key, Buffer.from(body, "utf8"), headersFor(body))).toBe(true);
    }
  });
  it("refuses a changed byte, a stale timestamp, a wrong key and an unknown version", () => {
    const body = '{"a":1}';
    const h = headersFor(body);
    expect(verifyRaw(key, Buffer.from('{"a":2}'), h)).toBe(false);
    expect(verifyRaw(key, Buffer.from(body), headersFor(body, new Date(Date.now() - 600_000)))).toBe(false);
    expect(verifyRaw(Buffer.alloc(32, 8), Buffer.from(body), h)).toBe(false);
    expect(verifyRaw(key, Buffer.from(body), { ...h, "webhook-signature": h["webhook-signature"].replace("v1,", "v2,") })).toBe(false);
  });
});
