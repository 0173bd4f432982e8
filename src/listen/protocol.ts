/**
 * The wire between a ListenHub and `npm run listen` (scripts/listen.mjs), as pure functions: one
 * JSON text frame per delivery out, one JSON ack back. Acks are untrusted input: bounded and checked.
 */
import type { AttemptResult } from "../delivery";
import { toBase64 } from "../shared/bytes";

/** Keep-alive the CLI sends; the hub answers it without waking (setWebSocketAutoResponse). */
export const PING = "ping";
/** The automatic answer to PING. */
export const PONG = "pong";

/** Longest ack frame read; anything longer is ignored (the snippet it may carry is capped anyway). */
export const MAX_ACK_CHARS = 4096;
/** Characters of the local server's answer kept in the attempt log (as SNIPPET_BYTES for HTTP). */
export const ACK_SNIPPET_CHARS = 512;

/**
 * Largest body a listen delivery carries: sent base64 in one frame (16 MiB of text), it stays well
 * within a Durable Object call (32 MiB) and the hub's memory (128 MiB). A larger one is undeliverable.
 */
export const MAX_LISTEN_BODY_BYTES = 12 * 1024 * 1024;

/** What the hub hands the CLI: the signed request, exactly as an HTTP destination would get it. */
export interface DeliveryFrame {
  type: "delivery";
  id: string;
  headers: Record<string, string>;
  /** The body bytes, base64 (a JSON text frame carries any bytes). */
  body: string;
}

/** What happened to one delivery handed to the hub. */
export type ListenAnswer =
  | { kind: "answered"; status: number; snippet: string }
  | { kind: "no_listener" }
  | { kind: "too_large"; bytes: number }
  | { kind: "timeout" }
  | { kind: "lost"; reason: string };

/** A checked ack: which delivery, and what the local server said. */
export interface Ack {
  id: string;
  answer: ListenAnswer;
}

/** The frame for one delivery. */
export function deliveryFrame(id: string, headers: Record<string, string>, body: Uint8Array): string {
  const frame: DeliveryFrame = { type: "delivery", id, headers, body: toBase64(body) };
  return JSON.stringify(frame);
}

/**
 * Parse a frame from the CLI: an ack `{type:"ack", id, status, snippet?}` (status 100-599 is the
 * local server's answer; 0 with `error` means the local server could not be reached), or `null`.
 * @example parseAck('{"type":"ack","id":"d1","status":200,"snippet":"ok"}') // { id: "d1", answer: { kind: "answered", status: 200, snippet: "ok" } }
 */
export function parseAck(message: string | ArrayBuffer): Ack | null {
  if (typeof message !== "string" || message.length > MAX_ACK_CHARS) return null;
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return null;
  }
  const ack = value as { type?: unknown; id?: unknown; status?: unknown; snippet?: unknown; error?: unknown } | null;
  if (typeof ack !== "object" || ack === null || ack.type !== "ack" || typeof ack.id !== "string" || ack.id.length > 64) return null;
  const status = ack.status;
  if (typeof status !== "number" || !Number.isInteger(status)) return null;
  if (status >= 100 && status <= 599) {
    const snippet = typeof ack.snippet === "string" ? ack.snippet.slice(0, ACK_SNIPPET_CHARS) : "";
    return { id: ack.id, answer: { kind: "answered", status, snippet } };
  }
  const error = typeof ack.error === "string" ? ack.error.slice(0, 200) : "no answer";
  return { id: ack.id, answer: { kind: "lost", reason: `the local server did not answer: ${error}` } };
}

/**
 * The attempt result of a hub answer: the local server's status decides, as an HTTP status would;
 * nobody listening is `no_listener` and a missing ack is a timeout, both retried under the policy.
 */
export function attemptOf(answer: ListenAnswer, latencyMs: number): AttemptResult {
  switch (answer.kind) {
    case "answered":
      return { status: answer.status, latencyMs, ...(answer.snippet ? { snippet: answer.snippet } : {}) };
    case "too_large":
      return { status: 0, latencyMs, transportError: "undeliverable", snippet: `the body (${answer.bytes} bytes) is over the ${MAX_LISTEN_BODY_BYTES} bytes a listen delivery carries; use an http destination for it` };
    case "no_listener":
      return { status: 0, latencyMs, transportError: "no_listener", snippet: "no `npm run listen` is connected for this destination" };
    case "timeout":
      return { status: 0, latencyMs, transportError: "timeout", snippet: "the listener did not acknowledge within timeoutMs" };
    case "lost":
      return { status: 0, latencyMs, transportError: "network", snippet: answer.reason.slice(0, ACK_SNIPPET_CHARS) };
  }
}
