/**
 * Signing out revokes (issue 12 item 7): every signed-in page has a CSRF-checked Sign out button;
 * after it, the session's cookie — and any copy of it — is refused, while other sessions stay open.
 * A cookie signed with the token but never opened by a sign-in is refused. The store stays bounded.
 */
import { env, exports } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createSession, DashboardSessions, MAX_OPEN_SESSIONS } from "../../src/dashboard";

const BASE = "https://edgehook.test";
const COOKIE = "__Host-edgehook_session";

function page(path: string, cookie: string | null, form?: Record<string, string>) {
  return exports.default.fetch(`${BASE}/dashboard${path}`, {
    method: form ? "POST" : "GET",
    headers: { ...(cookie ? { cookie: `${COOKIE}=${cookie}` } : {}), origin: BASE },
    redirect: "manual",
    ...(form ? { body: new URLSearchParams(form) } : {}),
  });
}

async function login(): Promise<string> {
  const res = await page("/login", null, { token: env.ADMIN_TOKEN });
  expect(res.status).toBe(303);
  return /__Host-edgehook_session=([^;]+)/.exec(res.headers.get("set-cookie")!)![1]!;
}

/** The Sign out form's CSRF token on a page, or undefined when the page has no Sign out button. */
const signOutCsrf = (html: string) => /<form method="post" action="\/dashboard\/logout" class="inline"><input type="hidden" name="csrf" value="([^"]+)"\/?><button type="submit" class="">Sign out<\/button>/.exec(html)?.[1];

const store = () => env.DASHBOARD_SESSIONS.get(env.DASHBOARD_SESSIONS.idFromName("dashboard"));

describe("dashboard sign out", () => {
  it("every signed-in page has a Sign out button; the login page has none", async () => {
    const cookie = await login();
    for (const path of ["", "/events", "/dead-letters", "/destinations"]) {
      const res = await page(path, cookie);
      expect(res.status, path).toBe(200);
      expect(signOutCsrf(await res.text()), path).toBeDefined();
    }
    expect(signOutCsrf(await (await page("/login", null)).text())).toBeUndefined();
  });

  it("revokes the session server-side: a copied cookie stops working, another session does not", async () => {
    const copied = await login();
    const other = await login();
    expect(copied).not.toBe(other);
    const csrf = signOutCsrf(await (await page("/events", copied)).text())!;
    const dcsrf = signOutCsrf(await (await page("/destinations", copied)).text())!;

    const out = await page("/logout", copied, { csrf });
    expect(out.status).toBe(303);
    expect(out.headers.get("location")).toBe("/dashboard/login");
    expect(out.headers.get("set-cookie")).toMatch(/__Host-edgehook_session=;.*Max-Age=0/);

    // The browser forgot the cookie; whoever copied it still sends it.
    for (const path of ["", "/events", "/dead-letters", "/destinations", "/event?source=sw&id=x"]) {
      const res = await page(path, copied);
      expect(res.status, path).toBe(302);
      expect(res.headers.get("location"), path).toBe("/dashboard/login");
    }
    expect((await page("/destinations/ok2/pause", copied, { csrf: dcsrf })).status).toBe(401);
    expect((await page("/logout", copied, { csrf })).status).toBe(401);

    expect((await page("/events", other)).status).toBe(200);
  });

  it("needs the CSRF token: a cross-site or tokenless sign-out is refused and the session stays open", async () => {
    const cookie = await login();
    expect((await page("/logout", cookie, {})).status).toBe(403);
    expect((await page("/logout", cookie, { csrf: "x" })).status).toBe(403);
    expect((await page("/events", cookie)).status).toBe(200);
  });

  it("refuses a cookie signed with the token that no sign-in opened", async () => {
    const minted = await createSession(env.ADMIN_TOKEN, Date.now());
    const res = await page("/events", minted);
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/dashboard/login");
  });

  it("keeps at most MAX_OPEN_SESSIONS open and drops expired ones", async () => {
    const now = Date.now();
    const counts = await runInDurableObject(store(), (instance: DashboardSessions) => {
      instance.open("expired-one", now - 1, now - 1000);
      for (let i = 0; i < MAX_OPEN_SESSIONS + 5; i++) instance.open(`s${i}`, now + 60_000 + i, now);
      return { open: instance.count(now), rows: instance.count(0), oldest: instance.isOpen("s0", now), newest: instance.isOpen(`s${MAX_OPEN_SESSIONS + 4}`, now) };
    });
    expect(counts).toEqual({ open: MAX_OPEN_SESSIONS, rows: MAX_OPEN_SESSIONS, oldest: false, newest: true });
  });
});
