/** Pure: the reason a poison message's task ends dead with (kept apart from poison.ts, which binds to the ledger and alerts). */

/**
 * The dead reason for a poison message's error: an unreadable encrypted payload keeps its own
 * reason (`encryption_key_unavailable`, `payload_unreadable`), anything else is `poison_message`.
 */
export function deadReason(error: unknown): string {
  return /^(encryption_key_unavailable|payload_unreadable): /.exec((error as Error | null)?.message ?? "")?.[1] ?? "poison_message";
}
