/**
 * Callback events, pure: their ids, their JSON body (the envelope), and where they sit in a chain.
 * A callback event is a real event of the reserved source `_callback` (no configured source can
 * take that name: names start with a letter or digit), so the ledger's exactly-once acceptance is
 * what makes a callback happen once per task outcome (docs/workflows.md).
 */
import { textOrBase64 } from "../shared/bytes";

/** The reserved source of callback events. */
export const CALLBACK_SOURCE = "_callback";

/** Which outcome of a task a callback event reports: delivered, dead, or a result posted later. */
export type CallbackKind = "delivered" | "dead" | "result";

/** The task a callback event reports on. */
export interface ParentTask {
  source: string;
  eventId: string;
  eventType: string;
  destination: string;
  webhookId: string;
}

/** Where an event sits in a chain: hop 0 is a provider's event; `path` lists the destinations passed. */
export interface ChainPosition {
  hop: number;
  path: string[];
}

/** A body carried as text when it is UTF-8, else base64. */
export interface CarriedBody {
  body: string;
  encoding: "utf8" | "base64";
  truncated: boolean;
}

/** The callback event's id: one per task (webhook-id) and outcome, so a repeat is a ledger duplicate. */
export function callbackEventId(webhookId: string, kind: CallbackKind): string {
  return `${webhookId}.${kind}`;
}

/** The callback event's type. */
export function callbackEventType(kind: CallbackKind): string {
  return `callback.${kind}`;
}

/** The chain position of a stored event: read from its envelope when it is a callback event, else hop 0. */
export function chainOf(source: string, payload: Uint8Array | null): ChainPosition {
  if (source !== CALLBACK_SOURCE || payload === null) return { hop: 0, path: [] };
  try {
    const envelope = JSON.parse(new TextDecoder().decode(payload)) as Partial<ChainPosition>;
    if (Number.isInteger(envelope.hop) && Array.isArray(envelope.path)) return { hop: envelope.hop!, path: envelope.path.map(String) };
  } catch {
    // Not an envelope (cannot happen for events this stage stored): treat as the chain's start.
  }
  return { hop: 0, path: [] };
}

/**
 * The next hop from a task of an event at `from` (destination `at`) to callback destination `to`:
 * refused when it would pass `maxHops`, or reach a destination already on the path (a loop the
 * config check could not see, e.g. after a config change mid-chain).
 */
export function nextHop(from: ChainPosition, at: string, to: string, maxHops: number): ChainPosition & { refused?: "hop_limit" | "cycle" } {
  const next = { hop: from.hop + 1, path: [...from.path, at] };
  if (next.hop > maxHops) return { ...next, refused: "hop_limit" };
  if (next.path.includes(to)) return { ...next, refused: "cycle" };
  return next;
}

/** Carry bytes as UTF-8 text when they decode, else base64 (a cut multi-byte character at a truncation is dropped). */
export function carry(bytes: Uint8Array, truncated: boolean): CarriedBody {
  const { encoding, text } = textOrBase64(bytes, truncated);
  return { body: text, encoding, truncated };
}

/** What a callback event reports: a destination's response (delivered / dead) or a result posted later. */
export type Report =
  | { kind: "delivered" | "dead"; response: { status: number; headers: Record<string, string> } & CarriedBody; error?: string }
  | { kind: "result"; result: { contentType: string | null } & CarriedBody };

/**
 * The callback event's body. No timestamps: the same report always gives the same bytes, so a
 * repeat is a plain duplicate and only other content is a conflict.
 */
export function callbackEnvelope(parent: ParentTask, position: ChainPosition & { refused?: string }, report: Report): Uint8Array {
  const { kind, ...content } = report;
  const envelope = {
    type: callbackEventType(kind),
    hop: position.hop,
    path: position.path,
    parent,
    ...(position.refused ? { refused: position.refused } : {}),
    ...content,
  };
  return new TextEncoder().encode(JSON.stringify(envelope));
}

/** The parent of a callback event, read from its envelope (for the event detail); null for other events. */
export function parentOf(source: string, payload: Uint8Array | null): ParentTask | null {
  if (source !== CALLBACK_SOURCE || payload === null) return null;
  try {
    const parent = (JSON.parse(new TextDecoder().decode(payload)) as { parent?: ParentTask }).parent;
    return parent && typeof parent.source === "string" && typeof parent.eventId === "string" ? parent : null;
  } catch {
    return null;
  }
}
