/**
 * Asynchronous results: a service POSTs its job's result to the `edgehook-callback-url` it was
 * given. The token is checked (signature, then expiry), and the result becomes the task's
 * `callback.result` event: accepted once per task, a repeat with the same body is a duplicate, other
 * content with a used token is a conflict. Failures are values; the HTTP edge (src/ingest) maps them.
 */
import { loadConfig } from "../config";
import { callbackEventId, carry, type ParentTask } from "./envelope";
import { sendCallbackEvent, type WorkflowEnv } from "./emit";
import { CALLBACK_SECRET_NAME } from "./graph";
import { verifyCallbackToken, type CallbackClaims } from "./token";

/** Largest result body accepted on a callback URL (413 beyond). */
export const CALLBACK_RESULT_BYTES = 64 * 1024;

/** Why a posted result was refused. */
export type ResultFailure = {
  ok: false;
  code: "callback_token_invalid" | "callback_token_expired" | "callback_conflict" | "not_found" | "unavailable";
  message: string;
};

/** Check a callback URL's token before its body is read. */
export async function checkCallbackToken(env: WorkflowEnv, token: string, now: number): Promise<{ ok: true; claims: CallbackClaims } | ResultFailure> {
  const verdict = await verifyCallbackToken(env[CALLBACK_SECRET_NAME], token, now);
  if (verdict.ok) return verdict;
  return verdict.reason === "callback_token_expired"
    ? { ok: false, code: verdict.reason, message: "this callback URL has expired (destination callbackTtlSeconds); the task can no longer take a result" }
    : { ok: false, code: verdict.reason, message: "this callback URL's token is not one Edgehook issued (altered or truncated?); post to the exact edgehook-callback-url header value" };
}

/** Accept a result for the task a checked token names. */
export async function acceptCallbackResult(env: WorkflowEnv, claims: CallbackClaims, body: Uint8Array, contentType: string | null): Promise<{ ok: true; status: "accepted" | "duplicate"; id: string } | ResultFailure> {
  const loaded = loadConfig(env);
  if (!loaded.ok) return { ok: false, code: "unavailable", message: "Edgehook's configuration is invalid; the operator must fix it. Retry later." };
  const target = loaded.config.destinations.get(claims.d)?.config.callback;
  if (target === undefined) return { ok: false, code: "not_found", message: `destination "${claims.d}" no longer has a callback; the result has nowhere to go` };
  const parent: ParentTask = { source: claims.s, eventId: claims.e, eventType: claims.t, destination: claims.d, webhookId: claims.w };
  const result = await sendCallbackEvent(env, loaded.config, parent, { hop: claims.h, path: claims.p }, target, { kind: "result", result: { contentType, ...carry(body, false) } });
  const id = callbackEventId(claims.w, "result");
  if (result.status === "duplicate" && result.conflict) {
    return { ok: false, code: "callback_conflict", message: "a different result was already accepted for this task; the first one stands (the callback URL takes one result)" };
  }
  return { ok: true, status: result.status, id };
}
