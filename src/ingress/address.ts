/**
 * Strict IP address and CIDR parsing for source allowlists. Every address becomes 16 bytes: IPv4 as
 * IPv4-mapped IPv6 (`::ffff:a.b.c.d`, RFC 4291 §2.5.5.2), so an IPv4 rule also matches the mapped
 * form of its addresses and one comparison serves both families. Pure; bad text is `null`, never a throw.
 */

/** An address or network as 16 bytes, plus how many leading bits are fixed (128 for one address). */
export interface Network {
  bytes: Uint8Array;
  prefix: number;
}

/** Dotted-quad IPv4, strictly: four decimal octets 0–255, no leading zeros (`010` is octal to some parsers). */
function parseV4(text: string): number[] | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  const octets: number[] = [];
  for (const part of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return null;
    const value = Number(part);
    if (value > 255) return null;
    octets.push(value);
  }
  return octets;
}

/** IPv6 (RFC 4291 §2.2): hex groups, one `::` at most, an optional dotted-quad tail; no zone id, no brackets. */
function parseV6(text: string): Uint8Array | null {
  if (!/^[0-9a-fA-F:.]+$/.test(text)) return null;
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const groups = (half: string): number[] | null => {
    if (half === "") return [];
    const out: number[] = [];
    const parts = half.split(":");
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      if (part.includes(".")) {
        // An embedded IPv4 address may only be the last 32 bits.
        const v4 = i === parts.length - 1 ? parseV4(part) : null;
        if (!v4) return null;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(part)) return null;
        out.push(parseInt(part, 16));
      }
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return null;
  // A dotted tail is only allowed at the very end of the address.
  if (halves.length === 2 && halves[0]!.includes(".")) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const all = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  all.forEach((g, i) => {
    bytes[2 * i] = g >> 8;
    bytes[2 * i + 1] = g & 0xff;
  });
  return bytes;
}

/** IPv4-mapped IPv6 bytes of an IPv4 address. */
function mapped(octets: number[]): Uint8Array {
  const bytes = new Uint8Array(16);
  bytes[10] = 0xff;
  bytes[11] = 0xff;
  bytes.set(octets, 12);
  return bytes;
}

/**
 * One IP address (IPv4 or IPv6) as 16 bytes, or `null` when the text is not exactly an address.
 * @example parseAddress("192.30.252.1") // ::ffff:192.30.252.1 as bytes
 */
export function parseAddress(text: string): Uint8Array | null {
  if (text.length === 0 || text.length > 45) return null; // longest textual IPv6 is 45 characters
  if (text.includes(":")) return parseV6(text);
  const v4 = parseV4(text);
  return v4 ? mapped(v4) : null;
}

/** Why a CIDR entry is refused (config problems quote it: it is an address, not a secret). */
export type CidrResult = { ok: true; network: Network } | { ok: false; reason: string };

/**
 * Parse `address/prefix` (or a bare address: one host). The prefix is 0–32 for IPv4 and 0–128 for
 * IPv6; host bits set below the prefix are refused (`192.30.252.1/22` is probably a typo for
 * `192.30.252.0/22`, and silently widening or narrowing a security rule is worse than saying so).
 * @example parseCidr("2a0a:a440::/29")
 */
export function parseCidr(text: string): CidrResult {
  const slash = text.indexOf("/");
  const addressText = slash < 0 ? text : text.slice(0, slash);
  const bytes = parseAddress(addressText);
  if (!bytes) return { ok: false, reason: "is not an IPv4 or IPv6 address (dotted quad without leading zeros, or RFC 4291 IPv6 without a zone)" };
  const v4 = !addressText.includes(":");
  const max = v4 ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    const bits = text.slice(slash + 1);
    if (!/^(0|[1-9][0-9]{0,2})$/.test(bits) || Number(bits) > max) return { ok: false, reason: `has a prefix length that is not 0–${max}` };
    prefix = Number(bits);
  }
  const fixed = v4 ? 96 + prefix : prefix;
  const network = { bytes, prefix: fixed };
  if (!masked(bytes, fixed).every((b, i) => b === bytes[i])) {
    return { ok: false, reason: `has host bits set below /${prefix}; write the network address (${formatNetwork({ bytes: masked(bytes, fixed), prefix: fixed })})` };
  }
  return { ok: true, network };
}

/** The bytes with every bit after `prefix` cleared. */
function masked(bytes: Uint8Array, prefix: number): Uint8Array {
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) {
    const keep = Math.max(0, Math.min(8, prefix - 8 * i));
    out[i] = bytes[i]! & ((0xff << (8 - keep)) & 0xff);
  }
  return out;
}

/** Whether an address (16 bytes) is inside a network: its first `prefix` bits are the network's. */
export function contains(network: Network, address: Uint8Array): boolean {
  const full = network.prefix >> 3;
  for (let i = 0; i < full; i++) if (network.bytes[i] !== address[i]) return false;
  const rest = network.prefix & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (network.bytes[full]! & mask) === (address[full]! & mask);
}

/** A network as text: IPv4 forms for mapped IPv4 (`a.b.c.d/n`), else uncompressed-hex IPv6. */
export function formatNetwork(network: Network): string {
  const b = network.bytes;
  const isMapped = b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff && network.prefix >= 96;
  if (isMapped) return `${b[12]}.${b[13]}.${b[14]}.${b[15]}/${network.prefix - 96}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((b[i]! << 8) | b[i + 1]!).toString(16));
  return `${groups.join(":")}/${network.prefix}`;
}
