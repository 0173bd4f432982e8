/** One structured, redacted log line per operator action, with the request id. */
import type { Context } from "hono";
import { logLine, redactFieldsFrom } from "../observe";

/**
 * Log an operator action (`admin_action`), e.g. a replay or a pause.
 * @example audit(c, "replay", { source, eventId, replayed })
 */
export function audit<E extends { Variables: { requestId: string } }>(c: Context<E>, action: string, fields: Record<string, unknown>): void {
  const requestId: string = (c.get as (key: "requestId") => string)("requestId");
  logLine("log", "admin_action", { action, requestId, via: c.req.path.startsWith("/dashboard") ? "dashboard" : "api", ...fields }, redactFieldsFrom(c.env as object));
}
