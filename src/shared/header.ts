/** Header-safe text: ids, types and keys may hold any character; a header value may not. Pure. */

/** Printable ASCII except '%', not starting or ending with a space: passes unchanged. */
const PLAIN = /^(?:[\x21-\x24\x26-\x7e](?:[\x20-\x24\x26-\x7e]*[\x21-\x24\x26-\x7e])?)?$/;

const encoder = new TextEncoder();

/**
 * A value fit for an HTTP header whatever it holds: each UTF-8 byte outside printable ASCII
 * (0x20–0x7E), '%' itself, and a space at either end (a header cannot keep it) become `%XX`
 * (upper-case hex), so `decodeURIComponent` gives the value back. Plain ids pass unchanged.
 * @example headerSafe("evt_1\r\n") // "evt_1%0D%0A"
 */
export function headerSafe(value: string): string {
  if (PLAIN.test(value)) return value;
  const bytes = encoder.encode(value);
  let out = "";
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    const edgeSpace = b === 0x20 && (i === 0 || i === bytes.length - 1);
    out += b >= 0x20 && b <= 0x7e && b !== 0x25 && !edgeSpace ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** Control characters a header value cannot carry over HTTP (RFC 9110 field-value: HTAB is allowed). */
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;

/**
 * A forwarded provider header as sent on: unchanged, unless it holds a control character a
 * destination's HTTP parser would refuse (the attempt would fail forever), then {@link headerSafe}.
 * @example forwardedValue("issues") // "issues"; forwardedValue("a\u0001b") // "a%01b"
 */
export function forwardedValue(value: string): string {
  return CONTROL.test(value) ? headerSafe(value) : value;
}
