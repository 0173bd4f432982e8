import { describe, expect, it } from "vitest";
import { fromBase64, fromBase64Url, fromHex, textOrBase64, toBase64, toBase64Url } from "../../src/shared/bytes";

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

describe("textOrBase64", () => {
  it("keeps UTF-8 as text, drops a character cut by truncation, and falls back to base64 for other bytes", () => {
    const euro = new TextEncoder().encode("total €"); // € is 3 bytes
    expect(textOrBase64(euro, false)).toEqual({ encoding: "utf8", text: "total €" });
    expect(textOrBase64(euro.subarray(0, euro.length - 1), true)).toEqual({ encoding: "utf8", text: "total " });
    // The same cut bytes, not marked truncated, are not text.
    expect(textOrBase64(euro.subarray(0, euro.length - 1), false)).toEqual({ encoding: "base64", text: toBase64(euro.subarray(0, euro.length - 1)) });
    expect(textOrBase64(new Uint8Array([0xff, 0xfe, 0x00, 0x80]), true)).toEqual({ encoding: "base64", text: "//4AgA==" });
  });
});
