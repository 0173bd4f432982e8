/** Shared helpers for workerd tests: post as a provider, read the sink, inspect a ledger. */
import { env, exports } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import type { LedgerView } from "../../src/ledger";
import type { StoredEvent } from "../../src/ledger/store";
import type { SignedRequest } from "../support/signer";

/** A record the sink keeps per received request (scripts/sink.mjs). */
export interface Received {
  fault?: string;
  at: number;
  path: string;
  webhookId: string;
  attempt: number;
  status: number;
  verified: boolean;
  headers: Record<string, string>;
  body: string;
}

/** POST a signed request to the worker, as a provider would. */
export function post(source: string, signed: SignedRequest, init: RequestInit = {}): Promise<Response> {
  return exports.default.fetch(`https://edgehook.test/webhooks/${source}`, { method: "POST", headers: signed.headers, body: signed.body, ...init });
}

/** What the sink received at a path, optionally only for one event id. */
export async function received(path: string, eventId?: string): Promise<Received[]> {
  const list = (await (await fetch(`${env.SINK_URL}/_control/received?path=${encodeURIComponent(path)}`)).json()) as Received[];
  return eventId === undefined ? list : list.filter((r) => r.headers["edgehook-event-id"] === eventId);
}

/** Poll until `check` returns a value that is not undefined/false, or fail after `ms`. */
export async function waitFor<T>(check: () => Promise<T | undefined | false>, ms = 15_000, label = "condition"): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The ledger object of an event. */
export function ledgerStub(source: string, eventId: string) {
  return env.EVENT_LEDGER.get(env.EVENT_LEDGER.idFromName(`${source}:${eventId}`));
}

/** The ledger's view of an event, or null when nothing was stored. */
export function inspect(source: string, eventId: string): Promise<LedgerView | null> {
  return ledgerStub(source, eventId).inspect();
}

/** Wait until every task of an event is final (delivered or dead). */
export function settled(source: string, eventId: string, ms?: number): Promise<LedgerView> {
  return waitFor(async () => {
    const view = await inspect(source, eventId);
    return view && view.tasks.every((t) => t.status !== "pending") ? view : undefined;
  }, ms, `${source}:${eventId} to settle`);
}

/** Edit a ledger's stored state directly (time travel, or a task planned under another config). */
export async function editLedger(source: string, eventId: string, change: (event: StoredEvent) => void): Promise<void> {
  await runInDurableObject(ledgerStub(source, eventId), (_instance, state) => {
    const event = state.storage.kv.get<StoredEvent>("event")!;
    change(event);
    state.storage.kv.put("event", event);
  });
}

/** A pending task as the ledger would plan it. */
export function pendingTask(destination: string, webhookId = "msg_x"): StoredEvent["tasks"][number] {
  return { destination, webhookId, status: "pending", attempts: 0, dueAt: 0, lastStatus: null, lastError: null, log: [] };
}
