/** Pure planning: which destinations get a task (routes and filters), and each task's stable `webhook-id`. */
import type { FieldMatch, Route } from "../config";
import { toBase64Url, utf8 } from "../shared/bytes";
import { getPath } from "../shared/json";

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

/** Glob match where `*` stands for any run of characters (`invoice.*`, `*.created`, `*`). */
export function globMatch(pattern: string, text: string): boolean {
  const parts = pattern.split("*");
  if (parts.length === 1) return pattern === text;
  if (!text.startsWith(parts[0]!) || !text.endsWith(parts[parts.length - 1]!)) return false;
  let at = parts[0]!.length;
  const end = text.length - parts[parts.length - 1]!.length;
  for (const middle of parts.slice(1, -1)) {
    const found = text.indexOf(middle, at);
    if (found < 0 || found + middle.length > end) return false;
    at = found + middle.length;
  }
  return at <= end;
}

/** Does the JSON body satisfy one field condition? */
export function fieldMatches(json: unknown, match: FieldMatch): boolean {
  const value = getPath(json, match.path);
  if (match.exists !== undefined) return (value !== undefined) === match.exists;
  if (match.equals !== undefined) return value === match.equals;
  if (match.in !== undefined) return match.in.some((candidate) => candidate === value);
  if (match.prefix !== undefined) return typeof value === "string" && value.startsWith(match.prefix);
  return false;
}

/** Does an event pass a route's filters (every filter must hold)? */
export function routeMatches(route: string | Route, eventType: string, json: unknown): boolean {
  if (typeof route === "string") return true;
  if (route.types && !route.types.some((glob) => globMatch(glob, eventType))) return false;
  return (route.match ?? []).every((m) => fieldMatches(json, m));
}

/**
 * Plan an event's tasks: one per distinct destination with at least one matching route, in
 * configured order; destinations whose every route filtered the event out are reported as filtered.
 */
export function planDeliveries(routes: readonly (string | Route)[], eventType: string, json: unknown): { destinations: string[]; filtered: string[] } {
  const destinations: string[] = [];
  const seen = new Set<string>();
  for (const route of routes) {
    const name = typeof route === "string" ? route : route.destination;
    seen.add(name);
    if (!destinations.includes(name) && routeMatches(route, eventType, json)) destinations.push(name);
  }
  return { destinations, filtered: [...seen].filter((name) => !destinations.includes(name)) };
}
