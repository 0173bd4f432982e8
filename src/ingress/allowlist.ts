/**
 * Source IP allowlists: CIDR entries and `preset:<provider>` names compiled once at config load, then
 * matched against `CF-Connecting-IP` before any other work on a request. Pure.
 */
import { contains, parseAddress, parseCidr, type Network } from "./address";
import { IP_RANGES } from "./ip-ranges";

/** Most networks one source may list, after presets are expanded: matching stays a short linear scan. */
export const MAX_ALLOW_NETWORKS = 512;

/** A compiled allowlist: its networks, in the order written. */
export interface AllowList {
  readonly networks: readonly Network[];
}

/** Compile result: failures list every bad entry by index. */
export type AllowListResult = { ok: true; list: AllowList } | { ok: false; problems: { index: number; message: string }[] };

/** Names accepted after `preset:` (the providers that publish their webhook source ranges). */
export const IP_PRESETS: readonly string[] = Object.keys(IP_RANGES);

/**
 * Compile `allowIps` entries: CIDRs, bare addresses (one host) and `preset:<provider>` names.
 * @example compileAllowList(["preset:github", "203.0.113.0/24"])
 */
export function compileAllowList(entries: readonly string[]): AllowListResult {
  const networks: Network[] = [];
  const problems: { index: number; message: string }[] = [];
  entries.forEach((entry, index) => {
    if (entry.startsWith("preset:")) {
      const name = entry.slice("preset:".length);
      const list = Object.hasOwn(IP_RANGES, name) ? IP_RANGES[name as keyof typeof IP_RANGES] : undefined;
      if (!list) {
        problems.push({ index, message: `unknown IP range preset "${name}" (known: ${IP_PRESETS.join(", ")}; docs/providers.md)` });
        return;
      }
      for (const range of list.ranges) {
        const parsed = parseCidr(range);
        // The data file is generated and checked by a unit test; a bad row there is a bug, not input.
        if (!parsed.ok) throw new Error(`src/ingress/ip-ranges.ts: ${name} range ${range} ${parsed.reason}`);
        networks.push(parsed.network);
      }
      return;
    }
    const parsed = parseCidr(entry);
    if (parsed.ok) networks.push(parsed.network);
    else problems.push({ index, message: `"${entry.slice(0, 64)}" ${parsed.reason}` });
  });
  if (networks.length > MAX_ALLOW_NETWORKS) {
    problems.push({ index: 0, message: `lists ${networks.length} networks with presets expanded; at most ${MAX_ALLOW_NETWORKS}` });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, list: { networks } };
}

/** Why a request is refused by an allowlist. */
export type IpVerdict = { ok: true } | { ok: false; reason: "no_client_address" | "not_listed" };

/**
 * Decide a request on its `CF-Connecting-IP` (set by Cloudflare's edge, which overwrites any value a
 * client sends). No header, or one that is not exactly an address, is refused: fail closed.
 * @example ipAllowed(list, request.headers)
 */
export function ipAllowed(list: AllowList, headers: Headers): IpVerdict {
  const text = headers.get("cf-connecting-ip");
  const address = text === null ? null : parseAddress(text.trim());
  if (!address) return { ok: false, reason: "no_client_address" };
  return list.networks.some((n) => contains(n, address)) ? { ok: true } : { ok: false, reason: "not_listed" };
}
