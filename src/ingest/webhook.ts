/**
 * `POST /webhooks/:source`: route + limits → verify (raw bytes) → identify → ledger → 202 / 200.
 * Never a 2xx unless the ledger stored the event; bad input is a 4xx and never reaches the queue.
 */
import type { Context } from "hono";
import { loadConfig } from "../config";
import { ipAllowed } from "../ingress";
import { countIngest, countReject, UNKNOWN_SOURCE, type IngestResult, type MetricsStoreEnv, type WaitUntil } from "../metrics";
import { ledgerName, planDeliveries, type EventLedger } from "../ledger";
import { LogThrottle, logLine, redactFieldsFrom, requestIdOf, writePoints } from "../observe";
import { indexAccepted, type SearchEnv } from "../search";
import { sha256Hex } from "../shared/bytes";
import { tryParseJson } from "../shared/json";
import { readBodyLimited } from "./body";
import { errorResponse, type ErrorCode } from "./errors";
import { identify } from "./identify";
import { recentlyAccepted } from "./recent";
import { identityProblem } from "./wellformed";
import { headerSafe } from "../shared/header";

/** Bindings the ingest stage uses. */
export interface IngestEnv extends SearchEnv, MetricsStoreEnv {
  EVENT_LEDGER: DurableObjectNamespace<EventLedger>;
  LOG_REDACT_FIELDS?: string;
}

/** Hono context of the ingest route. */
type IngestContext = Context<{ Bindings: IngestEnv }>;

/** Headers always passed on to destinations, beside each preset's own allow-list. */
const ALWAYS_FORWARDED = ["content-type"];

/**
 * One structured, redacted ingest line. Its `requestId` (the caller's well-formed `x-request-id`,
 * else Cloudflare's `cf-ray`, else a new UUID) is made only here, when a line is written, and
 * returned for the response's `x-request-id`: a summarised reject costs no id and names no line.
 */
function log(c: IngestContext, fields: Record<string, unknown>): string {
  const requestId = requestIdOf(c.req.raw.headers);
  logLine("log", "ingest", { requestId, ...fields }, redactFieldsFrom(c.env));
  return requestId;
}

/** The response, naming its log line in `x-request-id` when one was written. */
function named(response: Response, requestId: string | undefined): Response {
  if (requestId !== undefined) response.headers.set("x-request-id", requestId);
  return response;
}

/** This isolate's budget for reject and duplicate lines (`settings.logLinesPerSecond`). */
let throttle = new LogThrottle(0);

/**
 * Log a reject or a duplicate within the per-second budget of its (source, status, code); lines over
 * it are counted and summarised once their second ends (`{"suppressed": n}`). Accepted events are
 * always logged in full. Returns the request id of the line, if one was written.
 */
function logBounded(c: IngestContext, perSecond: number, fields: { source: string; status: number; code: string } & Record<string, unknown>): string | undefined {
  if (throttle.perSecond !== perSecond) throttle = new LogThrottle(perSecond);
  const bucket = throttle;
  const key = `${fields.source}\u0000${fields.status}\u0000${fields.code}`;
  const verdict = bucket.take(key, Date.now());
  if (verdict === "write") return log(c, fields);
  if (verdict === "suppress") return undefined;
  const summarise = () => {
    const suppressed = bucket.drain(key);
    if (suppressed > 0) {
      logLine("log", "ingest", { source: fields.source, status: fields.status, code: fields.code, suppressed, perSecond }, redactFieldsFrom(c.env));
    }
  };
  try {
    c.executionCtx.waitUntil(new Promise((resolve) => setTimeout(resolve, 1000)).then(summarise));
  } catch {
    summarise(); // no execution context (a direct app.fetch): report at once
  }
  return undefined;
}

/**
 * The 2xx answer: the provider's expected acknowledgement body if it has one, else JSON; outcome in
 * headers. The id may hold any character, so its header is percent-encoded (headerSafe); the JSON
 * body carries it as it is.
 */
function answer(ack: string | undefined, result: "accepted" | "duplicate", eventId: string): Response {
  const status = result === "accepted" ? 202 : 200;
  const headers = { "edgehook-status": result, "edgehook-event-id": headerSafe(eventId) };
  if (ack !== undefined) return new Response(ack, { status, headers: { ...headers, "content-type": "text/plain; charset=UTF-8" } });
  return Response.json({ status: result, id: eventId }, { status, headers });
}

/** Header names kept for destinations, per source (built once per source). */
const forwardedBySource = new WeakMap<object, readonly string[]>();

function forwardedHeaders(source: { preset: { forwardHeaders: readonly string[] }; config: { forwardHeaders: readonly string[] } }): readonly string[] {
  let names = forwardedBySource.get(source);
  if (!names) {
    names = [...new Set([...ALWAYS_FORWARDED, ...source.preset.forwardHeaders, ...source.config.forwardHeaders.map((h) => h.toLowerCase())])];
    forwardedBySource.set(source, names);
  }
  return names;
}

/** The execution context, if the app was called with one (a direct `app.fetch(request, env)` has none). */
function ctxOf(c: IngestContext): WaitUntil | undefined {
  try {
    return c.executionCtx;
  } catch {
    return undefined;
  }
}

/** The ingest handler, mounted on every method so wrong ones get a clear 405. */
export async function handleWebhook(c: IngestContext): Promise<Response> {
  const started = Date.now();
  const sourceName = c.req.param("source") ?? "";
  const loaded = loadConfig(c.env);
  const tally = (source: string, result: IngestResult) => countIngest(c.env, ctxOf(c), source, result, started);
  if (!loaded.ok) {
    tally(UNKNOWN_SOURCE, "unavailable");
    return errorResponse("unavailable", "Edgehook's configuration is invalid; the operator must fix it (see the worker logs). Retry later.");
  }
  const { config } = loaded;
  const logBudget = config.raw.settings.logLinesPerSecond;
  const source = config.sources.get(sourceName);
  let bodyRead: Uint8Array | null = null;
  /** A 4xx with its reason code, logged within the line budget (unknown source names share one bucket). */
  const reject = (code: ErrorCode, message: string, headers?: Record<string, string>): Response => {
    const res = errorResponse(code, message, headers);
    countReject(c.env, ctxOf(c), { source: source ? sourceName : UNKNOWN_SOURCE, code, hint: message, request: c.req.raw, body: bodyRead, at: started });
    const where = source ? { source: sourceName } : { source: "(unknown)", requested: sourceName.slice(0, 64) };
    return named(res, logBounded(c, logBudget, { ...where, status: res.status, code, ms: Date.now() - started }));
  };
  if (!source) return reject("source_unknown", `no source named "${sourceName}" is configured`);
  // Before any other work (body, handshake, crypto): a caller outside the allowlist costs one header read.
  if (source.allowList) {
    const ip = ipAllowed(source.allowList, c.req.raw.headers);
    if (!ip.ok) return reject("ip_not_allowed", ip.reason === "not_listed" ? "the caller's address is not in this source's allowIps" : "the request carries no client address (CF-Connecting-IP), so allowIps cannot admit it");
  }
  const isPost = c.req.method === "POST";
  if (!isPost && !source.preset.handshake) {
    return reject("method_not_allowed", "webhooks are accepted with POST only", { allow: "POST" });
  }

  const limit = source.config.maxBodyBytes ?? config.raw.settings.maxBodyBytes;
  const body = isPost ? await readBodyLimited(c.req.raw, limit) : new Uint8Array(0);
  if (!body) return reject("payload_too_large", `the body is larger than this source's limit of ${limit} bytes`);
  bodyRead = body;

  const raw = c.req.raw;
  const headers = raw.headers;
  // The URL is read only by the few schemes that sign it.
  const request = { method: raw.method, get url() { return raw.url; }, headers, body };
  // JSON is parsed before verification only where a handshake needs it: a forged body costs no parse.
  const early = source.preset.handshake ? tryParseJson(body) : undefined;
  const verify = () =>
    source.verifier(request, { secrets: source.secretValues, toleranceSeconds: source.config.toleranceSeconds, now: started });
  if (source.preset.handshake) {
    const answer = await source.preset.handshake({ request, json: early, source: source.config, secrets: source.secretValues, verify });
    if (answer) {
      tally(sourceName, "handshake");
      return named(answer, log(c, { source: sourceName, status: answer.status, result: "handshake", ms: Date.now() - started }));
    }
    if (!isPost) return reject("method_not_allowed", "webhooks are accepted with POST only", { allow: "POST" });
  }

  const verdict = await verify();
  if (!verdict.ok) return reject(verdict.reason, verdict.hint);

  const json = source.preset.handshake ? early : tryParseJson(body);
  const bodySha256 = await sha256Hex(body);
  const identity = await identify(source, headers, body, json, started, bodySha256);
  if (!identity.ok) return reject("payload_malformed", identity.message);
  const illFormed = identityProblem(identity);
  if (illFormed !== null) return reject("event_identity_invalid", illFormed);
  const name = ledgerName(sourceName, identity.eventId);
  // Only a repeat with the stored body is answered here; a conflicting copy goes to the ledger to be recorded.
  if (recentlyAccepted.check(name, bodySha256, started) === "duplicate") {
    tally(sourceName, "duplicate");
    const logged = logBounded(c, logBudget, { source: sourceName, status: 200, code: "duplicate", eventId: identity.eventId, result: "duplicate", cached: true, ms: Date.now() - started });
    return named(answer(source.preset.acknowledgement, "duplicate", identity.eventId), logged);
  }

  const kept: Record<string, string> = {};
  for (const header of forwardedHeaders(source)) {
    const value = headers.get(header);
    if (value !== null) kept[header] = value;
  }

  try {
    const ledger = c.env.EVENT_LEDGER.get(c.env.EVENT_LEDGER.idFromName(name));
    const plan = planDeliveries(source.config.destinations, identity.eventType, json);
    const result = await ledger.accept({
      event: {
        source: sourceName,
        eventId: identity.eventId,
        ...(identity.providerEventId !== undefined ? { providerEventId: identity.providerEventId } : {}),
        eventType: identity.eventType,
        orderingKey: identity.orderingKey,
        occurredAt: identity.occurredAt,
        receivedAt: started,
        headers: kept,
        payload: body,
      },
      ...plan,
      bodySha256,
      dedupeWindowSeconds: config.raw.settings.dedupeWindowSeconds,
      redriveAfterSeconds: config.raw.settings.redriveAfterSeconds,
    });
    const status = result.status === "accepted" ? 202 : 200;
    tally(sourceName, result.status === "duplicate" && result.conflict ? "conflict" : result.status);
    // Remember stored events until (at most) their window ends: accepted here, or a duplicate the ledger
    // confirmed (a retry storm spread over isolates then costs each isolate one ledger request).
    if (result.status === "accepted") recentlyAccepted.add(name, started, config.raw.settings.dedupeWindowSeconds * 1000, bodySha256);
    else recentlyAccepted.add(name, started, result.expiresAt - started, result.sha256);
    if (result.status === "accepted" && plan.destinations.length === 0) {
      // Routed nowhere: the consumer never sees it, so index it here, off the response path.
      c.executionCtx.waitUntil(
        indexAccepted(c.env, { source: sourceName, eventId: identity.eventId, eventType: identity.eventType, receivedAt: started, occurredAt: identity.occurredAt })
          .catch((error) => console.error(JSON.stringify({ msg: "index_write_failed", error: String(error) }))),
      );
    }
    const line = { source: sourceName, eventId: identity.eventId, providerEventId: identity.providerEventId, type: identity.eventType, status, result: result.status, rotationSlot: verdict.secretIndex, ms: Date.now() - started };
    let logged: string | undefined;
    if (result.status === "accepted") logged = log(c, line);
    else if (result.conflict) {
      // Same id, valid signature, another body: the first stays the event; the copy is recorded and told.
      writePoints(c.env, [{ kind: "ingest", source: sourceName, status: "conflict", eventType: identity.eventType }]);
      logged = logBounded(c, logBudget, { ...line, code: "conflict", storedSha256: result.sha256, receivedSha256: bodySha256, conflicts: result.conflict.total });
    } else logged = logBounded(c, logBudget, { ...line, code: "duplicate" });
    return named(answer(source.preset.acknowledgement, result.status, identity.eventId), logged);
  } catch (error) {
    const requestId = requestIdOf(c.req.raw.headers);
    console.error(JSON.stringify({ msg: "ledger_unavailable", requestId, ledger: name, error: String(error) }));
    tally(sourceName, "unavailable");
    return named(errorResponse("unavailable", "the event could not be stored; retry later"), requestId);
  }
}
