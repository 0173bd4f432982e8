/** The HTTP contract of the ingest route: every error code, and nothing stored for bad input. */
import { env, exports } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { createApp, forgetRecentlyAccepted } from "../../src/ingest";
import { TEST_SECRETS } from "../support/fixtures";
import { sampleEvent, signRequest } from "../support/signer";
import { editLedger, inspect, ledgerStub, post, waitFor } from "./helpers";
import { runInDurableObject } from "cloudflare:test";

const swSign = (body: string | Uint8Array, id?: string) => signRequest({ preset: "standard-webhooks", secret: TEST_SECRETS.SW_SECRET, body, id });

async function errorOf(res: Response) {
  return ((await res.json()) as { error: { code: string; message: string } }).error;
}

describe("ingest route", () => {
  it("404 source_unknown for an unconfigured source", async () => {
    const res = await post("nope", await swSign(sampleEvent("standard-webhooks")));
    expect(res.status).toBe(404);
    expect((await errorOf(res)).code).toBe("source_unknown");
  });

  it("405 method_not_allowed with Allow: POST", async () => {
    const res = await exports.default.fetch("https://edgehook.test/webhooks/sw", { method: "PUT", body: "{}" });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST");
    expect((await errorOf(res)).code).toBe("method_not_allowed");
    const get = await exports.default.fetch("https://edgehook.test/webhooks/sw");
    expect(get.status).toBe(405);
  });

  it("413 payload_too_large by Content-Length and by streamed size, never stored", async () => {
    const big = JSON.stringify({ type: "x", pad: "a".repeat(2000) });
    const signed = await swSign(big);
    const res = await post("small", signed);
    expect(res.status).toBe(413);
    expect((await errorOf(res)).code).toBe("payload_too_large");
    expect(await inspect("small", signed.headers["webhook-id"]!)).toBeNull();

    // No Content-Length: a stream larger than the limit is cut off while reading.
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 4; i++) controller.enqueue(new TextEncoder().encode("a".repeat(512)));
        controller.close();
      },
    });
    const streamed = await exports.default.fetch("https://edgehook.test/webhooks/small", { method: "POST", headers: signed.headers, body: stream });
    expect(streamed.status).toBe(413);
  });

  it("the body limit applies per source: the same body is fine elsewhere", async () => {
    const signed = await swSign(JSON.stringify({ type: "x", pad: "a".repeat(2000) }));
    expect((await post("sw", signed)).status).toBe(202);
  });

  it("400 payload_malformed when a configured id extractor finds nothing (no fallback then)", async () => {
    const res = await post("typed", await swSign(JSON.stringify({ type: "customer.updated", data: {} })));
    expect(res.status).toBe(400);
    const error = await errorOf(res);
    expect(error.code).toBe("payload_malformed");
    expect(error.message).toContain("body field data.id");
  });

  it("config overrides pick the event id and ordering key", async () => {
    const res = await post("typed", await swSign(JSON.stringify({ type: "customer.updated", data: { id: "cus_77", customer: "c-1" } })));
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ status: "accepted", id: "cus_77" });
    const view = await inspect("typed", "cus_77");
    expect(view?.event).toMatchObject({ eventType: "customer.updated", orderingKey: "c-1" });
  });

  it("falls back to sha256 of the body when a preset finds no id", async () => {
    const body = JSON.stringify({ object: "event", type: "charge.updated", created: 1_795_000_000 });
    const signed = await signRequest({ preset: "stripe", secret: TEST_SECRETS.STRIPE_SECRET, body });
    const res = await post("stripe", signed);
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    const digest = [...new Uint8Array(await crypto.subtle.digest("SHA-256", signed.body))].map((b) => b.toString(16).padStart(2, "0")).join("");
    expect(id).toBe(`sha256:${digest}`);
    expect((await inspect("stripe", id))?.event.occurredAt).toBe(1_795_000_000_000);
  });

  it("identifies Stripe and GitHub events per preset", async () => {
    const stripeBody = sampleEvent("stripe", "customer.subscription.updated");
    const s = await post("stripe", await signRequest({ preset: "stripe", secret: TEST_SECRETS.STRIPE_SECRET, body: stripeBody }));
    const parsed = JSON.parse(stripeBody);
    expect((await inspect("stripe", parsed.id))?.event).toMatchObject({ eventType: "customer.subscription.updated", orderingKey: parsed.data.object.id });
    expect(s.status).toBe(202);

    const gh = await signRequest({ preset: "github", secret: TEST_SECRETS.GITHUB_SECRET, body: sampleEvent("github", "closed"), event: "issues" });
    expect((await post("github", gh)).status).toBe(202);
    const view = await inspect("github", gh.headers["x-github-delivery"]!);
    expect(view?.event).toMatchObject({ eventType: "issues.closed", orderingKey: "octo-org/octo-repo#42" });
    expect(view?.event.headers).toMatchObject({ "x-github-event": "issues", "content-type": "application/json" });
    expect(view?.event.headers).not.toHaveProperty("x-hub-signature-256");
  });

  it("a repeat gets 200 duplicate with the same id", async () => {
    const signed = await swSign(sampleEvent("standard-webhooks"));
    expect((await post("sw", signed)).status).toBe(202);
    const again = await post("sw", signed);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ status: "duplicate", id: signed.headers["webhook-id"] });
  });

  it("a verified repeat of an event this isolate accepted is a duplicate without a ledger round trip", async () => {
    const signed = await swSign(sampleEvent("standard-webhooks"));
    const id = signed.headers["webhook-id"]!;
    expect((await post("sw", signed)).status).toBe(202);
    // Wipe the ledger object: only the isolate's memory can still know the event now.
    await runInDurableObject(ledgerStub("sw", id), (_instance, state) => state.storage.deleteAll());
    const again = await post("sw", signed);
    expect(again.status).toBe(200);
    expect(again.headers.get("edgehook-status")).toBe("duplicate");
    expect(await again.json()).toEqual({ status: "duplicate", id });
    expect(await inspect("sw", id)).toBeNull(); // answered from memory: the ledger was not asked

    // A forged copy of a remembered event is still verified first.
    const forged = { ...signed, headers: { ...signed.headers, "webhook-signature": "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" } };
    expect((await post("sw", forged)).status).toBe(401);

    // Without the memory the ledger decides again (here: new, since its record is gone).
    forgetRecentlyAccepted();
    expect((await post("sw", signed)).status).toBe(202);
  });

  it("a duplicate the ledger confirmed is remembered until its window ends, not beyond", async () => {
    const wipe = (id: string) => runInDurableObject(ledgerStub("sw", id), (_instance, state) => state.storage.deleteAll());
    const signed = await swSign(sampleEvent("standard-webhooks"));
    const id = signed.headers["webhook-id"]!;
    expect((await post("sw", signed)).status).toBe(202);
    forgetRecentlyAccepted(); // as if the repeat reached another isolate
    expect((await post("sw", signed)).status).toBe(200); // the ledger answers, with its window end
    await wipe(id);
    expect((await post("sw", signed)).status).toBe(200); // remembered: the ledger was not asked
    expect(await inspect("sw", id)).toBeNull();

    // An event still stored after its window ended (a task pending) is a duplicate, but not remembered.
    const late = await swSign(sampleEvent("standard-webhooks"));
    const lateId = late.headers["webhook-id"]!;
    expect((await post("sw", late)).status).toBe(202);
    await editLedger("sw", lateId, (event) => (event.expiresAt = Date.now() - 1));
    forgetRecentlyAccepted();
    expect((await post("sw", late)).status).toBe(200);
    await wipe(lateId);
    expect((await post("sw", late)).status).toBe(202);
  });

  it("503 unavailable (never 2xx) when the ledger cannot store the event", async () => {
    const app = createApp();
    const failing = { ...env, EVENT_LEDGER: { idFromName: () => ({}), get: () => { throw new Error("storage down"); } } };
    const signed = await swSign(sampleEvent("standard-webhooks"));
    const res = await app.fetch(new Request("https://edgehook.test/webhooks/sw", { method: "POST", headers: signed.headers, body: signed.body }), failing);
    expect(res.status).toBe(503);
    expect((await errorOf(res)).code).toBe("unavailable");
  });

  it("503 unavailable when the configuration is invalid, and /health says why without secrets", async () => {
    const app = createApp();
    const broken = { ...env, EDGEHOOK: "{\"sources\": {\"x\": {\"provider\": \"nope\"}}}" };
    const res = await app.fetch(new Request("https://edgehook.test/webhooks/x", { method: "POST", body: "{}" }), broken);
    expect(res.status).toBe(503);
    expect((await errorOf(res)).code).toBe("unavailable");
    const health = await app.fetch(new Request("https://edgehook.test/health"), broken);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ status: "config_invalid" });
  });

  it("/health is ok with the test config and carries no secrets", async () => {
    const res = await exports.default.fetch("https://edgehook.test/health");
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({ status: "ok" });
    for (const value of Object.values(TEST_SECRETS)) expect(text).not.toContain(value);
  });

  it("unknown routes are a JSON 404", async () => {
    const res = await exports.default.fetch("https://edgehook.test/elsewhere");
    expect(res.status).toBe(404);
    expect((await errorOf(res)).code).toBe("not_found");
  });
});

describe("ingest log lines", () => {
  it("rejects are logged within the per-second budget; the rest are counted in one summary line per second", async () => {
    const lines: Record<string, unknown>[] = [];
    const spy = vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
      try {
        const line = JSON.parse(args.map(String).join(" ")) as Record<string, unknown>;
        if (line.msg === "ingest" && line.source === "sw" && line.code === "signature_missing") lines.push(line);
      } catch {
        // not a structured line
      }
    });
    try {
      const unsigned = { "content-type": "application/json" };
      const sent = 27;
      const started = Date.now();
      const named: string[] = [];
      for (let i = 0; i < sent; i++) {
        const res = await exports.default.fetch("https://edgehook.test/webhooks/sw", { method: "POST", headers: unsigned, body: "{}" });
        expect(res.status).toBe(401);
        const id = res.headers.get("x-request-id");
        if (id !== null) named.push(id);
        await res.arrayBuffer();
      }
      const elapsed = Date.now() - started;
      const full = () => lines.filter((l) => l.suppressed === undefined);
      const suppressed = () => lines.reduce((n, l) => n + (typeof l.suppressed === "number" ? l.suppressed : 0), 0);
      // Every request is accounted for: a full line, or a count in a summary written when its second ends.
      await waitFor(async () => full().length + suppressed() === sent, 5_000);
      const budget = 20 * (Math.floor(elapsed / 1000) + 1);
      expect(full().length).toBeLessThanOrEqual(budget);
      if (elapsed < 1000) expect(full().length).toBe(20);
      for (const l of full()) expect(l).toMatchObject({ status: 401, requestId: expect.any(String) });
      // A response names its line in x-request-id; a summarised one names none.
      expect(named.sort()).toEqual(full().map((l) => l.requestId as string).sort());
      for (const l of lines.filter((l) => l.suppressed !== undefined)) expect(l).toMatchObject({ status: 401, perSecond: 20 });
    } finally {
      spy.mockRestore();
    }
  });

  it("accepted events are always logged in full, one line each, named by the response's x-request-id", async () => {
    const ids: string[] = [];
    const lines: Record<string, unknown>[] = [];
    const spy = vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
      try {
        const line = JSON.parse(args.map(String).join(" ")) as Record<string, unknown>;
        if (line.msg === "ingest" && line.result === "accepted") lines.push(line);
      } catch {
        // not a structured line
      }
    });
    try {
      for (let i = 0; i < 25; i++) {
        const signed = await swSign(sampleEvent("standard-webhooks"));
        ids.push(signed.headers["webhook-id"]!);
        const res = await post("sw", signed, { headers: { ...signed.headers, "x-request-id": `trace-${i}-abcdef` } });
        expect(res.status).toBe(202);
        expect(res.headers.get("x-request-id")).toBe(`trace-${i}-abcdef`);
      }
      const mine = lines.filter((l) => ids.includes(l.eventId as string));
      expect(mine.length).toBe(25);
      // The caller's well-formed x-request-id names the line and comes back on the response.
      expect(mine.map((l) => l.requestId).sort()).toEqual(ids.map((_, i) => `trace-${i}-abcdef`).sort());
    } finally {
      spy.mockRestore();
    }
  });
});
