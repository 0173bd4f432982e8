/**
 * Pure: what a transform sees (the event) and what its output changes in a delivery. The output is
 * checked before anything is sent: unknown keys, a non-string header, a reserved header, a type or
 * path that cannot travel are refused (the task ends `transform_failed` with the reason).
 */
import { toBase64, utf8 } from "../shared/bytes";

/** What a transform receives. */
export interface TransformEvent {
  source: string;
  eventId: string;
  eventType: string;
  headers: Record<string, string>;
  /** The body parsed as JSON, or its text when it is not JSON. */
  payload: unknown;
  /** The body, base64. */
  raw: string;
}

/** What a transform's output resolves to: the bytes and headers to send, or a drop. */
export type Shaped =
  | { dropped: true }
  | { dropped: false; payload: Uint8Array; headers: Record<string, string>; eventType: string; path: string | null };

/** The fields of an event a transform can see or change. */
export interface ShapeInput {
  source: string;
  eventId: string;
  eventType: string;
  headers: Record<string, string>;
  payload: Uint8Array;
}

/** Headers a transform may not set: the signature, Edgehook's own, and transport headers. */
const RESERVED = /^(webhook-|edgehook-)|^(content-length|host|user-agent|transfer-encoding|connection|keep-alive|upgrade|te|trailer)$/;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/;
const MAX_HEADERS = 32;
const MAX_HEADER_VALUE = 4096;
/** Same bound as an event type from a provider (docs/delivery.md "Header encoding"). */
const MAX_EVENT_TYPE = 256;
const MAX_PATH = 1024;

/**
 * The event a transform receives.
 * @example transformInput({ source: "stripe", eventId: "evt_1", eventType: "x", headers: {}, payload: utf8("{}") }).payload // {}
 */
export function transformInput(event: ShapeInput): TransformEvent {
  let text: string | null = null;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(event.payload);
  } catch {
    text = null;
  }
  let payload: unknown = text;
  if (text !== null) {
    try {
      payload = JSON.parse(text);
    } catch {
      payload = text;
    }
  }
  return { source: event.source, eventId: event.eventId, eventType: event.eventType, headers: event.headers, payload, raw: toBase64(event.payload) };
}

/** A checked output, or the reason it cannot be sent. */
export type ShapeResult = { ok: true; shaped: Shaped } | { ok: false; error: string };

const bad = (error: string): ShapeResult => ({ ok: false, error: `invalid output: ${error}` });

/**
 * Apply a transform's output to an event. `null` drops it; `payload` (a string is sent as is, any
 * other JSON value as JSON), `headers` (merged over the forwarded ones), `eventType` and `path`
 * (appended to the destination URL) change what is sent; absent fields keep the original.
 */
export function applyOutput(event: ShapeInput, output: unknown): ShapeResult {
  if (output === null) return { ok: true, shaped: { dropped: true } };
  if (typeof output !== "object" || Array.isArray(output)) return bad("return an object { payload?, headers?, eventType?, path? } or null");
  const out = output as Record<string, unknown>;
  const unknownKey = Object.keys(out).find((k) => !["payload", "headers", "eventType", "path"].includes(k));
  if (unknownKey !== undefined) return bad(`unknown key "${unknownKey.slice(0, 64)}" (allowed: payload, headers, eventType, path)`);
  const headers = { ...event.headers };
  let payload = event.payload;
  if ("payload" in out && out.payload !== undefined) {
    if (typeof out.payload === "string") payload = utf8(out.payload);
    else {
      payload = utf8(JSON.stringify(out.payload));
      headers["content-type"] = "application/json";
    }
  }
  if (out.headers !== undefined) {
    if (typeof out.headers !== "object" || out.headers === null || Array.isArray(out.headers)) return bad("headers must be an object of strings");
    const entries = Object.entries(out.headers as Record<string, unknown>);
    if (entries.length > MAX_HEADERS) return bad(`more than ${MAX_HEADERS} headers`);
    for (const [rawName, value] of entries) {
      const name = rawName.toLowerCase();
      if (!TOKEN.test(name)) return bad(`"${rawName.slice(0, 64)}" is not a header name`);
      if (RESERVED.test(name)) return bad(`header "${name}" is set by Edgehook and cannot be changed`);
      if (typeof value !== "string" || value.length > MAX_HEADER_VALUE || /[\0\r\n]/.test(value)) return bad(`header "${name}" must be a string of at most ${MAX_HEADER_VALUE} characters without CR, LF or NUL`);
      headers[name] = value;
    }
  }
  let eventType = event.eventType;
  if (out.eventType !== undefined) {
    if (typeof out.eventType !== "string" || out.eventType.length === 0 || out.eventType.length > MAX_EVENT_TYPE || !out.eventType.isWellFormed()) return bad(`eventType must be a non-empty string of at most ${MAX_EVENT_TYPE} characters`);
    eventType = out.eventType;
  }
  let path: string | null = null;
  if (out.path !== undefined) {
    const p = out.path;
    if (typeof p !== "string" || !/^\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/?]*$/.test(p) || p.length > MAX_PATH || p.startsWith("//") || /(^|\/)\.\.?(\/|\?|$)/.test(p)) {
      return bad(`path must start with "/", hold URL path characters only, no "." or ".." segments, at most ${MAX_PATH} characters`);
    }
    path = p;
  }
  return { ok: true, shaped: { dropped: false, payload, headers, eventType, path } };
}

/**
 * The URL a shaped delivery goes to: the destination URL with `path` appended to its path (its
 * query replaced when `path` has one); always the destination's own origin.
 * @example targetUrl("https://svc.example/hooks?x=1", "/orders") // "https://svc.example/hooks/orders?x=1"
 */
export function targetUrl(base: string, path: string | null): string {
  if (path === null) return base;
  const url = new URL(base);
  const [pathname, query] = path.split(/\?(.*)/s, 2) as [string, string | undefined];
  url.pathname = url.pathname.replace(/\/$/, "") + pathname;
  if (query !== undefined) url.search = query;
  return url.toString();
}
