/** Small JSON helpers. */

/** Parse JSON from bytes; `undefined` when the bytes are not JSON (never throws). */
export function tryParseJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
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

/** A value as a non-empty string (finite numbers are stringified), else `undefined`. */
export function asString(value: unknown): string | undefined {
  if (typeof value === "string" && value.length > 0) return value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return undefined;
}

/** A path's value as a non-empty string, else `undefined`. */
export function getString(value: unknown, path: string): string | undefined {
  return asString(getPath(value, path));
}

/** Unix seconds, milliseconds (13+ digits) or an ISO-8601 string → ms since the epoch; else `undefined`. */
export function toMillis(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return value < 1e12 ? value * 1000 : value;
  if (typeof value === "string") {
    const ms = /^\d{1,16}$/.test(value) ? Number(value) * (value.length <= 11 ? 1000 : 1) : Date.parse(value);
    return Number.isFinite(ms) ? ms : undefined;
  }
  return undefined;
}
