/**
 * Dashboard sessions without storage: the cookie is `<expiry>.<HMAC(ADMIN_TOKEN, "session:" + expiry)>`,
 * so it never carries the token, expires on its own, and every session ends when the token rotates.
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

/** A new session cookie value for `token`, valid until `now + SESSION_SECONDS`. */
export async function createSession(token: string, now: number): Promise<string> {
  const expires = Math.floor(now / 1000) + SESSION_SECONDS;
  return `${expires}.${await mac(token, `session:${expires}`)}`;
}

/** Is `value` a session made with `token` that has not expired at `now`? */
export async function verifySession(value: string | undefined, token: string | undefined, now: number): Promise<boolean> {
  if (!value || !token) return false;
  const m = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(value);
  if (!m) return false;
  if (Number(m[1]) * 1000 <= now) return false;
  return same(m[2]!, await mac(token, `session:${m[1]}`));
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
