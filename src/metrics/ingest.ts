/**
 * The ingest tally: every answer of `POST /webhooks/:source` counted by source and result/reason,
 * and rejects sampled (header names only, never values). Counting is in memory; see flush.ts.
 */
import { sha256Hex } from "../shared/bytes";
import { scheduleFlush, tally, type MetricsStoreEnv, type WaitUntil } from "./flush";
import { MAX_HEADER_NAMES } from "./tally";

/** Counter of ingest answers (`result`, and `reason` for rejects). */
export const INGEST_COUNTER = "edgehook_ingest_requests_total";

/** Label used for every source name that is not configured (bounds the label set). */
export const UNKNOWN_SOURCE = "(unknown)";

/** The verification failures (the 401 family) that count towards `source.auth_failures`. */
export const AUTH_FAILURE_CODES: ReadonlySet<string> = new Set(["signature_missing", "signature_invalid", "signature_header_too_large", "timestamp_out_of_tolerance"]);

/** Non-reject answers of the ingest route. */
export type IngestResult = "accepted" | "duplicate" | "conflict" | "handshake" | "unavailable";

/** Count one non-reject answer. */
export function countIngest(env: MetricsStoreEnv, ctx: WaitUntil | undefined, source: string, result: IngestResult, at: number): void {
  if (!env.METRICS_STORE) return;
  tally.count(INGEST_COUNTER, { source, result, reason: "" }, at);
  scheduleFlush(env, ctx);
}

/** A rejected request, as the ingest route knows it. */
export interface RejectInfo {
  /** A configured source's name, or UNKNOWN_SOURCE. */
  source: string;
  code: string;
  hint: string;
  request: Request;
  /** The body, when it was read before the reject. */
  body: Uint8Array | null;
  at: number;
}

/** Count one reject and, within the window's cap, keep a sample of it (no await on the response path). */
export function countReject(env: MetricsStoreEnv, ctx: WaitUntil | undefined, r: RejectInfo): void {
  if (!env.METRICS_STORE) return;
  tally.count(INGEST_COUNTER, { source: r.source, result: "rejected", reason: r.code }, r.at);
  if (tally.wantsSample(r.source)) {
    const sampled = rejectSample(r).then((s) => tally.sample(s));
    if (ctx) ctx.waitUntil(sampled);
  }
  scheduleFlush(env, ctx);
}

/** The sample of a reject: header names (sorted, capped), body size and hash, client address and country. */
async function rejectSample(r: RejectInfo) {
  const headerNames = [...new Set([...r.request.headers.keys()].map((k) => k.toLowerCase()))].sort().slice(0, MAX_HEADER_NAMES);
  const cf = (r.request as Request & { cf?: { country?: unknown } }).cf;
  return {
    at: r.at,
    source: r.source,
    code: r.code,
    hint: r.hint.slice(0, 300),
    headerNames,
    bodyBytes: r.body ? r.body.byteLength : null,
    bodySha256: r.body ? await sha256Hex(r.body) : null,
    clientIp: r.request.headers.get("cf-connecting-ip"),
    country: typeof cf?.country === "string" ? cf.country : null,
  };
}
