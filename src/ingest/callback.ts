/**
 * `POST /callbacks/:token`: the HTTP edge of asynchronous results (src/workflow). The token is
 * checked before the body is read; bodies over CALLBACK_RESULT_BYTES are refused (413).
 */
import type { Context } from "hono";
import { acceptCallbackResult, checkCallbackToken, CALLBACK_RESULT_BYTES, type WorkflowEnv } from "../workflow";
import { readBodyLimited } from "./body";
import { errorResponse } from "./errors";

/** The callback-result handler, mounted on every method so wrong ones get a clear 405. */
export async function handleCallbackResult(c: Context<{ Bindings: WorkflowEnv }>): Promise<Response> {
  if (c.req.method !== "POST") return errorResponse("method_not_allowed", "results are posted with POST", { allow: "POST" });
  const checked = await checkCallbackToken(c.env, c.req.param("token") ?? "", Date.now());
  if (!checked.ok) return errorResponse(checked.code, checked.message);
  const body = await readBodyLimited(c.req.raw, CALLBACK_RESULT_BYTES);
  if (!body) return errorResponse("payload_too_large", `a result is at most ${CALLBACK_RESULT_BYTES} bytes`);
  try {
    const result = await acceptCallbackResult(c.env, checked.claims, body, c.req.header("content-type") ?? null);
    if (!result.ok) return errorResponse(result.code, result.message);
    return Response.json({ status: result.status, id: result.id }, { status: result.status === "accepted" ? 202 : 200 });
  } catch (error) {
    console.error(JSON.stringify({ msg: "ledger_unavailable", route: "callbacks", error: String(error) }));
    return errorResponse("unavailable", "the result could not be stored; retry later");
  }
}
