/**
 * Every stored event is addressable (issue 12 item 14): validly signed events whose ids are `.`, `..`,
 * or carry `/`, `%`, `:`, `?`, `#`, `+`, controls, bidi or non-ASCII characters are opened, downloaded
 * and replayed through the admin API (by query) and through the dashboard's own links, end to end.
 */
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { TEST_SECRETS } from "../support/fixtures";
import { signRequest } from "../support/signer";
import { api } from "./admin-helpers";
import { post, settled, waitFor } from "./helpers";

const BASE = "https://edgehook.test";
const COOKIE = "__Host-edgehook_session";

/** Ids a provider may legitimately send that break path addressing (normalisation, `%` decoding, separators). */
const HOSTILE_IDS = [".", "..", "a/b", "%2F", "%", "a:b", "x%3Ay", "%2E%2E", "../admin", "a?b=c", "a#b", "a+b c", "a&id=b", "evt\u0001\u007f\u0085ctl", "tab\tid", "nul\u0000id", "cr\rlf\nid", "ü€😀", "rtl\u202Efdp.exe"];

/** A validly signed Stripe event with this id and type. */
async function ingest(id: string, type: string): Promise<Uint8Array> {
  const body = JSON.stringify({ id, object: "event", type, created: Math.floor(Date.now() / 1000), data: { object: { id: "pi_1" } } });
  const signed = await signRequest({ preset: "stripe", secret: TEST_SECRETS.STRIPE_SECRET, body });
  const res = await post("stripe", signed);
  expect(res.status, `ingest ${JSON.stringify(id)}`).toBe(202);
  return signed.body;
}

async function login(): Promise<string> {
  const res = await exports.default.fetch(`${BASE}/dashboard/login`, { method: "POST", body: new URLSearchParams({ token: env.ADMIN_TOKEN }), headers: { origin: BASE }, redirect: "manual" });
  return /__Host-edgehook_session=([^;]+)/.exec(res.headers.get("set-cookie")!)![1]!;
}

function dashboard(path: string, cookie: string, form?: Record<string, string>) {
  return exports.default.fetch(`${BASE}${path}`, {
    method: form ? "POST" : "GET",
    headers: { cookie: `${COOKIE}=${cookie}`, origin: BASE },
    redirect: "manual",
    ...(form ? { body: new URLSearchParams(form) } : {}),
  });
}

/** Undo Hono JSX's attribute escaping. */
const unescape = (s: string) => s.replaceAll("&quot;", '"').replaceAll("&#39;", "'").replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&");

/** The link of each row of the events table, by the row's event id. */
function rowLinks(html: string): Map<string, string> {
  const links = new Map<string, string>();
  for (const m of html.matchAll(/<tr data-event-id="([^"]*)">.*?<a href="([^"]*)"/gs)) links.set(unescape(m[1]!), unescape(m[2]!));
  return links;
}

const query = (id: string) => new URLSearchParams({ source: "stripe", id });

describe("hostile event ids are addressable end to end", () => {
  const type = `addr.${crypto.randomUUID().slice(0, 8)}`;
  const bodies = new Map<string, Uint8Array>();

  it("ingests each validly signed (202) and delivers it", async () => {
    for (const id of HOSTILE_IDS) bodies.set(id, await ingest(id, type));
    for (const id of HOSTILE_IDS) expect((await settled("stripe", id)).tasks.map((t) => t.status), id).toEqual(["delivered"]);
  });

  it("the admin API opens, downloads and replays each by query", async () => {
    for (const id of HOSTILE_IDS) {
      const detail = await api(`/v1/event?${query(id)}`);
      expect(detail.status, id).toBe(200);
      const json = (await detail.json()) as { event: { eventId: string; eventType: string } };
      expect(json.event.eventId, id).toBe(id);
      expect(json.event.eventType).toBe(type);

      const raw = await api(`/v1/event/payload?${query(id)}`);
      expect(raw.status, id).toBe(200);
      expect(new Uint8Array(await raw.arrayBuffer()), id).toEqual(bodies.get(id));

      const replay = await api(`/v1/event/replay?${query(id)}`, { body: { includeDelivered: true } });
      expect(replay.status, id).toBe(200);
      expect(await replay.json(), id).toEqual({ replayed: ["ok"] });
      await waitFor(async () => (await settled("stripe", id)).tasks[0]!.log.length === 2, 15_000, `${JSON.stringify(id)} delivered again`);
    }
  });

  it("an unknown id is a 404 and a missing one a 400, both still behind the token", async () => {
    expect((await api(`/v1/event?${query("never-sent")}`)).status).toBe(404);
    expect((await api("/v1/event?source=stripe")).status).toBe(400);
    expect((await api(`/v1/event?${query(".")}`, { token: null })).status).toBe(401);
  });

  it("the dashboard's own links open, download and replay each", async () => {
    const cookie = await login();
    const list = await dashboard(`/dashboard/events?${new URLSearchParams({ source: "stripe", type })}`, cookie);
    expect(list.status).toBe(200);
    const links = rowLinks(await list.text());
    expect([...links.keys()].sort()).toEqual([...HOSTILE_IDS].sort());

    for (const id of HOSTILE_IDS) {
      const href = links.get(id)!;
      const res = await dashboard(href, cookie);
      expect(res.status, `${JSON.stringify(id)} at ${href}`).toBe(200);
      const html = await res.text();
      expect(html, id).toContain(type);

      const download = unescape(/<a href="([^"]*)"[^>]*download/.exec(html)![1]!);
      const raw = await dashboard(download, cookie);
      expect(raw.status, id).toBe(200);
      expect(new Uint8Array(await raw.arrayBuffer()), id).toEqual(bodies.get(id));

      const form = /<form method="post" action="(\/dashboard\/event\/replay[^"]*)"[^>]*><input type="hidden" name="csrf" value="([^"]+)"/.exec(html)!;
      const before = (await settled("stripe", id)).tasks[0]!.log.length;
      const replayed = await dashboard(unescape(form[1]!), cookie, { csrf: form[2]!, destination: "ok", includeDelivered: "1" });
      expect(replayed.status, id).toBe(303);
      expect(replayed.headers.get("location"), id).toBe(href);
      await waitFor(async () => (await settled("stripe", id)).tasks[0]!.log.length === before + 1, 15_000, `${JSON.stringify(id)} sent again from the dashboard`);
    }
  });
});
