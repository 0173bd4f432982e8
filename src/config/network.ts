/**
 * Whether a destination host is local, private or otherwise not a public unicast address. The host
 * is parsed and normalised as fetch will see it (WHATWG URL: `127.1`, `0x7f.1`, `%2e`, IPv6 forms),
 * then decided on the address, never on its text. Names that resolve to private addresses cannot
 * be seen here (DNS rebinding): see docs/configuration.md.
 */

/** Names reserved for local use: RFC 6761 `localhost`, RFC 8375 `home.arpa`, mDNS `.local`, `.internal`. */
const LOCAL_NAMES = ["localhost", "local", "internal", "home.arpa"];

/** IPv4 ranges that are not public unicast (RFC 6890 special-purpose registry, multicast, reserved, broadcast). */
const V4_BLOCKED: readonly (readonly [string, number])[] = [
  ["0.0.0.0", 8], // "this network"
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8],
  ["169.254.0.0", 16], // link-local, cloud metadata
  ["172.16.0.0", 12],
  ["192.0.0.0", 24], // IETF protocol assignments
  ["192.0.2.0", 24], // TEST-NET-1
  ["192.88.99.0", 24], // 6to4 relay anycast (deprecated)
  ["192.168.0.0", 16],
  ["198.18.0.0", 15], // benchmarking
  ["198.51.100.0", 24], // TEST-NET-2
  ["203.0.113.0", 24], // TEST-NET-3
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, and 255.255.255.255 broadcast
];

const v4Number = (text: string): number => text.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
const V4_RANGES = V4_BLOCKED.map(([base, bits]) => ({ base: v4Number(base), size: 2 ** (32 - bits) }));

/** Is this IPv4 address (as a 32-bit number) outside public unicast space? */
function blockedV4(address: number): boolean {
  return V4_RANGES.some((r) => address >= r.base && address < r.base + r.size);
}

/** The eight 16-bit groups of a canonical IPv6 address (WHATWG serialises it as hex groups with one `::`). */
function v6Groups(text: string): number[] | null {
  const [head, tail, extra] = text.split("::");
  if (extra !== undefined) return null;
  const part = (s: string | undefined) => (s ? s.split(":").map((g) => parseInt(g, 16)) : []);
  const left = part(head);
  const right = part(tail);
  const groups = tail === undefined ? left : [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : null;
}

/** Is this IPv6 address outside public unicast space, deciding embedded IPv4 forms on their IPv4 address? */
function blockedV6(g: number[]): boolean {
  const v4 = (hi: number, lo: number) => blockedV4(hi * 65536 + lo);
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zeros(0, 6)) return true; // ::, ::1 and the deprecated IPv4-compatible ::a.b.c.d: never a public destination
  if (zeros(0, 5) && g[5] === 0xffff) return v4(g[6]!, g[7]!); // IPv4-mapped ::ffff:a.b.c.d
  if (zeros(0, 4) && g[4] === 0xffff && g[5] === 0) return true; // IPv4-translated ::ffff:0:a.b.c.d (RFC 2765)
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return v4(g[6]!, g[7]!); // NAT64 well-known prefix (RFC 6052)
  if (g[0] === 0x64 && g[1] === 0xff9b && g[2] === 1) return true; // NAT64 local-use 64:ff9b:1::/48 (RFC 8215)
  if (g[0] === 0x2002) return v4(g[1]!, g[2]!); // 6to4 (RFC 3056)
  if (g[0] === 0x2001 && g[1] === 0) return true; // Teredo: tunnels to an IPv4 address it obfuscates
  if (g[0] === 0x2001 && g[1] === 0xdb8) return true; // documentation
  if (g[0] === 0x100 && zeros(1, 4)) return true; // discard-only 100::/64
  if (g[0] === 0x3fff && g[1]! < 0x1000) return true; // documentation 3fff::/20 (RFC 9637)
  const first = g[0]!;
  return (first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80 || (first & 0xffc0) === 0xfec0 || (first & 0xff00) === 0xff00; // ULA, link-local, site-local, multicast
}

/** The host as fetch would see it (lowercase, IPv4 shorthand expanded, IPv6 canonical), or `null` when it does not parse. */
function canonicalHost(hostname: string): string | null {
  const raw = hostname.includes(":") && !hostname.startsWith("[") ? `[${hostname}]` : hostname;
  try {
    return new URL(`http://${raw}/`).hostname;
  } catch {
    return null;
  }
}

/**
 * Is this host loopback, private, link-local, shared, multicast, reserved or documentation space, or a
 * locally reserved name? Unparseable hosts count as private (fail closed).
 * @example isPrivateHost("[::ffff:127.0.0.1]") // true
 */
export function isPrivateHost(hostname: string): boolean {
  const canonical = canonicalHost(hostname);
  if (canonical === null) return true;
  if (canonical.startsWith("[")) {
    const groups = v6Groups(canonical.slice(1, -1));
    return groups === null || blockedV6(groups);
  }
  const host = canonical.replace(/\.+$/, "");
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host)) return blockedV4(v4Number(host));
  return host === "" || LOCAL_NAMES.some((name) => host === name || host.endsWith(`.${name}`));
}
