/** Issue 12 items 4–6 over HTTP in workerd: exact ids, conflicting copies, dedupe on signed content. */
import { env, exports } from "cloudflare:workers";
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { createApp, forgetRecentlyAccepted } from "../../src/ingest";
import { TEST_SECRETS } from "../support/fixtures";
import { sha256hex, signRequest } from "../support/signer";
import { apiJson } from "./admin-helpers";
import { editLedger, inspect, post } from "./helpers";

const swSign = (body: string, id?: string) => signRequest({ preset: "standard-webhooks", secret: TEST_SECRETS.SW_SECRET, body, id });

describe("item 4: ids read from JSON numbers keep their exact text", () => {
  it("two configured-path ids that JSON.parse rounds to one number are two events", async () => {
    const a = await post("typed", await swSign('{"type":"big.id","data":{"id":9007199254740993}}'));
    const b = await post("typed", await swSign('{"type":"big.id","data":{"id":9007199254740992}}'));
    expect(a.status).toBe(202);
    expect(await a.json()).toEqual({ status: "accepted", id: "9007199254740993" });
    expect(b.status).toBe(202);
    expect(await b.json()).toEqual({ status: "accepted", id: "9007199254740992" });
    expect((await inspect("typed", "9007199254740993"))?.event.eventId).toBe("9007199254740993");
  });

  it("a preset's body id keeps its spelling (1e21, not 1e+21), duplicate keys resolve as JSON.parse does", async () => {
    const body = '{"id":"evt_shadowed","id":1e21,"type":"charge.updated","created":1795000000}';
    const res = await post("stripe", await signRequest({ preset: "stripe", secret: TEST_SECRETS.STRIPE_SECRET, body }));
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ status: "accepted", id: "1e21" });
    expect((await inspect("stripe", "1e21"))?.event.occurredAt).toBe(1_795_000_000_000);
  });

  it("the number 1 and the string \"1\" are the same event id", async () => {
    const first = await post("typed", await swSign('{"type":"same","data":{"id":4242}}'));
    const second = await post("typed", await swSign('{"type":"same","data":{"id":"4242"}}'));
    expect(first.status).toBe(202);
    expect(second.status).toBe(200);
    expect(await second.json()).toEqual({ status: "duplicate", id: "4242" });
  });
});

/** Structured console.log lines matching `keep`, while `run` runs. */
async function linesDuring(keep: (line: Record<string, unknown>) => boolean, run: () => Promise<void>): Promise<Record<string, unknown>[]> {
  const lines: Record<string, unknown>[] = [];
  const spy = vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
    try {
      const line = JSON.parse(args.map(String).join(" ")) as Record<string, unknown>;
      if (keep(line)) lines.push(line);
    } catch {
      // not a structured line
    }
  });
  try {
    await run();
  } finally {
    spy.mockRestore();
  }
  return lines;
}

/** Log in to the dashboard; returns the session cookie header value. */
async function dashboardCookie(): Promise<string> {
  const res = await exports.default.fetch("https://edgehook.test/dashboard/login", {
    method: "POST",
    headers: { origin: "https://edgehook.test" },
    body: new URLSearchParams({ token: env.ADMIN_TOKEN }),
    redirect: "manual",
  });
  return /(__Host-edgehook_session=[^;]+)/.exec(res.headers.get("set-cookie") ?? "")![1]!;
}

describe("item 5: same id, another body, valid signature", () => {
  it("the first body stays the event; the conflicting copy is logged with both hashes, counted and shown", async () => {
    const id = `msg_conflict_${crypto.randomUUID()}`;
    const first = await swSign('{"type":"invoice.paid","amount":100}', id);
    const other = await swSign('{"type":"invoice.paid","amount":999999}', id);
    const [firstSha, otherSha] = [await sha256hex(first.body), await sha256hex(other.body)];
    expect((await post("sw", first)).status).toBe(202);

    // The isolate remembers the event: the conflicting copy must still reach the ledger.
    const lines = await linesDuring((l) => l.msg === "ingest" && l.eventId === id, async () => {
      const res = await post("sw", other);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: "duplicate", id });
    });
    expect(lines).toEqual([expect.objectContaining({ code: "conflict", storedSha256: firstSha, receivedSha256: otherSha, conflicts: 1 })]);

    expect((await post("sw", other)).status).toBe(200); // the same conflicting body again: counted again
    expect((await post("sw", first)).status).toBe(200); // the stored body: a plain duplicate
    const view = await inspect("sw", id);
    expect(view?.event.bodySha256).toBe(firstSha);
    expect(view?.event.conflicts).toEqual({ total: 2, copies: [{ sha256: otherSha, bytes: other.body.byteLength, receivedAt: expect.any(Number), count: 2 }] });

    // The admin API's event detail and the dashboard's event page show the conflicting copies.
    const detail = await apiJson<{ event: { bodySha256: string; conflicts: { total: number; copies: { sha256: string }[] } } }>(`/v1/events/sw/${id}`, 200);
    expect(detail.event.bodySha256).toBe(firstSha);
    expect(detail.event.conflicts.total).toBe(2);
    expect(detail.event.conflicts.copies[0]!.sha256).toBe(otherSha);
    const html = await (await exports.default.fetch(`https://edgehook.test/dashboard/events/sw/${id}`, { headers: { cookie: await dashboardCookie() } })).text();
    expect(html).toContain("Conflicting copies: 2");
    expect(html).toContain(otherSha);
    expect(html).toContain(firstSha);
  });

  it("keeps the first 5 distinct conflicting bodies and counts all of them", async () => {
    const id = `msg_many_${crypto.randomUUID()}`;
    expect((await post("sw", await swSign('{"type":"t","n":0}', id))).status).toBe(202);
    for (let n = 1; n <= 7; n++) expect((await post("sw", await swSign(`{"type":"t","n":${n}}`, id))).status).toBe(200);
    const conflicts = (await inspect("sw", id))?.event.conflicts;
    expect(conflicts?.total).toBe(7);
    expect(conflicts?.copies).toHaveLength(5);
  });

  it("an event stored before body hashes were recorded gets its hash, then conflicts are recorded", async () => {
    const id = `msg_legacy_${crypto.randomUUID()}`;
    const first = await swSign('{"type":"t","v":1}', id);
    expect((await post("sw", first)).status).toBe(202);
    await editLedger("sw", id, (event) => {
      delete event.bodySha256;
    });
    forgetRecentlyAccepted();
    expect((await post("sw", first)).status).toBe(200);
    expect((await inspect("sw", id))?.event).toMatchObject({ bodySha256: await sha256hex(first.body) });
    expect((await inspect("sw", id))?.event.conflicts).toBeUndefined();
    expect((await post("sw", await swSign('{"type":"t","v":2}', id))).status).toBe(200);
    expect((await inspect("sw", id))?.event.conflicts?.total).toBe(1);
  });
});

describe("item 6: dedupe on the signed content", () => {
  // A worker whose GitHub source dedupes on content (own env object: its config is loaded once for it).
  const contentEnv = { ...env, EDGEHOOK: JSON.stringify({ sources: { ghc: { provider: "github", secrets: ["GITHUB_SECRET"], dedupe: "content" } } }) };
  const app = createApp();
  async function postTo(target: object, source: string, signed: { headers: Record<string, string>; body: Uint8Array }) {
    const ctx = createExecutionContext();
    const res = await app.fetch(new Request(`https://edgehook.test/webhooks/${source}`, { method: "POST", headers: signed.headers, body: signed.body }), target as never, ctx);
    await waitOnExecutionContext(ctx);
    return res;
  }
  const githubSign = (body: string, id: string) => signRequest({ preset: "github", secret: TEST_SECRETS.GITHUB_SECRET, body, id, event: "push" });

  it("without it, a captured GitHub body re-sent under a new delivery id is a new event (the hole it closes)", async () => {
    const body = `{"ref":"refs/heads/main","after":"${crypto.randomUUID()}"}`;
    expect((await post("github", await githubSign(body, crypto.randomUUID()))).status).toBe(202);
    expect((await post("github", await githubSign(body, crypto.randomUUID()))).status).toBe(202);
  });

  it("with dedupe = content, the re-sent body is a duplicate whatever id it carries; the provider's id is kept", async () => {
    const body = `{"ref":"refs/heads/main","after":"${crypto.randomUUID()}"}`;
    const original = await githubSign(body, "delivery-original");
    const replayed = await githubSign(body, "delivery-forged");
    const contentId = `sha256:${await sha256hex(original.body)}`;

    const first = await postTo(contentEnv, "ghc", original);
    expect(first.status).toBe(202);
    expect(await first.json()).toEqual({ status: "accepted", id: contentId });
    forgetRecentlyAccepted(); // the replay reaches another isolate: the ledger decides
    const again = await postTo(contentEnv, "ghc", replayed);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ status: "duplicate", id: contentId });

    const view = await inspect("ghc", contentId);
    expect(view?.event).toMatchObject({ eventId: contentId, providerEventId: "delivery-original", eventType: "push" });
    expect(view?.event.conflicts).toBeUndefined();
    const detail = await apiJson<{ event: { providerEventId: string } }>(`/v1/events/ghc/${encodeURIComponent(contentId)}`, 200);
    expect(detail.event.providerEventId).toBe("delivery-original");

    // Another body is another event.
    expect((await postTo(contentEnv, "ghc", await githubSign(`${body} `, "delivery-next"))).status).toBe(202);
  });
});
