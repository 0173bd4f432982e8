/**
 * The dashboard under validly signed hostile events (issue 12 item 8): a 100 KB type is cut in the
 * events table and shown whole (wrapping) on the event page; bidi overrides and controls in ids,
 * types, keys and payloads are shown as visible escapes, never raw; the raw payload downloads with the
 * session alone (attachment, octet-stream, nosniff).
 */
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MAX_EVENT_TYPE_LENGTH } from "../../src/ingest/wellformed";
import { TEST_SECRETS } from "../support/fixtures";
import { signRequest } from "../support/signer";
import { post, settled, waitFor } from "./helpers";

const BASE = "https://edgehook.test";

async function login(): Promise<string> {
  const res = await exports.default.fetch(`${BASE}/dashboard/login`, { method: "POST", body: new URLSearchParams({ token: env.ADMIN_TOKEN }), headers: { origin: BASE }, redirect: "manual" });
  return /(__Host-edgehook_session=[^;]+)/.exec(res.headers.get("set-cookie")!)![1]!;
}

const get = (path: string, cookie: string) => exports.default.fetch(`${BASE}${path}`, { headers: { cookie }, redirect: "manual" });

/** What a browser shows of a page: the text outside tags (and outside <style>). */
const textOf = (html: string) => html.replace(/<style>.*?<\/style>/gs, "").replace(/<[^>]*>/g, "");

/** Characters that must never reach the screen raw: controls other than tab/line breaks, and bidi controls. */
const RAW_HIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;

const unescape = (s: string) => s.replaceAll("&amp;", "&");

async function ingestStripe(id: string, type: string, extra: Record<string, unknown> = {}): Promise<Uint8Array> {
  const body = JSON.stringify({ id, object: "event", type, created: Math.floor(Date.now() / 1000), data: { object: { id: "pi_1", ...extra } } });
  const signed = await signRequest({ preset: "stripe", secret: TEST_SECRETS.STRIPE_SECRET, body });
  expect((await post("stripe", signed)).status).toBe(202);
  await settled("stripe", id);
  return signed.body;
}

describe("dashboard with hostile but validly signed events", () => {
  const tag = crypto.randomUUID().slice(0, 8);

  it("cuts the longest accepted event type in the events table and shows it whole on the event page", async () => {
    const id = `evt_long_${tag}`;
    const prefix = `long.${tag}.`;
    const type = `${prefix}${"x".repeat(MAX_EVENT_TYPE_LENGTH - prefix.length)}`;
    await ingestStripe(id, type);
    const cookie = await login();
    const list = await waitFor(async () => {
      const html = await (await get(`/dashboard/events?source=stripe&q=${id}`, cookie)).text();
      return html.includes(`data-event-id="${id}"`) ? html : undefined;
    }, 10_000, "the event in the table");
    expect(list.length).toBeLessThan(20_000);
    expect(list).not.toContain("x".repeat(200));
    expect(textOf(list)).toContain(`long.${tag}.${"x".repeat(40)}`);
    expect(textOf(list)).toMatch(/… \(\+\d+ characters\)/);

    const href = unescape(/<tr data-event-id="[^"]*">.*?<a href="([^"]*)"/s.exec(list)![1]!);
    const detail = await (await get(href, cookie)).text();
    expect(textOf(/<td id="type">(.*?)<\/td>/s.exec(detail)![1]!)).toBe(type);
    expect(detail).toMatch(/\.v\{overflow-wrap:anywhere\}/);
    expect(detail).toContain('<td id="type"><span class="v">');
  });

  it("shows bidi overrides and controls in ids, types, keys and payloads as visible escapes, never raw", async () => {
    const id = `inv_${tag}\u202Efdp.exe`;
    const type = `ctl.${tag}\u0007\u0085\u2066x`;
    await ingestStripe(id, type, { note: "a\u202Eb\u0001c" });
    // An ordering key from the body: the `typed` source reads data.id and data.customer.
    const keyed = `key_${tag}`;
    const sw = { id: keyed, customer: `cus\u202E${tag}\u0000` };
    const signed = await signRequest({ preset: "standard-webhooks", secret: TEST_SECRETS.SW_SECRET, body: JSON.stringify({ type: `keyed.${tag}`, timestamp: new Date().toISOString(), data: sw }) });
    expect((await post("typed", signed)).status).toBe(202);

    const cookie = await login();
    const list = await waitFor(async () => {
      const html = await (await get(`/dashboard/events?source=stripe&q=${tag}`, cookie)).text();
      return html.includes(`data-event-id="${id}"`) ? html : undefined;
    }, 10_000, "the event in the table");
    expect(textOf(list)).toContain(`inv_${tag}⟨U+202E⟩fdp.exe`);
    expect(textOf(list)).toContain(`ctl.${tag}⟨U+0007⟩⟨U+0085⟩⟨U+2066⟩x`);
    expect(textOf(list)).not.toMatch(RAW_HIDDEN);
    expect(list).toContain('<span class="esc">⟨U+202E⟩</span>');

    const href = unescape(/<tr data-event-id="[^"]*">.*?<a href="([^"]*)"/s.exec(list)![1]!);
    const detail = await (await get(href, cookie)).text();
    expect(textOf(detail)).not.toMatch(RAW_HIDDEN);
    expect(/<title>(.*?)<\/title>/s.exec(detail)![1]).toContain(`inv_${tag}⟨U+202E⟩fdp.exe`);
    // JSON escapes the control itself (\u0001); the override travels raw in the body and is escaped here.
    expect(textOf(detail)).toContain("a⟨U+202E⟩b\\u0001c");

    const keyedPage = await (await get(`/dashboard/event?${new URLSearchParams({ source: "typed", id: keyed })}`, cookie)).text();
    expect(textOf(keyedPage)).toContain(`cus⟨U+202E⟩${tag}⟨U+0000⟩`);
    expect(textOf(keyedPage)).not.toMatch(RAW_HIDDEN);
  });

  it("downloads the raw payload with the session alone: attachment, octet-stream, nosniff", async () => {
    const id = `evt_raw_${tag}`;
    const body = await ingestStripe(id, `raw.${tag}`);
    const cookie = await login();
    const detail = await (await get(`/dashboard/event?${new URLSearchParams({ source: "stripe", id })}`, cookie)).text();
    const link = unescape(/<a href="([^"]*)"[^>]*>download raw<\/a>/.exec(detail)![1]!);
    const res = await get(link, cookie);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/octet-stream");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment/);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(body);
    const anonymous = await exports.default.fetch(`${BASE}${link}`, { redirect: "manual" });
    expect(anonymous.status).toBe(302);
  });
});
