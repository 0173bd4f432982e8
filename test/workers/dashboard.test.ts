/** The dashboard in workerd: login → HttpOnly SameSite=Strict session, pages, CSRF-safe actions, refusals. */
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createSession } from "../../src/dashboard";
import { postMany, SECRET_VALUES, setSwitch } from "./admin-helpers";
import { settled, waitFor } from "./helpers";

const BASE = "https://edgehook.test";
const COOKIE = "__Host-edgehook_session";

function page(path: string, init: { cookie?: string; method?: string; form?: Record<string, string>; origin?: string } = {}) {
  const headers: Record<string, string> = {};
  if (init.cookie) headers.cookie = `${COOKIE}=${init.cookie}`;
  if (init.origin) headers.origin = init.origin;
  return exports.default.fetch(`${BASE}/dashboard${path}`, {
    method: init.method ?? (init.form ? "POST" : "GET"),
    headers,
    redirect: "manual",
    ...(init.form ? { body: new URLSearchParams(init.form) } : {}),
  });
}

/** Log in through the form; returns the session cookie value. */
async function login(): Promise<string> {
  const res = await page("/login", { form: { token: env.ADMIN_TOKEN }, origin: BASE });
  expect(res.status).toBe(303);
  const setCookie = res.headers.get("set-cookie")!;
  return /__Host-edgehook_session=([^;]+)/.exec(setCookie)![1]!;
}

const csrfOf = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)![1]!;

describe("dashboard login", () => {
  it("sets an HttpOnly, Secure, SameSite=Strict __Host- cookie that does not carry the token", async () => {
    const res = await page("/login", { form: { token: env.ADMIN_TOKEN }, origin: BASE });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/dashboard");
    const cookie = res.headers.get("set-cookie")!;
    expect(cookie).toMatch(/^__Host-edgehook_session=/);
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("Secure");
    expect(cookie).toContain("SameSite=Strict");
    expect(cookie).toContain("Path=/");
    expect(cookie).not.toContain(env.ADMIN_TOKEN);
  });

  it.each([
    ["empty", ""],
    ["near-miss", `${env.ADMIN_TOKEN.slice(0, -1)}x`],
    ["shorter", env.ADMIN_TOKEN.slice(0, -1)],
    ["longer", `${env.ADMIN_TOKEN}x`],
  ])("refuses a %s token without a cookie", async (_label, token) => {
    const res = await page("/login", { form: { token }, origin: BASE });
    expect(res.status).toBe(401);
    expect(res.headers.get("set-cookie")).toBeNull();
    expect(await res.text()).not.toContain(env.ADMIN_TOKEN);
  });

  it("refuses a cross-site login post", async () => {
    expect((await page("/login", { form: { token: env.ADMIN_TOKEN }, origin: "https://evil.example" })).status).toBe(403);
  });
});

describe("dashboard refuses without a valid session", () => {
  const gets = ["", "/", "/events", "/events?status=dead", "/events/sw/x", "/event?source=sw&id=x", "/event/payload?source=sw&id=x", "/events/sw/x/payload", "/dead-letters", "/destinations", "/nope"];
  const posts = ["/events/sw/x/replay", "/event/replay?source=sw&id=x", "/dead-letters/redrive", "/destinations/ok/pause", "/destinations/ok/resume", "/logout"];
  const badCookies: [string, () => Promise<string | undefined>][] = [
    ["no cookie", async () => undefined],
    ["a forged cookie", async () => `${Math.floor(Date.now() / 1000) + 3600}.${"A".repeat(43)}`],
    ["an expired session", () => createSession(env.ADMIN_TOKEN, Date.now() - 13 * 3600_000)],
    ["a session signed with another token", () => createSession(`${env.ADMIN_TOKEN}x`, Date.now())],
    ["the raw token as cookie", async () => env.ADMIN_TOKEN],
  ];
  for (const [label, make] of badCookies) {
    it(`GET pages redirect to the login with ${label}`, async () => {
      const cookie = await make();
      for (const path of gets) {
        const res = await page(path, cookie ? { cookie } : {});
        expect(res.status, path).toBe(302);
        expect(res.headers.get("location"), path).toBe("/dashboard/login");
      }
    });
    it(`POST actions are 401 with ${label}`, async () => {
      const cookie = await make();
      for (const path of posts) {
        const res = await page(path, { ...(cookie ? { cookie } : {}), form: { csrf: "x" }, origin: BASE });
        expect(res.status, path).toBe(401);
      }
    });
  }
});

describe("dashboard pages and actions", () => {
  it("renders overview, events (filtered), detail, dead letters and destinations with strict headers and no secret", async () => {
    const cookie = await login();
    const [id] = await postMany("sw", 1, "dash.test");
    await settled("sw", id!);
    await waitFor(async () => (await (await page(`/events?q=${id}`, { cookie })).text()).includes(id!), 10_000, "the event in the table");
    for (const path of ["", "/events", `/events?source=sw&type=dash.*&status=delivered&within=1h&q=${id}`, `/events/sw/${id}`, "/dead-letters", "/destinations"]) {
      const res = await page(path, { cookie });
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-security-policy"), path).toContain("default-src 'none'");
      expect(res.headers.get("x-frame-options"), path).toBe("DENY");
      expect(res.headers.get("cache-control"), path).toBe("no-store");
      const html = await res.text();
      for (const secret of [env.ADMIN_TOKEN, ...SECRET_VALUES]) expect(html, path).not.toContain(secret);
      if (path.startsWith("/events?source")) expect(html).toContain(id);
      if (path === `/events/sw/${id}`) expect(html).toContain("dash.test");
      if (path === "") expect(html).toContain("<svg");
    }
    const filteredOut = await (await page(`/events?status=dead&q=${id}`, { cookie })).text();
    expect(filteredOut).not.toContain(`data-event-id="${id}"`);
    expect(await (await page(`/events?within=1h&q=${id}`, { cookie })).text()).toContain(`data-event-id="${id}"`);
    expect(await (await page(`/events?within=bogus&q=${id}`, { cookie })).text()).toContain(`data-event-id="${id}"`);
  });

  it("replays a dead event from its page: refused without the CSRF token or cross-site, delivered with it", async () => {
    const cookie = await login();
    await setSwitch("outage", 503);
    const [id] = await postMany("outage", 1);
    expect((await settled("outage", id!)).tasks[0]!.status).toBe("dead");
    await setSwitch("outage", 200);
    const html = await (await page(`/event?source=outage&id=${id}`, { cookie })).text();
    expect(html).toContain(`/dashboard/event/replay?source=outage&amp;id=${id}`);
    const csrf = csrfOf(html);
    const action = `/event/replay?source=outage&id=${id}`;
    expect((await page(action, { cookie, form: { destination: "outage" }, origin: BASE })).status).toBe(403);
    expect((await page(action, { cookie, form: { destination: "outage", csrf: `${csrf.slice(0, -1)}${csrf.endsWith("A") ? "B" : "A"}` }, origin: BASE })).status).toBe(403);
    expect((await page(action, { cookie, form: { destination: "outage", csrf }, origin: "https://evil.example" })).status).toBe(403);
    expect((await settled("outage", id!)).tasks[0]!.status).toBe("dead");
    const ok = await page(action, { cookie, form: { destination: "outage", csrf }, origin: BASE });
    expect(ok.status).toBe(303);
    expect((await settled("outage", id!)).tasks[0]!.status).toBe("delivered");
    expect(await (await page(`/events/outage/${id}`, { cookie })).text()).toContain('class="s-delivered"');
  });

  it("pauses and resumes a destination with the CSRF token", async () => {
    const cookie = await login();
    const csrf = csrfOf(await (await page("/destinations", { cookie })).text());
    expect((await page("/destinations/ok2/pause", { cookie, form: { csrf }, origin: BASE })).status).toBe(303);
    expect(await (await page("/destinations", { cookie })).text()).toContain("paused: paused from the dashboard");
    expect((await page("/destinations/ok2/resume", { cookie, form: { csrf }, origin: BASE })).status).toBe(303);
    expect(await (await page("/destinations", { cookie })).text()).not.toContain("paused: ");
  });
});
