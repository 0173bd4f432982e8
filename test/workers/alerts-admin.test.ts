/** Alerts on the operator surface: GET /api/v1/alerts, the test-alert action, operator pause/resume alerts, the dashboard page. */
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { signalAlerts } from "../../src/alerts";
import { api, apiJson } from "./admin-helpers";
import { received, waitFor } from "./helpers";

const BASE = "https://edgehook.test";
const COOKIE = "__Host-edgehook_session";
type View = { open: { type: string; destination?: string }[]; recent: { id: string; type: string; destination?: string; deliveries: { channel: string; state: string }[] }[] };

async function login(): Promise<string> {
  const res = await exports.default.fetch(`${BASE}/dashboard/login`, { method: "POST", headers: { origin: BASE }, body: new URLSearchParams({ token: env.ADMIN_TOKEN }), redirect: "manual" });
  return /__Host-edgehook_session=([^;]+)/.exec(res.headers.get("set-cookie")!)![1]!;
}
const page = (path: string, cookie: string, form?: Record<string, string>) =>
  exports.default.fetch(`${BASE}/dashboard${path}`, { method: form ? "POST" : "GET", headers: { cookie: `${COOKIE}=${cookie}`, origin: BASE }, redirect: "manual", ...(form ? { body: new URLSearchParams(form) } : {}) });

describe("alerts API", () => {
  it("lists open conditions and recent alerts with channel deliveries; needs the token", async () => {
    expect((await api("/v1/alerts", { token: null })).status).toBe(401);
    await signalAlerts(env, [{ kind: "breaker", destination: "breaking", state: "open", error: "http_503", at: Date.now() }]);
    const view = await apiJson<View>("/v1/alerts?limit=10", 200);
    expect(view.open).toContainEqual(expect.objectContaining({ type: "destination.breaker_opened", destination: "breaking" }));
    const alert = view.recent.find((a) => a.type === "destination.breaker_opened" && a.destination === "breaking")!;
    expect(alert.deliveries.map((d) => d.channel).sort()).toEqual(["hook", "team"]);
    expect((await api("/v1/alerts?limit=0")).status).toBe(400);
  });

  it("operator pause and resume raise destination.paused then destination.resumed, once each", async () => {
    await apiJson("/v1/destinations/ok2/pause", 200, { body: { reason: "maintenance" } });
    await apiJson("/v1/destinations/ok2/pause", 200, { body: { reason: "again" } });
    await apiJson("/v1/destinations/ok2/resume", 200, { method: "POST" });
    const view = await apiJson<View>("/v1/alerts", 200);
    const types = view.recent.filter((a) => a.destination === "ok2").map((a) => a.type).sort();
    expect(types).toEqual(["destination.paused", "destination.resumed"]);
  });

  it("send test alert: the channel gets an alert.test now; unknown channels are 404; nothing is recorded as an alert", async () => {
    const before = (await apiJson<View>("/v1/alerts", 200)).recent.length;
    const result = await apiJson<{ channel: string; ok: boolean; status: number }>("/v1/alerts/channels/team/test", 200, { method: "POST" });
    expect(result).toEqual({ channel: "team", ok: true, status: 200 });
    const got = await waitFor(async () => (await received("/slack-alerts")).find((r) => r.body.includes("alert.test")), 5000, "test alert");
    expect(JSON.parse(got.body).text).toContain("Test alert from Edgehook to channel team");
    // The webhook channel fails each alert's first try: the test answers that, and is not retried.
    expect(await apiJson("/v1/alerts/channels/hook/test", 200, { method: "POST" })).toEqual({ channel: "hook", ok: false, status: 500, error: "HTTP 500" });
    expect(await apiJson<{ error: { code: string } }>("/v1/alerts/channels/nope/test", 404, { method: "POST" })).toMatchObject({ error: { code: "not_found" } });
    expect((await apiJson<View>("/v1/alerts", 200)).recent.length).toBe(before);
  });
});

describe("dashboard Alerts page", () => {
  it("shows channels with a test button, open conditions and recent alerts; the button sends and reports", async () => {
    await signalAlerts(env, [{ kind: "pause", destination: "gone", paused: true, by: "gone", at: Date.now() }]);
    const cookie = await login();
    const html = await (await page("/alerts", cookie)).text();
    expect(html).toContain('href="/dashboard/alerts"');
    expect(html).toContain("destination.paused");
    expect(html).toContain("Send test alert");
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)![1]!;
    const res = await page("/alerts/channels/team/test", cookie, { csrf });
    expect(res.status).toBe(303);
    const after = await (await page(res.headers.get("location")!.replace("/dashboard", ""), cookie)).text();
    expect(after).toContain("Test alert to team: delivered (HTTP 200)");
    expect((await page("/alerts/channels/team/test", cookie, { csrf: "wrong" })).status).toBe(403);
  });
});
