/** Admin routes for events: list/search (index), detail with payload (ledger), replay one. */
import type { Context, Hono } from "hono";
import { z } from "zod";
import { ledgerName } from "../ledger";
import { listEvents, setTaskStatus } from "../search";
import { textOrBase64 } from "../shared/bytes";
import { eventLinks } from "../workflow";
import { audit } from "./audit";
import type { AdminBindings, AdminEnv } from "./env";
import { apiError, route } from "./route";
import { eventDetailSchema, eventListQuery, eventPageSchema, eventParams, eventQuery, replayOneBody, replayOneResult } from "./schemas";

/** Payload bytes shown inline in the event detail; the full body is at `/payload`. */
export const PAYLOAD_PREVIEW_BYTES = 64 * 1024;

/** Show a body as UTF-8 text when it is valid UTF-8, else base64; bounded. */
export function payloadPreview(bytes: Uint8Array, limit = PAYLOAD_PREVIEW_BYTES): z.infer<typeof eventDetailSchema>["payload"] {
  const truncated = bytes.byteLength > limit;
  const { encoding, text } = textOrBase64(bytes.subarray(0, limit), truncated);
  return { encoding, data: text, truncated };
}

/** The ledger stub of an event. */
export function ledgerOf(env: AdminEnv, source: string, eventId: string) {
  return env.EVENT_LEDGER.get(env.EVENT_LEDGER.idFromName(ledgerName(source, eventId)));
}

/** Headers of a raw payload download: bytes, never sniffed or rendered, saved as a file. */
export const PAYLOAD_DOWNLOAD_HEADERS = { "content-type": "application/octet-stream", "content-disposition": 'attachment; filename="payload.bin"', "x-content-type-options": "nosniff" };

const notStored = "no such event in the ledger (unknown, or past its dedupe window)";

/** Register the event routes. */
export function eventRoutes(api: Hono<AdminBindings>): void {
  route(api, { method: "get", path: "/v1/events", tag: "events", summary: "List and search indexed events, newest first (cursor pagination)", query: eventListQuery, responses: { 200: { description: "a page of events", schema: eventPageSchema } } }, async (c, { query }) => {
    if (!c.env.EVENT_INDEX) return apiError(c, 503, "index_unavailable", "the EVENT_INDEX D1 binding is not configured");
    const page = await listEvents(c.env.EVENT_INDEX, query);
    if ("error" in page) return apiError(c, 400, "validation_failed", "the cursor is malformed; pass nextCursor from a previous page", { problems: ["query.cursor: malformed"] });
    return c.json(page);
  });

  // Each event is addressable two ways: by path (`/v1/events/:source/:eventId`, each segment
  // percent-encoded) and by query (`/v1/event?source=&id=`), which also reaches the ids `.` and `..`
  // that URL normalisation removes from a path (RFC 3986 §5.2.4) before any router sees them.
  const detail = { tag: "events", summary: "One event as the ledger holds it: metadata, headers, payload preview, per-destination attempts", responses: { 200: { description: "the event", schema: eventDetailSchema }, 404: { description: "not stored" } } };
  route(api, { method: "get", path: "/v1/events/:source/:eventId", params: eventParams, ...detail }, (c, { params }) => showEvent(c, params.source, params.eventId));
  route(api, { method: "get", path: "/v1/event", query: eventQuery, ...detail, summary: `${detail.summary} (addressed by query: every id)` }, (c, { query }) => showEvent(c, query.source, query.id));

  const raw = {
    tag: "events",
    summary: "The original body, byte for byte (decrypted when stored encrypted)",
    responses: { 200: { description: "the body (application/octet-stream)" }, 404: { description: "not stored" }, 409: { description: "encrypted under a key no longer configured (encryption_key_unavailable), or failed its integrity check (payload_unreadable)" } },
  };
  route(api, { method: "get", path: "/v1/events/:source/:eventId/payload", params: eventParams, ...raw }, (c, { params }) => rawPayload(c, params.source, params.eventId));
  route(api, { method: "get", path: "/v1/event/payload", query: eventQuery, ...raw, summary: `${raw.summary} (addressed by query: every id)` }, (c, { query }) => rawPayload(c, query.source, query.id));

  const again = { tag: "events", summary: "Replay one event's dead tasks (all destinations or one); idempotent", body: replayOneBody, responses: { 200: { description: "what was re-opened", schema: replayOneResult }, 404: { description: "not stored" } } };
  route(api, { method: "post", path: "/v1/events/:source/:eventId/replay", params: eventParams, ...again }, (c, { params, body }) => replayRoute(c, params.source, params.eventId, body));
  route(api, { method: "post", path: "/v1/event/replay", query: eventQuery, ...again, summary: `${again.summary} (addressed by query: every id)` }, (c, { query, body }) => replayRoute(c, query.source, query.id, body));
}

/** `GET` one event: the ledger's view and a payload preview. */
async function showEvent(c: Context<AdminBindings>, source: string, eventId: string) {
  const ledger = ledgerOf(c.env, source, eventId);
  const [view, payload] = await Promise.all([ledger.inspect(), ledger.payload()]);
  if (!view) return apiError(c, 404, "not_found", notStored);
  const readable = payload?.ok ? payload.payload : null; // an encrypted event whose key is gone: view.event.encryption.problem says why
  const links = await eventLinks(c.env.EVENT_LEDGER, view, readable);
  return c.json({ event: view.event, payload: readable ? payloadPreview(readable) : null, tasks: view.tasks, links });
}

/** `GET` one event's original body as a download (never rendered: it is the sender's bytes). */
async function rawPayload(c: Context<AdminBindings>, source: string, eventId: string) {
  const payload = await ledgerOf(c.env, source, eventId).payload();
  if (!payload) return apiError(c, 404, "not_found", notStored);
  if (!payload.ok) return apiError(c, 409, payload.reason, payload.message);
  return c.body(new Uint8Array(payload.payload), 200, PAYLOAD_DOWNLOAD_HEADERS);
}

/** `POST` replay of one event, audited. */
async function replayRoute(c: Context<AdminBindings>, source: string, eventId: string, body: z.output<typeof replayOneBody>) {
  const result = await replayOne(c.env, source, eventId, body);
  if (!result) return apiError(c, 404, "not_found", notStored);
  audit(c, "replay", { source, eventId, replayed: result.replayed });
  return c.json(result);
}

/**
 * Replay one event in its ledger and mark the re-opened tasks pending in the index. The index is
 * keyed by received time first, so the received time is read from the ledger (one more request, only
 * when something was replayed) rather than searched for in the index without its key.
 */
export async function replayOne(env: AdminEnv, source: string, eventId: string, options: { destination?: string; includeDelivered?: boolean; includeFiltered?: boolean }) {
  const ledger = ledgerOf(env, source, eventId);
  const result = await ledger.replay({
    ...(options.destination ? { destinations: [options.destination] } : {}),
    statuses: ["dead", ...(options.includeDelivered ? (["delivered"] as const) : []), ...(options.includeFiltered ? (["filtered"] as const) : [])],
  });
  if (result && result.replayed.length > 0) {
    const view = await ledger.inspect();
    if (view) {
      const { receivedAt } = view.event;
      await setTaskStatus(env, result.replayed.map((destination) => ({ receivedAt, source, eventId, destination, status: "pending" as const, attempts: 0 })), Date.now());
    }
  }
  return result;
}
