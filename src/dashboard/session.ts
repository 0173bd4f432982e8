/**
 * Dashboard session cookies: `<expiry>.<id>.<HMAC(ADMIN_TOKEN, "session:" + expiry + "." + id)>`, so
 * the cookie never carries the token, forging one needs the token, and every session ends when the
 * token rotates. The signature only proves the cookie was made here: a session is honoured while
 * its random id is also open in the DashboardSessions object (sessions.ts), which signing out closes.
 * Each form carries a CSRF token bound to the session (HMAC of the cookie), checked on every POST,
 * on top of the SameSite=Strict cookie and an Origin check.
 */
import { utf8 } from "../shared/bytes";

/** Session cookie name (`__Host-` on HTTPS: no Domain, Path=/, Secure). */
export function cookieName(secure: boolean): string {
  return secure ? "__Host-edgehook_session" : "edgehook_session";
}

/** Session lifetime. */
export const SESSION_SECONDS = 12 * 3600;

function b64url(bytes: ArrayBuffer): string {
  let s = "";
  for (const b of new Uint8Array(bytes)) s += String.fromCharCode(b);
  return btoa(s).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

async function mac(key: string, message: string): Promise<string> {
  const k = await crypto.subtle.importKey("raw", utf8(key), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return b64url(await crypto.subtle.sign("HMAC", k, utf8(message)));
}

/** Constant-time string equality (both sides hashed first, so lengths do not leak). */
async function same(a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([crypto.subtle.digest("SHA-256", utf8(a)), crypto.subtle.digest("SHA-256", utf8(b))]);
  return crypto.subtle.timingSafeEqual(x, y);
}

/** A session as its cookie names it. */
export interface SessionRef {
  /** Random id (16 bytes, base64url): the key of its record in DashboardSessions. */
  id: string;
  /** Expiry, milliseconds since the epoch. */
  expiresAt: number;
}

/** A new session for `token`, valid until `now + SESSION_SECONDS`: its cookie value and what to open in the store. */
export async function newSession(token: string, now: number): Promise<{ cookie: string; ref: SessionRef }> {
  const expires = Math.floor(now / 1000) + SESSION_SECONDS;
  const id = b64url(crypto.getRandomValues(new Uint8Array(16)).buffer);
  return { cookie: `${expires}.${id}.${await mac(token, `session:${expires}.${id}`)}`, ref: { id, expiresAt: expires * 1000 } };
}

/** A new session cookie value for `token` (open its id in the store to honour it). */
export async function createSession(token: string, now: number): Promise<string> {
  return (await newSession(token, now)).cookie;
}

/** The session a cookie names, when it was made with `token` and has not expired at `now`; else null. */
export async function readSession(value: string | undefined, token: string | undefined, now: number): Promise<SessionRef | null> {
  if (!value || !token) return null;
  const m = /^(\d{1,12})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/.exec(value);
  if (!m) return null;
  const expiresAt = Number(m[1]) * 1000;
  if (expiresAt <= now) return null;
  return (await same(m[3]!, await mac(token, `session:${m[1]}.${m[2]}`))) ? { id: m[2]!, expiresAt } : null;
}

/** Is `value` a session cookie made with `token` that has not expired at `now`? (Whether it is still open is the store's answer.) */
export async function verifySession(value: string | undefined, token: string | undefined, now: number): Promise<boolean> {
  return (await readSession(value, token, now)) !== null;
}

/** The CSRF token for a session: forms carry it, POSTs must echo it. */
export function csrfFor(session: string, token: string): Promise<string> {
  return mac(token, `csrf:${session}`);
}

/** Does `given` match the session's CSRF token? */
export async function verifyCsrf(given: string | undefined, session: string, token: string): Promise<boolean> {
  if (!given) return false;
  return same(given, await csrfFor(session, token));
}
