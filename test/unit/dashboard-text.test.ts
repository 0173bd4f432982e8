/** Sender-controlled text on the dashboard: hidden and reordering characters become visible escapes. */
import { describe, expect, it } from "vitest";
import { clip, pieces, plain } from "../../src/dashboard/text";

const escapes = (s: string, mode?: "identifier" | "text") => pieces(s, mode).flatMap((p) => ("escape" in p ? [p.escape] : []));
const rejoined = (s: string, mode?: "identifier" | "text") => pieces(s, mode).map((p) => ("text" in p ? p.text : `⟨${p.escape}⟩`)).join("");

describe("pieces", () => {
  it("leaves printable text, including non-ASCII letters and emoji, as one run", () => {
    for (const s of ["evt_1Q2w3e", "invoice.paid", "a b/c%3A..", "ü€😀", "日本語", "x".repeat(1000)]) expect(pieces(s)).toEqual([{ text: s }]);
  });

  it("escapes every bidi control, so an override cannot reorder what follows", () => {
    const bidi = ["\u061C", "\u200E", "\u200F", "\u202A", "\u202B", "\u202C", "\u202D", "\u202E", "\u2066", "\u2067", "\u2068", "\u2069"];
    for (const ch of bidi) {
      for (const mode of ["identifier", "text"] as const) expect(escapes(`a${ch}b`, mode), `${ch.codePointAt(0)!.toString(16)} ${mode}`).toHaveLength(1);
    }
    expect(rejoined("inv\u202Efdp.exe")).toBe("inv⟨U+202E⟩fdp.exe");
  });

  it("escapes C0, DEL, C1, zero-width, odd spaces, separators and lone surrogates in identifiers", () => {
    const hidden = ["\u0000", "\u0001", "\t", "\n", "\r", "\u001B", "\u007F", "\u0085", "\u009F", "\u00A0", "\u00AD", "\u200B", "\u200D", "\u2028", "\u2029", "\u3000", "\uFEFF", "\uFE0F", "\u{E0041}", "\uD800", "\uDFFF"];
    for (const ch of hidden) expect(escapes(`a${ch}b`), ch.codePointAt(0)!.toString(16)).toEqual([`U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`]);
    expect(rejoined("a\u0000b\uD800")).toBe("a⟨U+0000⟩b⟨U+D800⟩");
  });

  it("keeps tab and line breaks as layout in payload text, escaping other controls", () => {
    expect(escapes('{\n\t"a": "b"\r\n}', "text")).toEqual([]);
    expect(escapes("a\u0000b\u001Bc\u0085d\u202Ee", "text")).toEqual(["U+0000", "U+001B", "U+0085", "U+202E"]);
    expect(escapes("❤️ 👨‍👩‍👧", "text")).toEqual([]);
  });
});

describe("clip and plain", () => {
  it("cuts by code point, never inside a surrogate pair, and counts what was left out", () => {
    expect(clip("😀😀😀", 2)).toEqual({ head: "😀😀", omitted: 1 });
    expect(clip("abc", 3)).toEqual({ head: "abc", omitted: 0 });
  });
  it("writes escapes out for titles", () => {
    expect(plain("rtl\u202Efdp.exe")).toBe("rtl⟨U+202E⟩fdp.exe");
    expect(plain("x".repeat(200), 10)).toBe(`${"x".repeat(10)}…`);
  });
});
