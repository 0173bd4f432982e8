/** The delivery side of listen: hand a signed request to the destination's hub, as one attempt. */
import type { RuntimeDestination } from "../config";
import type { AttemptResult } from "../delivery";
import type { ListenHub } from "./hub";
import { attemptOf, MAX_LISTEN_BODY_BYTES } from "./protocol";

/** Bindings the listen stage uses. */
export interface ListenEnv {
  LISTEN_HUB: DurableObjectNamespace<ListenHub>;
}

/** The hub of a destination. */
export function hubOf(env: ListenEnv, destination: string): DurableObjectStub<ListenHub> {
  return env.LISTEN_HUB.get(env.LISTEN_HUB.idFromName(destination));
}

/**
 * One attempt to a listen destination: the signed headers and body go to the connected CLI, whose
 * ack (the local server's status) is the outcome. Failures are values, never thrown.
 * @example await sendToListener(env, destination, headers, payload, Date.now())
 */
export async function sendToListener(env: ListenEnv, destination: RuntimeDestination, headers: Headers, body: Uint8Array, started: number): Promise<AttemptResult> {
  if (body.byteLength > MAX_LISTEN_BODY_BYTES) return attemptOf({ kind: "too_large", bytes: body.byteLength }, Date.now() - started);
  try {
    const answer = await hubOf(env, destination.name).deliver({ headers: Object.fromEntries(headers), body, timeoutMs: destination.config.timeoutMs });
    return attemptOf(answer, Date.now() - started);
  } catch (error) {
    return attemptOf({ kind: "lost", reason: `the listen hub could not be reached: ${String(error)}` }, Date.now() - started);
  }
}

/** Pass an authenticated WebSocket upgrade on to the destination's hub (its 101, or a 4xx). */
export async function openListener(env: ListenEnv, destination: string, request: Request): Promise<Response> {
  const res = await hubOf(env, destination).fetch(request);
  // A fresh response: the admin app adds headers (x-request-id), and a forwarded one may be immutable.
  return new Response(res.body, { status: res.status, headers: new Headers(res.headers), webSocket: res.webSocket });
}
