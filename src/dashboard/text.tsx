/**
 * Showing sender-controlled text (ids, types, keys, sources, header values, payloads) safely: every
 * character that is invisible or reorders what follows (controls, bidi overrides and isolates,
 * zero-width and other default-ignorable characters, odd spaces, lone surrogates) is shown as a
 * visible escape `⟨U+202E⟩` in its own style, so `inv‮fdp.exe` cannot pass for `invexe.pdf`; long
 * values are cut in tables (the event page shows them whole, wrapped).
 */
import type { Child } from "hono/jsx";

/** Characters never shown raw in identifiers: controls, format (bidi, zero-width), separators, surrogates, default-ignorables, spaces other than U+0020. */
const IDENTIFIER_HIDDEN = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]|(?! )\p{Zs}/u;

/** In payloads and response snippets, tab and line breaks are layout; other controls and bidi marks are not. */
const TEXT_HIDDEN = /(?![\t\n\r])\p{Cc}|[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069\u2028\u2029\p{Cs}]/u;

/** How strictly to escape: `identifier` (ids, types, keys, names, header values) or `text` (payloads). */
export type Strictness = "identifier" | "text";

/** A run of text shown as is, or one hidden character shown as its code point. */
export type Piece = { text: string } | { escape: string };

/** `U+202E` for a code point. */
function codePoint(ch: string): string {
  return `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
}

/** Split `value` into visible runs and escaped characters (pure; by code point, lone surrogates included). */
export function pieces(value: string, strictness: Strictness = "identifier"): Piece[] {
  const hidden = strictness === "identifier" ? IDENTIFIER_HIDDEN : TEXT_HIDDEN;
  const out: Piece[] = [];
  let run = "";
  for (const ch of value) {
    if (hidden.test(ch)) {
      if (run) out.push({ text: run });
      run = "";
      out.push({ escape: codePoint(ch) });
    } else run += ch;
  }
  if (run) out.push({ text: run });
  return out;
}

/** The first `max` code points of `value`, and how many were left out. */
export function clip(value: string, max: number): { head: string; omitted: number } {
  const points = Array.from(value);
  return points.length <= max ? { head: value, omitted: 0 } : { head: points.slice(0, max).join(""), omitted: points.length - max };
}

/** Plain-text form (for `<title>`): escapes written out, cut at `max` code points. */
export function plain(value: string, max = 120): string {
  const { head, omitted } = clip(value, max);
  return pieces(head).map((p) => ("text" in p ? p.text : `⟨${p.escape}⟩`)).join("") + (omitted > 0 ? "…" : "");
}

/** Sender-controlled text, escaped; cut after `max` code points when given (tables), with the count left out. */
export function Shown({ value, max, strictness = "identifier" }: { value: string; max?: number; strictness?: Strictness }): Child {
  const { head, omitted } = max === undefined ? { head: value, omitted: 0 } : clip(value, max);
  // `.v` wraps anywhere, so one unbroken value cannot widen its table; other cells keep their words.
  return (
    <span class="v">
      {pieces(head, strictness).map((p) => ("text" in p ? p.text : <span class="esc">{`⟨${p.escape}⟩`}</span>))}
      {omitted > 0 ? <span class="more">{`… (+${omitted} characters)`}</span> : null}
    </span>
  );
}

/** Length at which table cells cut ids, types, keys and names (the event page shows them whole). */
export const CELL_MAX = 80;
