/**
 * Asynchronous results (docs/workflows.md, "Request-response with callback"): 100 deliveries whose
 * service posts results later to `edgehook-callback-url`, half of them twice, some altered, forged,
 * expired or with other content → exactly 100 results reach the callback destination, every repeat
 * is a 200 duplicate, every forgery refused.
 */
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { signCallbackToken, verifyCallbackToken } from "../../src/workflow";
import { TEST_SECRETS } from "../support/fixtures";
import { postMany } from "./admin-helpers";
import { received, waitFor } from "./helpers";

/** POST a result to a callback URL, as the service would; returns status and JSON body. */
async function postResult(url: string, body: string): Promise<{ status: number; json: { status?: string; error?: { code: string } } }> {
  const res = await exports.default.fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
  return { status: res.status, json: (await res.json()) as { status?: string; error?: { code: string } } };
}

/** The URL with one character of its token's claims changed (still base64url). */
function tampered(url: string): string {
  const at = url.lastIndexOf("/") + 5;
  const swapped = url[at] === "A" ? "B" : "A";
  return url.slice(0, at) + swapped + url.slice(at + 1);
}

describe("asynchronous results on edgehook-callback-url", () => {
  it("100 jobs, half reported twice, some altered, forged, expired or contradicted: exactly 100 results delivered", { timeout: 120_000 }, async () => {
    const ids = await postMany("cbasync", 100, "job.requested");
    const urls = await waitFor(async () => {
      const got = (await received("/cb/service")).filter((r) => ids.includes(r.headers["edgehook-event-id"]!) && r.status === 200);
      const byId = new Map(got.map((r) => [r.headers["edgehook-event-id"]!, r.headers["edgehook-callback-url"]!]));
      return byId.size === 100 ? ids.map((id) => byId.get(id)!) : undefined;
    }, 60_000, "100 deliveries to the service");
    expect(urls.every((u) => u.startsWith("https://edgehook.test/callbacks/"))).toBe(true);

    const resultOf = (i: number) => JSON.stringify({ job: ids[i], answer: i * 7 });
    // First reports: all accepted.
    const first = await Promise.all(urls.map((u, i) => postResult(u, resultOf(i))));
    expect(first.map((r) => r.status)).toEqual(Array(100).fill(202));
    // Half report again with the same result: 200 duplicate.
    const again = await Promise.all(urls.slice(0, 50).map((u, i) => postResult(u, resultOf(i))));
    expect(again.map((r) => [r.status, r.json.status])).toEqual(Array(50).fill([200, "duplicate"]));
    // A used token with other content: 409, the first result stands.
    const contradicted = await Promise.all(urls.slice(50, 60).map((u, i) => postResult(u, JSON.stringify({ job: ids[50 + i], answer: "changed" }))));
    expect(contradicted.map((r) => [r.status, r.json.error?.code])).toEqual(Array(10).fill([409, "callback_conflict"]));
    // Altered tokens: 401 invalid, nothing accepted.
    const altered = await Promise.all(urls.slice(60, 70).map((u, i) => postResult(tampered(u), resultOf(60 + i))));
    expect(altered.map((r) => [r.status, r.json.error?.code])).toEqual(Array(10).fill([401, "callback_token_invalid"]));
    // Genuine claims signed with another secret, and a token with no MAC: 401 invalid.
    const claims = { w: "msg_forged", s: "cbasync", e: ids[0]!, t: "job.requested", d: "cbService", h: 0, p: [], x: Math.floor(Date.now() / 1000) + 600 };
    const forged = await signCallbackToken("an-attacker-guess-of-the-secret-value-000", claims);
    expect(await postResult(`https://edgehook.test/callbacks/${forged}`, "{}")).toMatchObject({ status: 401, json: { error: { code: "callback_token_invalid" } } });
    expect(await postResult(`https://edgehook.test/callbacks/${forged.split(".")[0]}`, "{}")).toMatchObject({ status: 401, json: { error: { code: "callback_token_invalid" } } });
    // Expired tokens (genuinely signed, past their expiry): 401 expired.
    const expired = await Promise.all(
      ids.slice(0, 5).map(async (id, i) => {
        const token = await signCallbackToken(TEST_SECRETS.EDGEHOOK_CALLBACK_SECRET, { ...claims, w: `msg_expired_${i}`, e: id, x: Math.floor(Date.now() / 1000) - 1 });
        return postResult(`https://edgehook.test/callbacks/${token}`, resultOf(i));
      }),
    );
    expect(expired.map((r) => [r.status, r.json.error?.code])).toEqual(Array(5).fill([401, "callback_token_expired"]));
    // Only POST, and a bounded body.
    expect((await exports.default.fetch(urls[0]!)).status).toBe(405);
    expect((await postResult(urls[1]!, "x".repeat(64 * 1024 + 1))).status).toBe(413);

    // Exactly 100 results reach the callback destination, each once, each the first report.
    const results = await waitFor(async () => {
      const got = (await received("/cb/async")).filter((r) => r.headers["edgehook-event-type"] === "callback.result" && r.status === 200 && ids.includes(JSON.parse(r.body).parent.eventId));
      return got.length >= 100 ? got : undefined;
    }, 60_000, "100 results at the callback destination");
    await new Promise((r) => setTimeout(r, 1500));
    const settled = (await received("/cb/async")).filter((r) => r.headers["edgehook-event-type"] === "callback.result" && ids.includes(JSON.parse(r.body).parent.eventId));
    expect(settled).toHaveLength(100);
    expect(results.every((r) => r.verified)).toBe(true);
    const bodies = new Map(settled.map((r) => [JSON.parse(r.body).parent.eventId as string, JSON.parse(r.body)]));
    expect(bodies.size).toBe(100);
    ids.forEach((id, i) => {
      expect(bodies.get(id)).toMatchObject({ type: "callback.result", hop: 1, path: ["cbService"], parent: { source: "cbasync", eventId: id, destination: "cbService" }, result: { contentType: "application/json", body: resultOf(i), encoding: "utf8" } });
    });
  });

  it("a token is checked MAC first: a forged one is invalid whatever expiry it claims; a genuine one expires", async () => {
    const secret = TEST_SECRETS.EDGEHOOK_CALLBACK_SECRET;
    const claims = { w: "msg_1", s: "cbasync", e: "e1", t: "t", d: "cbService", h: 0, p: [], x: 1000 };
    const token = await signCallbackToken(secret, claims);
    expect(await verifyCallbackToken(secret, token, 999_000)).toEqual({ ok: true, claims });
    expect(await verifyCallbackToken(secret, token, 1_000_000)).toEqual({ ok: false, reason: "callback_token_expired" });
    expect(await verifyCallbackToken("another-secret-of-the-same-length-0000", token, 0)).toEqual({ ok: false, reason: "callback_token_invalid" });
    expect(await verifyCallbackToken(undefined, token, 0)).toEqual({ ok: false, reason: "callback_token_invalid" });
    expect(await verifyCallbackToken(secret, `${token}x`, 0)).toEqual({ ok: false, reason: "callback_token_invalid" });
  });
});
