import { describe, expect, it } from "vitest";
import { fromBase64, fromBase64Url, fromHex, toBase64Url } from "../../src/shared/bytes";

describe("byte decoders fail cleanly and accept one spelling only", () => {
  it("base64url: round-trips, and refuses a second spelling of the same bytes", () => {
    const bytes = new Uint8Array(32).map((_, i) => i * 7);
    const text = toBase64Url(bytes); // 43 characters: the last one carries 2 unused bits
    expect(fromBase64Url(text)).toEqual(bytes);
    const last = text.at(-1)!;
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const sibling = alphabet[alphabet.indexOf(last) ^ 1]!; // flips an unused bit
    expect(fromBase64Url(text.slice(0, -1) + sibling)).toBeNull();
    expect(fromBase64Url("a")).toBeNull();
    expect(fromBase64Url("ab+c")).toBeNull();
  });

  it("base64 and hex: malformed input is null, never an exception", () => {
    expect(fromBase64("not base64!")).toBeNull();
    expect(fromBase64("YWJj")).toEqual(new TextEncoder().encode("abc"));
    expect(fromHex("abc")).toBeNull();
    expect(fromHex("zz")).toBeNull();
    expect(fromHex("0aFF")).toEqual(new Uint8Array([10, 255]));
  });

  it("hex: every pair of digits and near-digits decodes exactly as the reference does", () => {
    const chars = "0123456789abcdefABCDEF/:@`gGzZ \u00e1\u0130\u0141\u0161";
    for (const a of chars) {
      for (const b of chars) {
        const pair = a + b;
        const expected = /^[0-9a-fA-F]{2}$/.test(pair) ? new Uint8Array([parseInt(pair, 16)]) : null;
        expect(fromHex(pair), pair).toEqual(expected);
      }
    }
    expect(fromHex("")).toEqual(new Uint8Array(0));
  });
});
