/** Bearer-token auth for every admin route: constant-time compare, fail closed when no token is set. */
import type { MiddlewareHandler } from "hono";
import { utf8 } from "../shared/bytes";

/** Compare two strings in constant time (SHA-256 both, so lengths never leak, then a timing-safe compare). */
export async function tokensEqual(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([crypto.subtle.digest("SHA-256", utf8(given)), crypto.subtle.digest("SHA-256", utf8(expected))]);
  return crypto.subtle.timingSafeEqual(a, b);
}

/**
 * Require `Authorization: Bearer <ADMIN_TOKEN>`.
 * @example app.use("/api/*", requireAdmin())
 */
export function requireAdmin(): MiddlewareHandler<{ Bindings: { ADMIN_TOKEN?: string } }> {
  return async (c, next) => {
    const expected = c.env.ADMIN_TOKEN;
    const header = c.req.header("authorization") ?? "";
    const given = header.startsWith("Bearer ") ? header.slice("Bearer ".length) : "";
    if (!expected || !given || !(await tokensEqual(given, expected))) {
      return c.json(
        { error: { code: "unauthorized", message: expected ? "missing or wrong bearer token" : "the admin API is disabled until the ADMIN_TOKEN secret is set" } },
        401,
        { "www-authenticate": 'Bearer realm="edgehook"' },
      );
    }
    await next();
  };
}
