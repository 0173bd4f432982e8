/** The admin API: authenticated on every route, constant-time token check, event inspection. */
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { tokensEqual } from "../../src/admin";
import { TEST_SECRETS } from "../support/fixtures";
import { sampleEvent, signRequest } from "../support/signer";
import { post, settled } from "./helpers";

const api = (path: string, token?: string, init: RequestInit = {}) =>
  exports.default.fetch(`https://edgehook.test/api${path}`, { ...init, headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });

describe("admin API auth", () => {
  const token = env.ADMIN_TOKEN;
  const nearMiss = token.slice(0, -1) + (token.endsWith("e") ? "f" : "e");
  const refused: [string, string | undefined][] = [
    ["no token", undefined],
    ["empty token", ""],
    ["near-miss token", nearMiss],
    ["shorter token", token.slice(0, -1)],
    ["longer token", `${token}x`],
    ["another secret", TEST_SECRETS.SW_SECRET],
  ];
  for (const path of ["/v1/events/sw/x", "/v1/anything", "/v2/events"]) {
    for (const [label, given] of refused) {
      it(`${path} refuses a request with ${label}`, async () => {
        const res = await api(path, given);
        expect(res.status).toBe(401);
        expect(res.headers.get("www-authenticate")).toContain("Bearer");
        const text = await res.text();
        expect(text).not.toContain(token);
      });
    }
  }

  it("a non-Bearer scheme is refused", async () => {
    const res = await exports.default.fetch("https://edgehook.test/api/v1/events/sw/x", { headers: { authorization: `Basic ${btoa(`admin:${token}`)}` } });
    expect(res.status).toBe(401);
  });

  it("tokensEqual is exact", async () => {
    expect(await tokensEqual(token, token)).toBe(true);
    expect(await tokensEqual(nearMiss, token)).toBe(false);
    expect(await tokensEqual("", token)).toBe(false);
  });
});

describe("GET /api/v1/events/:source/:eventId", () => {
  it("shows the stored event and its tasks, without payload bytes or secrets", async () => {
    const signed = await signRequest({ preset: "standard-webhooks", secret: TEST_SECRETS.SW_SECRET, body: sampleEvent("standard-webhooks") });
    const id = signed.headers["webhook-id"]!;
    await post("sw", signed);
    await settled("sw", id);
    const res = await api(`/v1/events/sw/${id}`, env.ADMIN_TOKEN);
    expect(res.status).toBe(200);
    const view = (await res.json()) as { event: { eventId: string; payloadBytes: number }; tasks: { status: string }[] };
    expect(view.event).toMatchObject({ eventId: id, payloadBytes: signed.body.byteLength });
    expect(view.tasks.map((t) => t.status)).toEqual(["delivered"]);
    expect(JSON.stringify(view)).not.toContain(TEST_SECRETS.SINK_SECRET);
  });

  it("404 for an unknown event", async () => {
    const res = await api("/v1/events/sw/unknown-event", env.ADMIN_TOKEN);
    expect(res.status).toBe(404);
  });
});
