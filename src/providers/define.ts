/**
 * Small builders that keep presets as data: identification from header/body paths, HMAC rows, and
 * the public-URL rewrite for providers that sign the URL they called.
 */
import type { SourceConfig } from "../config";
import { asString, getExactPath, toMillis } from "../shared/json";
import { prefixedHeader, verifyHmac, type HmacScheme, type InboundRequest, type Verifier } from "../verify";
import type { HandshakeInput, Identity, IdentifyInput, Preset } from "./types";

/** Reads one value from a request: see {@link header} and {@link body}. */
export type Field = (input: IdentifyInput) => unknown;

/** A header value. */
export const header = (name: string): Field => ({ headers }) => headers.get(name) ?? undefined;
/** A dot path into the JSON body; a number comes back with its exact text (a `JsonNumber`). */
export const body = (path: string): Field => ({ json, text }) => getExactPath(json, path, text);
/** The first field that yields a value. */
export const first = (...fields: Field[]): Field => (input) => {
  for (const field of fields) {
    const value = field(input);
    if (asString(value) !== undefined) return value;
  }
  return undefined;
};
/** Several fields joined with `sep`, only when all are present. */
export const joined = (sep: string, ...fields: Field[]): Field => (input) => {
  const parts = fields.map((f) => asString(f(input)));
  return parts.every((p) => p !== undefined) ? parts.join(sep) : undefined;
};

/** Where a preset finds id, type, ordering key and occurred-at (each optional). */
export interface IdentitySpec {
  id?: Field;
  type?: Field;
  key?: Field;
  at?: Field;
}

/** Build an `identify` function from field readers. */
export function identity(spec: IdentitySpec): (input: IdentifyInput) => Identity {
  return (input) => {
    const out: Identity = {};
    const id = spec.id && asString(spec.id(input));
    const type = spec.type && asString(spec.type(input));
    const key = spec.key && asString(spec.key(input));
    const at = spec.at && toMillis(spec.at(input));
    if (id) out.eventId = id;
    if (type) out.eventType = type;
    if (key) out.orderingKey = key;
    if (at !== undefined) out.occurredAt = at;
    return out;
  };
}

/** The URL the provider signed: `publicUrl` when configured (plus the request's query if it has none). */
export function effectiveUrl(source: SourceConfig, requestUrl: string): string {
  if (!source.publicUrl) return requestUrl;
  if (source.publicUrl.includes("?")) return source.publicUrl;
  return source.publicUrl + new URL(requestUrl).search;
}

/** Run a verifier on the request as the provider addressed it (see {@link effectiveUrl}). */
export function withPublicUrl(source: SourceConfig, verifier: Verifier): Verifier {
  return (request, options) => verifier({ ...request, url: effectiveUrl(source, request.url) }, options);
}

/** Defaults shared by the HMAC rows: SHA-256, UTF-8 key, hex, body only. */
export type HmacRow = Partial<Omit<HmacScheme, "parse">> & Pick<HmacScheme, "parse">;

/** A verifier over an HMAC row. */
export function hmacVerifier(row: HmacRow): Verifier {
  const scheme: HmacScheme = { algorithm: "SHA-256", key: "utf8", encoding: "hex", template: "{body}", ...row };
  return (request, options) => verifyHmac(scheme, request, options);
}

/** A preset whose verifier is one HMAC row. */
export function hmacPreset(
  id: string,
  row: HmacRow,
  spec: IdentitySpec,
  forwardHeaders: readonly string[] = [],
  extra: { usesUrl?: boolean; handshake?: (input: HandshakeInput) => Promise<Response | null> } = {},
): Preset {
  const verifier = hmacVerifier(row);
  return {
    id,
    verifier: (source) => (extra.usesUrl ? withPublicUrl(source, verifier) : verifier),
    identify: identity(spec),
    forwardHeaders,
    ...(extra.handshake ? { handshake: extra.handshake } : {}),
  };
}

/** `<header>: <prefix><hex|base64>` over the body — the most common scheme. */
export function bodyHmac(headerName: string, prefix = "", options: Omit<HmacRow, "parse"> = {}): HmacRow {
  return { parse: prefixedHeader(headerName, prefix), ...options };
}

/** A JSON response. */
export function json(value: unknown, status = 200): Response {
  return new Response(JSON.stringify(value), { status, headers: { "content-type": "application/json" } });
}

/** A plain-text response (handshake echoes), never sniffed as HTML. */
export function text(value: string, status = 200): Response {
  return new Response(value, { status, headers: { "content-type": "text/plain; charset=utf-8", "x-content-type-options": "nosniff" } });
}

