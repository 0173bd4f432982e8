/** Small JSON helpers. */
import { exactNumberText, JsonNumber } from "./exact-json";

export { JsonNumber } from "./exact-json";

/** The text `tryParseJson` parses: UTF-8, a leading BOM dropped, bad sequences as U+FFFD. */
export function jsonText(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}

/** Parse JSON from bytes; `undefined` when the bytes are not JSON (never throws). */
export function tryParseJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(jsonText(bytes));
  } catch {
    return undefined;
  }
}

/** Read a dot path (`data.object.id`, `items.0.id`) from a parsed JSON value. */
export function getPath(value: unknown, path: string): unknown {
  let current = value;
  for (const part of path.split(".")) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

/**
 * A path's value like {@link getPath}, except that a number comes back as a {@link JsonNumber} holding
 * its exact text in `text` (the JSON `value` was parsed from), so ids keep every digit.
 */
export function getExactPath(value: unknown, path: string, text: (() => string) | undefined): unknown {
  const found = getPath(value, path);
  if (typeof found !== "number" || text === undefined) return found;
  const exact = exactNumberText(text(), path);
  return exact === undefined ? found : new JsonNumber(exact, found);
}

/**
 * A value as a non-empty string, else `undefined`: a {@link JsonNumber} is its exact text (so the id
 * `1` and the id `"1"` are the same), other finite numbers are stringified.
 */
export function asString(value: unknown): string | undefined {
  if (typeof value === "string" && value.length > 0) return value;
  if (value instanceof JsonNumber) return value.text;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return undefined;
}

/** A path's value as a non-empty string, else `undefined`. */
export function getString(value: unknown, path: string): string | undefined {
  return asString(getPath(value, path));
}

/** Unix seconds, milliseconds (13+ digits) or an ISO-8601 string → ms since the epoch; else `undefined`. */
export function toMillis(value: unknown): number | undefined {
  if (value instanceof JsonNumber) value = value.value;
  if (typeof value === "number" && Number.isFinite(value)) return value < 1e12 ? value * 1000 : value;
  if (typeof value === "string") {
    const ms = /^\d{1,16}$/.test(value) ? Number(value) * (value.length <= 11 ? 1000 : 1) : Date.parse(value);
    return Number.isFinite(ms) ? ms : undefined;
  }
  return undefined;
}
