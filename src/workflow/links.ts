/** Parent and children of an event in a chain, for the admin API's event detail and the event page. */
import type { EventLedger, LedgerView } from "../ledger";
import { ledgerName } from "../ledger/plan"; // not the face: it carries the Durable Object class (see emit.ts)
import { CALLBACK_SOURCE, callbackEventId, parentOf, type CallbackKind, type ParentTask } from "./envelope";

/** A callback event an event's task started: its outcome, id and where it went. */
export interface ChildLink {
  /** The parent's task (destination) whose outcome it reports. */
  from: string;
  kind: CallbackKind;
  source: typeof CALLBACK_SOURCE;
  eventId: string;
  /** The callback destination's task status; absent when the hop was refused (hop limit, loop). */
  to?: { destination: string; status: string };
}

/** An event's place in a chain: the task it reports on (callback events only) and the callback events its tasks started. */
export interface EventLinks {
  parent: ParentTask | null;
  children: ChildLink[];
}

/**
 * Read an event's links: the parent from its own envelope, the children by their derived ids (one
 * per task and outcome: at most 3 ledger reads per task, bounded by the destinations configured).
 */
export async function eventLinks(ledgers: DurableObjectNamespace<EventLedger>, view: LedgerView, payload: Uint8Array | null): Promise<EventLinks> {
  const candidates = view.tasks.flatMap((t) => (["delivered", "dead", "result"] as const).map((kind) => ({ from: t.destination, kind, eventId: callbackEventId(t.webhookId, kind) })));
  const found = await Promise.all(
    candidates.map(async (c) => {
      const child = await ledgers.get(ledgers.idFromName(ledgerName(CALLBACK_SOURCE, c.eventId))).inspect();
      if (!child) return null;
      const task = child.tasks[0];
      return { ...c, source: CALLBACK_SOURCE, ...(task ? { to: { destination: task.destination, status: task.status } } : {}) } satisfies ChildLink;
    }),
  );
  return { parent: parentOf(view.event.source, payload), children: found.filter((c): c is NonNullable<typeof c> => c !== null) };
}
