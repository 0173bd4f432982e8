/** Pure planning: which destinations get a task, and each task's stable `webhook-id`. */
import { toBase64Url, utf8 } from "../shared/bytes";

/** Name of the ledger object for an event: `<source>:<eventId>`. */
export function ledgerName(source: string, eventId: string): string {
  return `${source}:${eventId}`;
}

/**
 * Stable Standard Webhooks id for one event at one destination: the same on every retry, re-drive
 * and replay, also after the ledger object has been cleaned up, so destinations can drop repeats.
 */
export async function webhookIdFor(source: string, eventId: string, destination: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", utf8(`${source}\n${eventId}\n${destination}`));
  return `msg_${toBase64Url(new Uint8Array(digest).subarray(0, 18))}`;
}

/** One task per distinct destination, in configured order. */
export function planDeliveries(destinations: readonly string[]): string[] {
  return [...new Set(destinations)];
}
