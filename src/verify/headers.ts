/**
 * Signature-header parsers: the few shapes providers use. Each returns `null` when the header is
 * absent, and never throws on malformed input (unknown entries are ignored, as the SDKs do). A header
 * over the size cap is not split at all: its length is reported and `verifySigned` refuses it.
 */
import { VERIFY_LIMITS } from "./limits";
import type { ParsedSignature } from "./signed";
import type { InboundRequest } from "./types";

/** `<prefix><signature>` in one header, e.g. GitHub's `sha256=<hex>`. */
export function prefixedHeader(header: string, prefix = "", timestampHeader?: string, idHeader?: string) {
  return (request: InboundRequest): ParsedSignature | null => {
    const value = request.headers.get(header);
    if (value === null) return null;
    if (value.length > VERIFY_LIMITS.headerChars) return { candidates: [], headerChars: value.length };
    const trimmed = value.trim();
    const candidates = trimmed.startsWith(prefix) && trimmed.length > prefix.length ? [trimmed.slice(prefix.length)] : [];
    return withFields(request, { candidates }, timestampHeader, idHeader);
  };
}

/** Key-value lists such as Stripe's `t=…,v1=…,v1=…` or Paddle's `ts=…;h1=…`. */
export function keyValueHeader(header: string, options: { separator: string; timestampKey: string; signatureKey: string }) {
  return (request: InboundRequest): ParsedSignature | null => {
    const value = request.headers.get(header);
    if (value === null) return null;
    const parsed: ParsedSignature = { candidates: [], headerChars: value.length };
    if (value.length > VERIFY_LIMITS.headerChars) return parsed;
    for (const item of value.split(options.separator)) {
      const at = item.indexOf("=");
      if (at <= 0) continue;
      const key = item.slice(0, at).trim();
      const val = item.slice(at + 1).trim();
      if (key === options.timestampKey) parsed.timestamp = val;
      else if (key === options.signatureKey) parsed.candidates.push(val);
    }
    return parsed;
  };
}

/** Space-separated `<version>,<signature>` lists (Standard Webhooks, Svix), plus id and timestamp headers. */
export function versionedListHeader(header: string, version: string, idHeader: string, timestampHeader: string) {
  return (request: InboundRequest): ParsedSignature | null => {
    const value = request.headers.get(header);
    if (value === null) return null;
    if (value.length > VERIFY_LIMITS.headerChars) return { candidates: [], headerChars: value.length };
    const candidates: string[] = [];
    for (const entry of value.split(" ")) {
      const comma = entry.indexOf(",");
      if (comma > 0 && entry.slice(0, comma) === version) candidates.push(entry.slice(comma + 1));
    }
    return withFields(request, { candidates }, timestampHeader, idHeader);
  };
}

function withFields(request: InboundRequest, parsed: ParsedSignature, timestampHeader?: string, idHeader?: string): ParsedSignature {
  const timestamp = timestampHeader ? request.headers.get(timestampHeader) : null;
  const id = idHeader ? request.headers.get(idHeader) : null;
  if (timestamp !== null) parsed.timestamp = timestamp;
  if (id !== null) parsed.id = id;
  return parsed;
}
