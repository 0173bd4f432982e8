/**
 * Hostile-but-valid events (issue 12, items 2 and 13): validly signed events whose id, type or
 * ordering key holds control, bidi or ill-formed characters are either delivered (headers carry a
 * percent-encoding) or refused before storage; a message that can never be delivered ends dead with
 * a reason instead of looping; a 2xx whose body stalls is a delivery, not a timeout.
 */
import { createExecutionContext, createMessageBatch, getQueueResult, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { firstMessages, type DeliveryMessage } from "../../src/ledger";
import type { StoredEvent } from "../../src/ledger/store";
import { MAX_EVENT_TYPE_LENGTH, MAX_ORDERING_KEY_LENGTH } from "../../src/ingest/wellformed";
import { TEST_SECRETS } from "../support/fixtures";
import { signRequest } from "../support/signer";
import { apiJson } from "./admin-helpers";
import { editLedger, inspect, ledgerStub, post, received, settled, waitFor } from "./helpers";

/** Queue deliveries of one message before a non-transient exception makes its task dead (docs/delivery.md). */
const POISON_AFTER_ATTEMPTS = 5;

/**
 * The documented header encoding, written out independently of the product's: every UTF-8 byte
 * outside printable ASCII, and '%', as %XX; a space at either end too (a header value cannot keep it).
 */
function headerSafe(value: string): string {
  const bytes = [...new TextEncoder().encode(value)];
  const out = bytes.map((b) => (b >= 0x20 && b <= 0x7e && b !== 0x25 ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, "0")}`)).join("");
  return out.replace(/^ /, "%20").replace(/ $/, "%20");
}

/** A signed-in dashboard page (login through the form, as a browser would). */
async function dashboard(path: string): Promise<Response> {
  const base = "https://edgehook.test/dashboard";
  const login = await exports.default.fetch(`${base}/login`, { method: "POST", headers: { origin: "https://edgehook.test" }, body: new URLSearchParams({ token: env.ADMIN_TOKEN }), redirect: "manual" });
  const cookie = /(__Host-edgehook_session=[^;]+)/.exec(login.headers.get("set-cookie") ?? "")![1]!;
  return exports.default.fetch(`${base}${path}`, { headers: { cookie }, redirect: "manual" });
}

async function runBatch(queue: string, bodies: unknown[], attempts = 1) {
  const batch = createMessageBatch(queue, bodies.map((body, i) => ({ id: `m${i}`, timestamp: new Date(), attempts, body })));
  const ctx = createExecutionContext();
  await worker.queue(batch, env);
  return getQueueResult(batch, ctx);
}

/** Sign a Standard Webhooks request whose body carries the identity (the `hostile*` sources read it from the body). */
function signedBody(fields: Record<string, unknown>) {
  return signRequest({ preset: "standard-webhooks", secret: TEST_SECRETS.SW_SECRET, body: JSON.stringify({ data: {}, ...fields }) });
}

const unique = () => crypto.randomUUID().slice(0, 8);

/** Characters a header cannot carry as they are, or that display misleadingly. */
const HOSTILE: Record<string, string> = {
  NUL: "\u0000", CR: "\r", LF: "\n", CRLF: "\r\nx-injected: 1", TAB: "\t", ESC: "\u001b", DEL: "\u007f",
  NEL: "\u0085", CSI: "\u009b", RLO: "\u202e", LSEP: "\u2028", BOM: "\ufeff", CJK: "注文", emoji: "🦀",
};

/** Row of a task in the D1 event index. */
function indexRow(source: string, eventId: string) {
  return env.EVENT_INDEX!.prepare("SELECT event_id, event_type, status, last_error FROM deliveries WHERE source = ? AND event_id = ?").bind(source, eventId).first<{ event_id: string; event_type: string; status: string; last_error: string | null }>();
}

describe("a validly signed event with hostile characters in its identity", () => {
  for (const [name, char] of Object.entries(HOSTILE)) {
    it(`${name} in the id: 202, the id percent-encoded in edgehook-event-id, delivered once, signed, indexed`, async () => {
      const id = `evt_${unique()}${char}end`;
      const res = await post("hostile", await signedBody({ id, type: "invoice.paid" }));
      expect(res.status, await res.clone().text()).toBe(202);
      expect(res.headers.get("edgehook-event-id")).toBe(headerSafe(id));
      expect(((await res.json()) as { id: string }).id).toBe(id);
      const view = await settled("hostile", id);
      expect(view.tasks[0]).toMatchObject({ status: "delivered", attempts: 1 });
      const got = (await received("/hostile")).filter((r) => r.headers["edgehook-event-id"] === headerSafe(id));
      expect(got).toHaveLength(1);
      expect(got[0]!.verified).toBe(true);
      expect(decodeURIComponent(got[0]!.headers["edgehook-event-id"]!)).toBe(id);
      expect(got[0]!.headers["x-injected"]).toBeUndefined();
      expect(JSON.parse(got[0]!.body).id).toBe(id);
      const row = await waitFor(() => indexRow("hostile", id).then((r) => r ?? undefined), 5_000, "index row");
      expect(row).toMatchObject({ event_id: id, status: "delivered" });
    });
  }

  for (const [name, char] of Object.entries(HOSTILE)) {
    it(`${name} in the type: 202 and delivered with edgehook-event-type percent-encoded`, async () => {
      const id = `evt_${unique()}`;
      const type = `invoice.${char}paid`;
      expect((await post("hostile", await signedBody({ id, type }))).status).toBe(202);
      const view = await settled("hostile", id);
      expect(view.tasks[0]).toMatchObject({ status: "delivered", attempts: 1 });
      const [got] = await received("/hostile", id);
      expect(got!.verified).toBe(true);
      expect(got!.headers["edgehook-event-type"]).toBe(headerSafe(type));
      expect(decodeURIComponent(got!.headers["edgehook-event-type"]!)).toBe(type);
      const row = await waitFor(() => indexRow("hostile", id).then((r) => r ?? undefined), 5_000, "index row");
      expect(row.event_type).toBe(type);
    });
  }

  it("control characters in the id, type and ordering key under strict ordering: delivered in order", async () => {
    const key = `cus_${unique()}\u0000\r\n\u202e`;
    const ids = [`a_${unique()}\n`, `b_${unique()}\u0000`];
    for (const [i, id] of ids.entries()) {
      expect((await post("hostileStrict", await signedBody({ id, type: "t\u0001", key, data: { n: i } }))).status).toBe(202);
    }
    for (const id of ids) expect((await settled("hostileStrict", id)).tasks[0]).toMatchObject({ status: "delivered" });
    const got = (await received("/hostile-strict")).filter((r) => ids.map(headerSafe).includes(r.headers["edgehook-event-id"]!));
    expect(got.map((r) => decodeURIComponent(r.headers["edgehook-event-id"]!))).toEqual(ids);
    expect(got.every((r) => r.verified)).toBe(true);
  });

  it("the admin API opens and replays an event whose id holds control characters", async () => {
    const id = `evt_${unique()}\u0000\r\n\u001b`;
    expect((await post("hostile", await signedBody({ id, type: "t" }))).status).toBe(202);
    await settled("hostile", id);
    const path = `/v1/events/hostile/${encodeURIComponent(id)}`;
    const detail = await apiJson<{ event: { eventId: string } }>(path, 200);
    expect(detail.event.eventId).toBe(id);
    const replayed = await apiJson<{ replayed: string[] }>(`${path}/replay`, 200, { body: { includeDelivered: true } });
    expect(replayed.replayed).toEqual(["hostile"]);
    await waitFor(async () => (await received("/hostile", headerSafe(id))).length === 2 || undefined, 10_000, "replayed delivery");
    const html = await (await dashboard(`/event?${new URLSearchParams({ source: "hostile", id })}`)).text();
    expect(html).toContain("⟨U+0000⟩⟨U+000D⟩⟨U+000A⟩⟨U+001B⟩");
  });

  for (const [where, fields] of [
    ["id", (s: string) => ({ id: `evt_${s}`, type: "t" })],
    ["type", (s: string) => ({ id: `evt_${unique()}`, type: `t${s}` })],
    ["ordering key", (s: string) => ({ id: `evt_${unique()}`, type: "t", key: `k${s}` })],
  ] as const) {
    it(`a lone surrogate in the ${where}: 400 event_identity_invalid, nothing stored or sent`, async () => {
      for (const lone of ["\ud800", "\udfff", "x\udc00y"]) {
        const body = fields(`${unique()}${lone}`);
        const res = await post("hostile", await signedBody(body));
        expect(res.status).toBe(400);
        const error = ((await res.json()) as { error: { code: string; message: string } }).error;
        expect(error.code).toBe("event_identity_invalid");
        expect(error.message).toContain(where === "ordering key" ? "ordering key" : `event ${where}`);
        expect(await inspect("hostile", body.id)).toBeNull();
      }
    });
  }

  it("a type or ordering key too long for a header: 400 event_identity_invalid, nothing stored (the longest accepted one is delivered)", async () => {
    for (const body of [
      { id: `evt_${unique()}`, type: `t${"x".repeat(MAX_EVENT_TYPE_LENGTH)}` },
      { id: `evt_${unique()}`, type: "t", key: `k${"\u202e".repeat(MAX_ORDERING_KEY_LENGTH)}` },
      { id: `evt_${unique()}`, type: `t${"x".repeat(100_000)}` },
    ]) {
      const res = await post("hostile", await signedBody(body));
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("event_identity_invalid");
      expect(await inspect("hostile", body.id)).toBeNull();
    }
    // At the bound, every character needing 9 header bytes (a 3-byte UTF-8 character, percent-encoded).
    const id = `evt_${unique()}`;
    const type = "\u202e".repeat(MAX_EVENT_TYPE_LENGTH);
    expect((await post("hostile", await signedBody({ id, type }))).status).toBe(202);
    expect((await settled("hostile", id)).tasks[0]).toMatchObject({ status: "delivered" });
    const [got] = await received("/hostile", headerSafe(id));
    expect(decodeURIComponent(got!.headers["edgehook-event-type"]!)).toBe(type);
    expect(got!.verified).toBe(true);
  });

  it("a forwarded provider header holding a control character reaches the destination percent-encoded, not refused", async () => {
    const id = `evt_${unique()}`;
    const signed = await signedBody({ id, type: "t" });
    const contentType = "application/json\u0001; x=\u001b";
    const res = await post("hostile", signed, { headers: { ...(signed.headers as Record<string, string>), "content-type": contentType } });
    expect(res.status).toBe(202);
    expect((await settled("hostile", id)).tasks[0]).toMatchObject({ status: "delivered" });
    const [got] = await received("/hostile", id);
    expect(got!.headers["content-type"]).toBe("application/json%01; x=%1B");
    expect(got!.verified).toBe(true);
  });

  it("two ids that differ only in a lone surrogate are both refused (as UTF-8 they would be one id)", async () => {
    const base = `evt_${unique()}`;
    const first = await post("hostile", await signedBody({ id: `${base}\ud800`, type: "t" }));
    const second = await post("hostile", await signedBody({ id: `${base}\ud801`, type: "t" }));
    expect([first.status, second.status]).toEqual([400, 400]);
    expect(await inspect("hostile", `${base}\ufffd`)).toBeNull();
  });
});

/**
 * Store an event for `hostile` by hand, without its queue message: the test sends the message it
 * wants. `lostChunk`: the body is stored as one chunk that is missing, so every claim throws.
 */
async function storedByHand(id: string, headers: Record<string, string>, lostChunk = false): Promise<DeliveryMessage> {
  const now = Date.now();
  const payload = new TextEncoder().encode("{}");
  const event: StoredEvent = {
    v: 2, source: "hostile", eventId: id, eventType: "t", orderingKey: null, occurredAt: now, receivedAt: now, headers,
    expiresAt: now + 3_600_000, redriveMs: 3_600_000, filtered: [], payloadBytes: 2, ...(lostChunk ? { chunks: 1 } : { payload, chunks: 0 }),
    tasks: [{ destination: "hostile", webhookId: `msg_${unique()}`, status: "pending", attempts: 0, dueAt: now, lastStatus: null, lastError: null, log: [] }],
  };
  const ledger = `hostile:${id}`;
  await runInDurableObject(ledgerStub("hostile", id), (_instance, state) => state.storage.kv.put("event", event));
  return firstMessages(ledger, event, payload)[0]!;
}

describe("a message that can never be delivered", () => {
  it("a request that cannot be built ends dead at its first attempt with a reason, indexed, and replays once fixed", async () => {
    const id = `evt_${unique()}`;
    // A stored header name no request can carry (values with controls are encoded; names are not):
    // every attempt would throw while building the request.
    const message = await storedByHand(id, { "x bad": "a" });
    const result = await runBatch("edgehook-delivery", [message]);
    expect(result.retryMessages).toEqual([]);
    expect(result.explicitAcks).toEqual(["m0"]);
    const view = (await inspect("hostile", id))!;
    expect(view.tasks[0]).toMatchObject({ status: "dead", attempts: 1, lastStatus: 0, lastError: "undeliverable" });
    expect(view.tasks[0]!.log[0]!.snippet).toMatch(/header/i);
    expect(await indexRow("hostile", id)).toMatchObject({ status: "dead", last_error: "undeliverable" });
    expect(await received("/hostile", id)).toEqual([]);

    await editLedger("hostile", id, (event) => (event.headers = { "x-bad": "a" }));
    const replayed = await apiJson<{ replayed: string[] }>(`/v1/events/hostile/${id}/replay`, 200, { body: {} });
    expect(replayed.replayed).toEqual(["hostile"]);
    expect((await settled("hostile", id)).tasks[0]).toMatchObject({ status: "delivered", attempts: 1 });
  });

  it("an exception outside the attempt is retried a bounded number of times, then the task is dead (poison_message), indexed", async () => {
    const id = `evt_${unique()}`;
    // Later deliveries of a message claim from the ledger, and this ledger's claim throws every time.
    const broken = await storedByHand(id, {}, true);
    const early = await runBatch("edgehook-delivery", [broken], POISON_AFTER_ATTEMPTS - 1);
    expect(early.retryMessages.map((m) => m.msgId)).toEqual(["m0"]);
    expect((await inspect("hostile", id))!.tasks[0]!.status).toBe("pending");

    const last = await runBatch("edgehook-delivery", [broken], POISON_AFTER_ATTEMPTS);
    expect(last.retryMessages).toEqual([]);
    expect(last.explicitAcks).toEqual(["m0"]);
    expect((await inspect("hostile", id))!.tasks[0]).toMatchObject({ status: "dead", lastError: "poison_message" });
    expect(await indexRow("hostile", id)).toMatchObject({ status: "dead", last_error: "poison_message" });
    const page = await dashboard("/dead-letters");
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(id);
  });

  it("the dead-letter queue's give-up is indexed as dead too", async () => {
    const id = `evt_${unique()}`;
    const result = await runBatch("edgehook-dead", [await storedByHand(id, {})]);
    expect(result.explicitAcks).toEqual(["m0"]);
    expect((await inspect("hostile", id))!.tasks[0]).toMatchObject({ status: "dead", lastError: "queue_retries_exhausted" });
    expect(await indexRow("hostile", id)).toMatchObject({ status: "dead", last_error: "queue_retries_exhausted" });
  });
});

describe("a 2xx whose body stalls or breaks", () => {
  it("is delivered at the first attempt (the partial body is the snippet), never sent again", async () => {
    const signed = await signRequest({ preset: "standard-webhooks", secret: TEST_SECRETS.SW_SECRET, body: JSON.stringify({ type: "t", data: {} }) });
    const id = signed.headers["webhook-id"]!;
    expect((await post("stallBody", signed)).status).toBe(202);
    const view = await settled("stallBody", id, 20_000);
    expect(view.tasks[0]).toMatchObject({ status: "delivered", attempts: 1, lastStatus: 200 });
    expect(view.tasks[0]!.log[0]!.snippet).toBe('{"ok":');
    expect(await received("/stall-body/10000", id)).toHaveLength(1);
  });

  it("is delivered when the connection drops in the middle of the body, never sent again", async () => {
    const signed = await signRequest({ preset: "standard-webhooks", secret: TEST_SECRETS.SW_SECRET, body: JSON.stringify({ type: "t", data: {} }) });
    const id = signed.headers["webhook-id"]!;
    expect((await post("cutBody", signed)).status).toBe(202);
    const view = await settled("cutBody", id, 20_000);
    expect(view.tasks[0]).toMatchObject({ status: "delivered", attempts: 1, lastStatus: 200 });
    expect(await received("/cut-body", id)).toHaveLength(1);
  });
});
