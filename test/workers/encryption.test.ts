/**
 * Payload encryption at rest (issue 16 item 4), in workerd with settings.encryptionKeys = ["EH_KEY_A"]
 * (the workers-encrypted project in vitest.config.ts). A dump of the ledger object's whole storage
 * holds no payload byte and no forwarded header value; delivery still sends the original bytes,
 * signed; the operator surface decrypts; rotation keeps old events readable; a removed key is a
 * clear error, not a crash.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { inlineDelivery, encryptionKeysOf } from "../../src/delivery/inline";
import { EventLedger, firstMessages, type DeliveryMessage, type LedgerView, type PayloadAnswer } from "../../src/ledger";
import type { StoredEvent } from "../../src/ledger/store";
import { toBase64 } from "../../src/shared/bytes";
import { TEST_SECRETS, testConfig } from "../support/fixtures";
import { signRequest } from "../support/signer";
import { api, apiJson } from "./admin-helpers";
import { ledgerStub, post, received, settled, waitFor } from "./helpers";

const encoder = new TextEncoder();
/** Distinctive strings: each must never appear in storage, in any encoding we can think of. */
const BODY_MARK = "pan-4111111111111111-zq7Xb";
const HEADER_MARK = "hdr-marker-K9vQ2w";
const CONTENT_TYPE = `application/json; profile="urn:${HEADER_MARK}"`;

/** A Standard Webhooks event whose body (repeated to `size` bytes) and content-type are distinctive. */
async function distinctive(size = 0) {
  const id = `msg_enc_${crypto.randomUUID()}`;
  const pad = size > 0 ? `,"pad":"${`${BODY_MARK}.`.repeat(Math.ceil(size / (BODY_MARK.length + 1)))}"` : "";
  const body = `{"type":"card.updated","data":{"id":"${id}","number":"${BODY_MARK}"${pad}}}`;
  const signed = await signRequest({ preset: "standard-webhooks", secret: TEST_SECRETS.SW_SECRET, body, id });
  signed.headers["content-type"] = CONTENT_TYPE;
  return { id, body, signed };
}

/** Every value the ledger object stores: each SQLite table's rows, and every KV value, deserialized. */
async function dumpStorage(source: string, eventId: string): Promise<{ tables: string[]; blobs: Uint8Array[]; values: unknown[] }> {
  return runInDurableObject(ledgerStub(source, eventId), (_instance, state) => {
    const blobs: Uint8Array[] = [];
    const tables = state.storage.sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").toArray().map((r) => r.name);
    for (const table of tables) {
      try {
        for (const row of state.storage.sql.exec(`SELECT * FROM "${table.replace(/"/g, '""')}"`).raw()) {
          for (const cell of row) {
            if (typeof cell === "string") blobs.push(encoder.encode(cell));
            else if (cell instanceof ArrayBuffer) blobs.push(new Uint8Array(cell));
          }
        }
      } catch {
        // workerd refuses direct reads of its internal tables (_cf_KV, _cf_METADATA): the KV dump below reads _cf_KV's values.
      }
    }
    const values = [...state.storage.kv.list()].flatMap(([key, value]) => [key, value]);
    return { tables, blobs, values };
  });
}

/** Every string and byte run inside a value (deep), as bytes. */
function bytesIn(value: unknown, out: Uint8Array[] = []): Uint8Array[] {
  if (typeof value === "string") out.push(encoder.encode(value));
  else if (value instanceof Uint8Array) out.push(value);
  else if (value instanceof ArrayBuffer) out.push(new Uint8Array(value));
  else if (Array.isArray(value)) for (const v of value) bytesIn(v, out);
  else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) bytesIn(v, bytesIn(k, out));
  return out;
}

/** The byte sequences a leak would show as: the marks in UTF-8, UTF-16LE, base64 at each offset, and hex. */
function leakPatterns(...marks: string[]): Uint8Array[] {
  return marks.flatMap((mark) => {
    const utf8 = encoder.encode(mark);
    const utf16 = new Uint8Array(new Uint16Array([...mark].map((c) => c.charCodeAt(0))).buffer);
    const base64 = [0, 1, 2].map((shift) => encoder.encode(toBase64(encoder.encode(`${"x".repeat(shift)}${mark}`)).slice(4, -4)));
    const hex = encoder.encode([...utf8].map((b) => b.toString(16).padStart(2, "0")).join(""));
    return [utf8, utf16, ...base64, hex];
  });
}

const contains = (haystack: Uint8Array, needle: Uint8Array) => Buffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength).includes(Buffer.from(needle));

/** Assert no leak pattern appears in any stored value of the event's ledger object. */
async function expectNoPlaintext(eventId: string, source = "sw") {
  const dump = await dumpStorage(source, eventId);
  const stored = [...dump.blobs, ...bytesIn(dump.values)];
  expect(stored.length).toBeGreaterThan(0);
  const patterns = leakPatterns(BODY_MARK, HEADER_MARK, '"number"');
  const leaks = stored.flatMap((blob, i) => patterns.filter((p) => contains(blob, p)).map((p) => `value ${i} holds ${new TextDecoder().decode(p)}`));
  expect(leaks).toEqual([]);
  return dump;
}

/** A ledger object for `eventId` run under another config (as after a deploy that changed settings.encryptionKeys). */
async function underConfig<T>(eventId: string, encryptionKeys: string[], run: (ledger: EventLedger) => Promise<T>): Promise<T> {
  const base = testConfig(env.SINK_URL) as ReturnType<typeof testConfig> & { settings?: object };
  const config = { ...base, settings: { ...base.settings, encryptionKeys } };
  return runInDurableObject(ledgerStub("sw", eventId), (_instance, state) => run(new EventLedger(state, { ...env, EDGEHOOK: JSON.stringify(config) } as never)));
}

afterEach(() => vi.restoreAllMocks());

describe("payload encryption at rest", () => {
  it("stores no payload byte or forwarded header value; delivers the exact bytes, signed; the admin API decrypts", async () => {
    const { id, body, signed } = await distinctive();
    expect((await post("sw", signed)).status).toBe(202);
    const view = await settled("sw", id);
    expect(view.tasks[0]!.status).toBe("delivered");
    const [got] = await received("/ok", id);
    expect(got!.body).toBe(body);
    expect(got!.verified).toBe(true);
    expect(got!.headers["content-type"]).toBe(CONTENT_TYPE);

    const dump = await expectNoPlaintext(id);
    // The scan is able to see a leak: the same storage with the body in clear would fail it.
    expect(bytesIn([{ payload: encoder.encode(body) }]).some((b) => leakPatterns(BODY_MARK).some((p) => contains(b, p)))).toBe(true);
    expect(bytesIn([{ headers: { "content-type": CONTENT_TYPE } }]).some((b) => leakPatterns(HEADER_MARK).some((p) => contains(b, p)))).toBe(true);
    const event = dump.values[dump.values.indexOf("event") + 1] as StoredEvent;
    expect(event.sealed).toMatchObject({ v: 1, keyName: "EH_KEY_A" });
    expect(event.headers).toEqual({});
    expect(event.payloadBytes).toBe(encoder.encode(body).byteLength);

    const download = await api(`/v1/events/sw/${id}/payload`);
    expect(download.status).toBe(200);
    expect(await download.text()).toBe(body);
    const detail = await apiJson<{ event: LedgerView["event"]; payload: { data: string } }>(`/v1/events/sw/${id}`, 200);
    expect(detail.event.headers).toEqual({ "content-type": CONTENT_TYPE });
    expect(detail.event.encryption).toEqual({ keyId: event.sealed!.keyId, keyName: "EH_KEY_A" });
    expect(detail.payload.data).toBe(body);
    const page = await (await import("cloudflare:workers")).exports.default.fetch(`https://edgehook.test/api/v1/events?source=sw`, { headers: { authorization: `Bearer ${env.ADMIN_TOKEN}` } });
    expect(await page.text()).not.toContain(BODY_MARK);
  });

  it("large payloads: every chunk is sealed; delivery and download return the original bytes", async () => {
    const { id, body, signed } = await distinctive(300 * 1024);
    expect((await post("sw", signed)).status).toBe(202);
    expect((await settled("sw", id)).tasks[0]!.status).toBe("delivered");
    const [got] = await received("/ok", id);
    expect(got!.body).toBe(body);
    expect(got!.verified).toBe(true);
    const dump = await expectNoPlaintext(id);
    expect(dump.values).toContain("chunk:0");
    expect(await (await api(`/v1/events/sw/${id}/payload`)).text()).toBe(body);
  });

  it("a transform's stored output (per task) is sealed too, and still sent as the transform made it", async () => {
    const id = `msg_enc_${crypto.randomUUID()}`;
    const body = JSON.stringify({ id: BODY_MARK, amount: 1234 });
    const signed = await signRequest({ preset: "standard-webhooks", secret: TEST_SECRETS.SW_SECRET, body, id });
    expect((await post("tx", signed)).status).toBe(202);
    const view = await settled("tx", id);
    const slim = view.tasks.find((t) => t.destination === "tx-slim")!;
    expect(slim.status).toBe("delivered");
    const [sent] = await received("/tx/slim/orders", id);
    expect(JSON.parse(sent!.body)).toEqual({ id: BODY_MARK, total: 12.34 });
    expect(sent!.verified).toBe(true);
    const dump = await dumpStorage("tx", id);
    expect(dump.values.some((v) => typeof v === "string" && v.startsWith("transform:"))).toBe(true);
    const stored = [...dump.blobs, ...bytesIn(dump.values)];
    for (const p of leakPatterns(BODY_MARK, "x-shaped", "/orders?v=1")) expect(stored.some((b) => contains(b, p))).toBe(false);
    // The operator's transform test on the stored event reads it decrypted.
    const tried = await apiJson<{ ok: boolean; output: { payload: { data: string } } }>("/v1/transforms/slim/test", 200, { body: { source: "tx", eventId: id } });
    expect(JSON.parse(tried.output.payload.data)).toEqual({ id: BODY_MARK, total: 12.34 });
  });

  it("the index (D1) holds no payload or header byte", async () => {
    const { id, signed } = await distinctive();
    await post("sw", signed);
    await settled("sw", id);
    const tables = (await env.EVENT_INDEX.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'").all<{ name: string }>()).results;
    expect(tables.length).toBeGreaterThan(0);
    for (const { name } of tables) {
      const rows = JSON.stringify((await env.EVENT_INDEX.prepare(`SELECT * FROM "${name}"`).all()).results);
      expect(rows, name).not.toContain(BODY_MARK);
      expect(rows, name).not.toContain(HEADER_MARK);
    }
    const indexed = JSON.stringify((await env.EVENT_INDEX.prepare("SELECT * FROM deliveries WHERE event_id = ?").bind(id).all()).results);
    expect(indexed).toContain(id); // the event is indexed: the scan above looked at its rows
  });

  it("the first queue message carries the body sealed as stored (no clear byte), and the consumer opens it", async () => {
    const { id, body, signed } = await distinctive();
    await post("sw", signed);
    await settled("sw", id);
    const messages = await runInDurableObject(ledgerStub("sw", id), (_i, state) => {
      const event = state.storage.kv.get<StoredEvent>("event")!;
      return firstMessages(`sw:${id}`, event, encoder.encode(body));
    });
    const json = JSON.stringify(messages);
    expect(json).toContain('"sealed"');
    for (const p of leakPatterns(BODY_MARK, HEADER_MARK)) expect(json).not.toContain(new TextDecoder().decode(p));
    const message = { attempts: 1, body: messages[0]! } as unknown as Message<DeliveryMessage>;
    const opened = await inlineDelivery(message, 1000, Date.now(), encryptionKeysOf(env));
    expect(new TextDecoder().decode(opened!.payload)).toBe(body);
    expect(opened!.headers).toEqual({ "content-type": CONTENT_TYPE });
    expect(await inlineDelivery(message, 1000, Date.now(), [])).toBeNull(); // without the key: claim instead
  });

  it("rotation: events sealed under A still open once the config lists [B, A]; new events are then sealed by B", async () => {
    const { id, body, signed } = await distinctive();
    await post("sw", signed);
    await settled("sw", id);
    const rotated = await underConfig(id, ["EH_KEY_B", "EH_KEY_A"], async (ledger) => ({ payload: await ledger.payload(), view: await ledger.inspect() }));
    expect(rotated.payload).toMatchObject({ ok: true });
    expect(new TextDecoder().decode((rotated.payload as { payload: Uint8Array }).payload)).toBe(body);
    expect(rotated.view!.event.headers).toEqual({ "content-type": CONTENT_TYPE });
    expect(rotated.view!.event.encryption).toMatchObject({ keyName: "EH_KEY_A" });

    const fresh = `msg_enc_${crypto.randomUUID()}`;
    const stored = await underConfig(fresh, ["EH_KEY_B", "EH_KEY_A"], async (ledger) => {
      await ledger.accept({ event: { source: "sw", eventId: fresh, eventType: "t", orderingKey: null, occurredAt: 1, receivedAt: Date.now(), headers: { "content-type": CONTENT_TYPE }, payload: encoder.encode(BODY_MARK) }, destinations: [], dedupeWindowSeconds: 3600, redriveAfterSeconds: 300 });
      return (await ledger.inspect())!.event.encryption;
    });
    expect(stored).toMatchObject({ keyName: "EH_KEY_B" });
    expect(stored!.problem).toBeUndefined();
    await expectNoPlaintext(fresh);
  });

  it("a removed key: its events answer with a clear error (409 encryption_key_unavailable), nothing is sent, nothing crashes", async () => {
    const { id, signed } = await distinctive();
    await post("sw", signed);
    await settled("sw", id);
    // This deployment lists only B: events sealed under A cannot be opened.
    const onlyB = await underConfig(id, ["EH_KEY_B"], async (ledger) => {
      return { payload: await ledger.payload(), view: (await ledger.inspect())!, claim: await ledger.claim("ok", 1000) };
    });
    expect(onlyB.payload).toMatchObject({ ok: false, reason: "encryption_key_unavailable" } satisfies Partial<PayloadAnswer>);
    expect((onlyB.payload as { message: string }).message).toMatch(/encrypted under key id \S+ \(secret EH_KEY_A when it was stored\), which settings\.encryptionKeys no longer lists/);
    expect(onlyB.view.event.headers).toEqual({});
    expect(onlyB.view.event.encryption!.problem).toMatchObject({ reason: "encryption_key_unavailable" });
    // The task was delivered already: claim skips it before reading; pending ones are below.
    expect(onlyB.claim).toEqual({ action: "skip", reason: "delivered" });

    // An event sealed under B, pending for "ok", read by this deployment (A only).
    const errors = vi.spyOn(console, "error");
    const orphan = `msg_enc_${crypto.randomUUID()}`;
    await underConfig(orphan, ["EH_KEY_B"], (ledger) =>
      ledger.accept({ event: { source: "sw", eventId: orphan, eventType: "t", orderingKey: null, occurredAt: 1, receivedAt: Date.now(), headers: {}, payload: encoder.encode(BODY_MARK) }, destinations: ["ok"], dedupeWindowSeconds: 3600, redriveAfterSeconds: 300 }),
    );
    const download = await api(`/v1/events/sw/${orphan}/payload`);
    expect(download.status).toBe(409);
    const error = ((await download.json()) as { error: { code: string; message: string } }).error;
    expect(error.code).toBe("encryption_key_unavailable");
    expect(error.message).toContain("EH_KEY_B");
    expect(error.message).not.toContain(TEST_SECRETS.EH_KEY_B);
    const detail = await apiJson<{ event: LedgerView["event"]; payload: unknown }>(`/v1/events/sw/${orphan}`, 200);
    expect(detail.payload).toBeNull();
    expect(detail.event.encryption!.problem!.reason).toBe("encryption_key_unavailable");
    const dashboard = await (await import("cloudflare:workers")).exports.default.fetch(`https://edgehook.test/dashboard/event/payload?source=sw&id=${orphan}`);
    expect(dashboard.status).not.toBe(500);
    expect(await ledgerStub("sw", orphan).claim("ok", 1000)).toMatchObject({ action: "unreadable", reason: "encryption_key_unavailable" });
    // The consumer's attempt: the claim says why, the message is retried (then the task ends dead with that reason), nothing reaches the sink.
    await waitFor(async () => errors.mock.calls.some((c) => String(c[0]).includes("consumer_error") && String(c[0]).includes("encryption_key_unavailable")), 15_000, "the consumer's error line");
    expect(await received("/ok", orphan)).toEqual([]);
    expect((await ledgerStub("sw", orphan).inspect())!.tasks[0]).toMatchObject({ status: "pending", attempts: 0 });
  });
});
