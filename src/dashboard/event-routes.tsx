/**
 * The dashboard's routes for one event: its page, its raw payload as a download, and replay. Each is
 * served by query (`/dashboard/event?source=&id=`, what every link uses: it reaches every id, `.` and
 * `..` included, which URL normalisation removes from a path) and, for old links, by path.
 */
import type { Context, Hono } from "hono";
import { audit, ledgerOf, PAYLOAD_DOWNLOAD_HEADERS, payloadPreview, replayOne, storedTransformInput, testTransform } from "../admin";
import { loadConfig } from "../config";
import type { LedgerView } from "../ledger";
import { transformFor } from "../transform";
import type { DashboardBindings } from "./auth";
import { EventPage, type TransformPanel } from "./detail";
import { eventLinks } from "../workflow";
import { eventHref } from "./layout";

type Ctx = Context<DashboardBindings>;

/** Source and id of the event a request names (query form first, then path), or null. */
function eventOf(c: Ctx): { source: string; eventId: string } | null {
  const source = c.req.query("source") ?? c.req.param("source");
  const eventId = c.req.query("id") ?? c.req.param("eventId");
  if (!source || !eventId || source.length > 200 || eventId.length > 1024) return null;
  return { source, eventId };
}

const notStored = "no such event in the ledger (unknown, or past its dedupe window)";

/** Each task's destination → the transform configured for it now (for the "Test transform" buttons). */
function transformsOf(c: Ctx, view: LedgerView): Record<string, string> {
  const loaded = loadConfig(c.env);
  if (!loaded.ok) return {};
  const entries = view.tasks.map((t) => [t.destination, transformFor(loaded.config.raw, view.event.source, t.destination)?.name] as const);
  return Object.fromEntries(entries.filter((e): e is readonly [string, string] => e[1] !== undefined));
}

async function page(c: Ctx, preview?: TransformPanel["preview"]) {
  const e = eventOf(c);
  if (!e) return c.text("name an event: /dashboard/event?source=<source>&id=<event id>", 400);
  const ledger = ledgerOf(c.env, e.source, e.eventId);
  const [view, payload] = await Promise.all([ledger.inspect(), ledger.payload()]);
  if (!view) return c.text(notStored, 404);
  const readable = payload?.ok ? payload.payload : null; // an encrypted event whose key is gone: the page says why
  const links = await eventLinks(c.env.EVENT_LEDGER, view, readable);
  const panel = { transforms: transformsOf(c, view), ...(preview ? { preview } : {}) };
  return c.html(<EventPage view={view} payload={readable ? payloadPreview(readable) : null} links={links} csrf={c.get("csrf")} panel={panel} />);
}

/** Run a destination's transform on this event and show the output on the event page; nothing is sent or stored. */
async function transformTest(c: Ctx) {
  const e = eventOf(c);
  if (!e) return c.text("name an event: /dashboard/event/transform-test?source=<source>&id=<event id>", 400);
  const destination = c.get("form").destination ?? "";
  const loaded = loadConfig(c.env);
  const transform = loaded.ok ? transformFor(loaded.config.raw, e.source, destination) : null;
  if (!transform) return c.text("that destination has no transform for this source", 400);
  const input = await storedTransformInput(c.env, e.source, e.eventId);
  if (!input) return c.text(notStored, 404);
  if ("unreadable" in input) return c.text(input.unreadable.message, 409);
  const result = await testTransform(c.env, transform.name, transform.code, input);
  audit(c, "transform_test", { source: e.source, eventId: e.eventId, transform: transform.name, version: result.version });
  return page(c, { destination, result });
}

/** The original body, byte for byte, as an attachment: the session is enough (the API's bearer token is not in the browser). */
async function download(c: Ctx) {
  const e = eventOf(c);
  if (!e) return c.text("name an event: /dashboard/event/payload?source=<source>&id=<event id>", 400);
  const payload = await ledgerOf(c.env, e.source, e.eventId).payload();
  if (!payload) return c.text(notStored, 404);
  if (!payload.ok) return c.text(payload.message, 409);
  return c.body(new Uint8Array(payload.payload), 200, PAYLOAD_DOWNLOAD_HEADERS);
}

async function replay(c: Ctx) {
  const e = eventOf(c);
  if (!e) return c.text("name an event: /dashboard/event/replay?source=<source>&id=<event id>", 400);
  const form = c.get("form");
  const result = await replayOne(c.env, e.source, e.eventId, { ...(form.destination ? { destination: form.destination } : {}), includeDelivered: form.includeDelivered === "1", includeFiltered: form.includeFiltered === "1" });
  if (!result) return c.text("no such event in the ledger", 404);
  audit(c, "replay", { source: e.source, eventId: e.eventId, replayed: result.replayed });
  return c.redirect(eventHref(e.source, e.eventId), 303);
}

/** Register the event routes (behind the session middleware). */
export function eventRoutes(dash: Hono<DashboardBindings>): void {
  dash.get("/event", (c) => page(c));
  dash.get("/event/payload", download);
  dash.post("/event/replay", replay);
  dash.post("/event/transform-test", transformTest);
  dash.get("/events/:source/:eventId", (c) => page(c));
  dash.get("/events/:source/:eventId/payload", download);
  dash.post("/events/:source/:eventId/replay", replay);
  dash.post("/events/:source/:eventId/transform-test", transformTest);
}
