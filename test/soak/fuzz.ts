/**
 * Bad input, generated with fast-check: malformed bodies, headers, encodings, sizes, methods,
 * unicode, truncated and oversized requests against the real server. None is validly signed and
 * fresh, so every answer must be a documented 4xx error, nothing may be enqueued, nothing may crash.
 */
import fc from "fast-check";
import { request as httpRequest } from "node:http";
import { stripeSignature } from "../../bench/lib/events.mjs";
import type { ChaosSink } from "./chaos-sink";
import { pool } from "./harness";

/** Documented ingest errors (docs/failure-reasons.md) and their statuses. */
export const DOCUMENTED: Record<string, number> = {
  source_unknown: 404,
  method_not_allowed: 405,
  payload_too_large: 413,
  signature_missing: 401,
  signature_invalid: 401,
  signature_header_too_large: 401,
  timestamp_out_of_tolerance: 401,
  payload_malformed: 400,
  not_found: 404,
};

const LIMIT = 64 * 1024; // the fuzz source's maxBodyBytes
const encoder = new TextEncoder();

const bodyArb = fc.oneof(
  fc.uint8Array({ maxLength: 2048 }),
  fc.string({ unit: "binary", maxLength: 1024 }).map((s) => encoder.encode(s)),
  fc.constant(new Uint8Array(0)),
  fc.record({ id: fc.string({ unit: "binary", maxLength: 80 }), type: fc.string(), amount: fc.integer() }).chain((e) =>
    fc.nat({ max: 200 }).map((cut) => encoder.encode(JSON.stringify(e).slice(0, cut))),
  ),
  fc.nat({ max: 4096 }).map((extra) => new Uint8Array(LIMIT + 1 + extra).fill(0x7b)),
);

type SignatureKind = "none" | "random" | "tampered" | "truncated" | "wrong-secret" | "stale" | "future" | "no-v1" | "no-t" | "non-hex" | "huge";
const signatureArb = fc.oneof(
  fc.constantFrom<SignatureKind>("none", "tampered", "truncated", "wrong-secret", "stale", "future", "no-v1", "no-t", "non-hex", "huge"),
  fc.string({ unit: "binary", maxLength: 200 }).map((s) => ["random", s] as const),
);

function signatureFor(kind: SignatureKind | readonly ["random", string], body: Uint8Array): string | undefined {
  const text = new TextDecoder().decode(body);
  const now = Math.floor(Date.now() / 1000);
  if (Array.isArray(kind)) return kind[1];
  switch (kind) {
    case "none":
      return undefined;
    case "tampered":
      return stripeSignature(text + " ");
    case "truncated":
      return stripeSignature(text).slice(0, -7);
    case "wrong-secret":
      return stripeSignature(text, "whsec_wrong");
    case "stale":
      return stripeSignature(text, undefined, now - 3600);
    case "future":
      return stripeSignature(text, undefined, now + 3600);
    case "no-v1":
      return `t=${now}`;
    case "no-t":
      return stripeSignature(text).split(",")[1];
    case "non-hex":
      return `t=${now},v1=${"zz".repeat(32)}`;
    case "huge":
      return `t=${now},${"v1=00,".repeat(1200)}v1=${"0".repeat(64)}`;
  }
  return undefined;
}

const requestArb = fc.record({
  method: fc.constantFrom("POST", "POST", "POST", "POST", "GET", "PUT", "DELETE", "PATCH", "OPTIONS"),
  source: fc.oneof(fc.constant("fuzz"), fc.constant("fuzz"), fc.constant("fuzz"), fc.string({ unit: "binary", minLength: 1, maxLength: 40 })),
  body: bodyArb,
  signature: signatureArb,
  contentType: fc.constantFrom(undefined, "application/json", "text/plain", "application/x-www-form-urlencoded", "application/json; charset=utf-16", "\u00ff/\u00fe"),
  extraHeader: fc.option(fc.tuple(fc.constantFrom("x-forwarded-for", "content-encoding", "transfer-encoding-x", "user-agent"), fc.string({ maxLength: 100 }))),
});

/**
 * One request on its own connection: an early answer (413 before the body is read, 405) lets the
 * server close the connection, and a pooled client would then fail the *next* request on it.
 */
function send(url: string, method: string, headers: Record<string, string>, body: Uint8Array | undefined): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers: { ...headers, ...(body ? { "content-length": String(body.byteLength) } : {}) }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", (error) => {
      // The server may answer 413 and close before the whole oversized body is written.
      if ((error as NodeJS.ErrnoException).code === "EPIPE" || (error as NodeJS.ErrnoException).code === "ECONNRESET") return;
      reject(error);
    });
    req.end(body ? Buffer.from(body) : undefined);
  });
}

/** What the fuzz run saw. */
export interface FuzzReport {
  requests: number;
  statuses: Record<number, number>;
  codes: Record<string, number>;
  violations: { status: number; body: string; input: string }[];
  enqueued: number;
}

/** Send `runs` generated requests (seeded) and classify every answer. */
export async function badInput(url: string, sink: ChaosSink, { runs, seed = 20261123, concurrency = 16 }: { runs: number; seed?: number; concurrency?: number }): Promise<FuzzReport> {
  const inputs = fc.sample(requestArb, { numRuns: runs, seed });
  const statuses: Record<number, number> = {};
  const codes: Record<string, number> = {};
  const violations: FuzzReport["violations"] = [];
  const before = sink.deliveries.filter((d) => d.path === "/fuzz").length;
  await pool(
    inputs.map((input) => async () => {
      const headers: Record<string, string> = {};
      const signature = signatureFor(input.signature as SignatureKind, input.body);
      const safe = (v: string) => v.replace(/[^\t\x20-\x7e\x80-\xff]/g, "?");
      if (signature !== undefined) headers["stripe-signature"] = safe(signature);
      if (input.contentType) headers["content-type"] = safe(input.contentType);
      if (input.extraHeader) headers[input.extraHeader[0]] = safe(input.extraHeader[1]);
      const describe = () => JSON.stringify({ method: input.method, source: input.source, bytes: input.body.byteLength, signature: input.signature, contentType: input.contentType });
      let status = 0;
      let text = "";
      try {
        const res = await send(`${url}/webhooks/${encodeURIComponent(input.source)}`, input.method, headers, input.method === "GET" || input.method === "OPTIONS" ? undefined : input.body);
        status = res.status;
        text = res.text;
      } catch (error) {
        violations.push({ status: 0, body: `${String(error)} (${String((error as { cause?: unknown }).cause)})`, input: describe() });
        return;
      }
      statuses[status] = (statuses[status] ?? 0) + 1;
      let code: string | undefined;
      try {
        code = (JSON.parse(text) as { error?: { code?: string } }).error?.code;
      } catch {
        code = undefined;
      }
      if (code) codes[code] = (codes[code] ?? 0) + 1;
      if (!code || DOCUMENTED[code] !== status) violations.push({ status, body: text.slice(0, 200), input: describe() });
    }),
    concurrency,
  );
  await new Promise((r) => setTimeout(r, 1500));
  return { requests: inputs.length, statuses, codes, violations, enqueued: sink.deliveries.filter((d) => d.path === "/fuzz").length - before };
}
