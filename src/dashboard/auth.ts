/** Dashboard auth: session cookie on every page but login, Origin + CSRF token on every POST, strict headers. */
import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import type { AdminEnv } from "../admin";
import { cookieName, csrfFor, readSession, verifyCsrf } from "./session";
import { sessionStore, type SessionEnv } from "./sessions";

/** Hono environment of the dashboard (`session`: the cookie value; `sessionId`: its id in the store). */
export type DashboardBindings = { Bindings: AdminEnv & SessionEnv; Variables: { session: string; sessionId: string; csrf: string; form: Record<string, string>; requestId: string } };

/** Headers on every dashboard response: no framing, no caching, no script, forms only to self. */
export const SECURITY_HEADERS: Record<string, string> = {
  "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  // same-origin, not no-referrer: with no-referrer browsers send `Origin: null` on form posts, which the Origin check refuses.
  "referrer-policy": "same-origin",
  "cache-control": "no-store",
};

/** Is the request served over HTTPS (for `Secure` and the `__Host-` prefix)? */
export function isSecure(c: Context): boolean {
  return new URL(c.req.url).protocol === "https:";
}

/** Does the request's Origin (when sent) match this host? Browsers send it on every POST form. */
export function sameOrigin(c: Context): boolean {
  const origin = c.req.header("origin");
  return origin === undefined || origin === new URL(c.req.url).origin;
}

/**
 * Require a valid session — signed with the token, unexpired, and still open in DashboardSessions
 * (GET: redirect to the login page; POST: 401) — and on POST a same-origin
 * request carrying the session's CSRF token (403 otherwise).
 */
export function requireSession(): MiddlewareHandler<DashboardBindings> {
  return async (c, next) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) c.header(k, v);
    const token = c.env.ADMIN_TOKEN;
    const session = getCookie(c, cookieName(isSecure(c)));
    const now = Date.now();
    // The signature first (no I/O for a forged cookie), then the store: signed out means refused.
    const ref = token && session ? await readSession(session, token, now) : null;
    const store = sessionStore(c.env);
    if (!token || !session || !ref || !store || !(await store.isOpen(ref.id, now))) {
      return c.req.method === "GET" || c.req.method === "HEAD" ? c.redirect("/dashboard/login", 302) : c.text("sign in first: /dashboard/login", 401);
    }
    if (c.req.method !== "GET" && c.req.method !== "HEAD") {
      const form = Object.fromEntries(Object.entries(await c.req.parseBody()).filter((e): e is [string, string] => typeof e[1] === "string"));
      if (!sameOrigin(c) || !(await verifyCsrf(form.csrf, session, token))) return c.text("cross-site request refused (missing or wrong CSRF token)", 403);
      c.set("form", form);
    }
    c.set("session", session);
    c.set("sessionId", ref.id);
    c.set("csrf", await csrfFor(session, token));
    await next();
  };
}
