/**
 * Structured logs: one JSON object per line, with a request id, and values redacted by key — keys
 * that look secret (token, secret, signature, authorization, cookie, password) always, and the
 * configured PII fields (`LOG_REDACT_FIELDS`, comma-separated, e.g. "email,phone,address").
 */
import type { MiddlewareHandler } from "hono";

/** What a redacted value is replaced with. */
export const REDACTED = "[redacted]";

/** PII keys redacted when `LOG_REDACT_FIELDS` is not set. */
export const DEFAULT_PII_FIELDS = ["email", "phone", "address", "name", "ip"];

const SECRET_KEY = /token|secret|signature|authorization|cookie|password|api[_-]?key/i;

const piiSets = new Map<string | undefined, Set<string>>();

/** The PII field names to redact, from the `LOG_REDACT_FIELDS` var (lower-cased); parsed once per value. */
export function redactFieldsFrom(env: { LOG_REDACT_FIELDS?: unknown }): Set<string> {
  const given = typeof env.LOG_REDACT_FIELDS === "string" ? env.LOG_REDACT_FIELDS : undefined;
  let set = piiSets.get(given);
  if (!set) {
    const raw = given !== undefined ? given.split(",") : DEFAULT_PII_FIELDS;
    set = new Set(raw.map((f) => f.trim().toLowerCase()).filter(Boolean));
    if (piiSets.size < 16) piiSets.set(given, set);
  }
  return set;
}

/** A copy of `value` with secret-looking and PII keys redacted, at any depth (pure). */
export function redact(value: unknown, pii: Set<string>, depth = 0): unknown {
  if (depth > 8 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, pii, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_KEY.test(k) || pii.has(k.toLowerCase()) ? REDACTED : redact(v, pii, depth + 1);
  }
  return out;
}

/** A request id: the caller's `x-request-id` when well-formed, else Cloudflare's `cf-ray`, else a new UUID. */
export function requestIdOf(headers: Headers): string {
  const given = headers.get("x-request-id");
  if (given && /^[A-Za-z0-9._-]{8,64}$/.test(given)) return given;
  return headers.get("cf-ray") ?? crypto.randomUUID();
}

/** Write one structured log line (redacted). */
export function logLine(level: "log" | "error", msg: string, fields: Record<string, unknown>, pii: Set<string>): void {
  console[level](JSON.stringify({ msg, ...(redact(fields, pii) as Record<string, unknown>) }));
}

/**
 * Give every request an id (`c.get("requestId")`) and echo it as `x-request-id`.
 * @example app.use("*", withRequestId())
 */
export function withRequestId(): MiddlewareHandler<{ Variables: { requestId: string } }> {
  return async (c, next) => {
    // Idempotent: an app and a sub-app may both install it; the first id wins.
    const id = c.get("requestId") ?? requestIdOf(c.req.raw.headers);
    c.set("requestId", id);
    await next();
    c.res.headers.set("x-request-id", id);
  };
}
