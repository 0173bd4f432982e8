/** Source IP allowlists (src/ingress): address and CIDR parsing, matching, presets, config load. */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config";
import { compileAllowList, contains, formatNetwork, ipAllowed, IP_RANGES, MAX_ALLOW_NETWORKS, parseAddress, parseCidr, type AllowList } from "../../src/ingress";

const list = (...entries: string[]): AllowList => {
  const compiled = compileAllowList(entries);
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.problems));
  return compiled.list;
};
const from = (ip: string | null) => new Headers(ip === null ? {} : { "cf-connecting-ip": ip });
const allowed = (l: AllowList, ip: string | null) => ipAllowed(l, from(ip)).ok;

describe("parseAddress", () => {
  it("reads IPv4 and every RFC 4291 IPv6 spelling of one address to the same bytes", () => {
    const same = ["2001:db8::1", "2001:0db8:0000:0000:0000:0000:0000:0001", "2001:DB8:0:0:0:0:0:1", "2001:db8:0::0:1"];
    const bytes = same.map(parseAddress);
    for (const b of bytes) expect(b).toEqual(bytes[0]);
    expect(parseAddress("::")).toEqual(new Uint8Array(16));
    expect(parseAddress("::1")?.[15]).toBe(1);
  });

  it("maps IPv4 to ::ffff:a.b.c.d, so the mapped spellings are the same address", () => {
    const v4 = parseAddress("192.30.252.7");
    expect(v4).toEqual(parseAddress("::ffff:192.30.252.7"));
    expect(v4).toEqual(parseAddress("::ffff:c01e:fc07"));
    expect(v4).toEqual(parseAddress("0:0:0:0:0:ffff:192.30.252.7"));
  });

  it("refuses anything that is not exactly an address", () => {
    for (const bad of ["", " 1.2.3.4", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.-1", "0x7f.0.0.1", "1:2:3:4:5:6:7:8:9", "1::2::3", "fe80::1%eth0", "[::1]", "::ffff:1.2.3.4:5", "1.2.3.4::", "12345::", "g::1", "1:2:3:4:5:6:7::8"]) {
      expect(parseAddress(bad), bad).toBeNull();
    }
  });
});

describe("parseCidr and contains", () => {
  it("matches the boundaries of an IPv4 network and nothing past them", () => {
    const r = parseCidr("192.30.252.0/22");
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(contains(r.network, parseAddress("192.30.252.0")!)).toBe(true);
    expect(contains(r.network, parseAddress("192.30.255.255")!)).toBe(true);
    expect(contains(r.network, parseAddress("192.30.251.255")!)).toBe(false);
    expect(contains(r.network, parseAddress("192.31.0.0")!)).toBe(false);
    // An IPv4 rule never matches an IPv6 address outside ::ffff:0:0/96 that happens to share low bits.
    expect(contains(r.network, parseAddress("::c01e:fc07")!)).toBe(false);
  });

  it("matches IPv6 networks with a prefix inside a byte (/29)", () => {
    const r = parseCidr("2a0a:a440::/29");
    if (!r.ok) throw new Error(r.reason);
    expect(contains(r.network, parseAddress("2a0a:a447:ffff::1")!)).toBe(true);
    expect(contains(r.network, parseAddress("2a0a:a448::")!)).toBe(false);
    expect(contains(r.network, parseAddress("2a0a:a43f:ffff:ffff:ffff:ffff:ffff:ffff")!)).toBe(false);
  });

  it("a bare address is one host; /0 is everything of its family", () => {
    const host = parseCidr("203.0.113.9");
    if (!host.ok) throw new Error(host.reason);
    expect(formatNetwork(host.network)).toBe("203.0.113.9/32");
    const all4 = parseCidr("0.0.0.0/0");
    if (!all4.ok) throw new Error(all4.reason);
    expect(contains(all4.network, parseAddress("8.8.8.8")!)).toBe(true);
    expect(contains(all4.network, parseAddress("2001:db8::1")!)).toBe(false);
  });

  it("refuses bad CIDRs with a reason, and names the network when host bits are set", () => {
    expect(parseCidr("192.30.252.1/22")).toEqual({ ok: false, reason: expect.stringContaining("192.30.252.0/22") });
    expect(parseCidr("2a0a:a441::/29")).toEqual({ ok: false, reason: expect.stringContaining("2a0a:a440:0:0:0:0:0:0/29") });
    for (const bad of ["1.2.3.0/33", "1.2.3.0/", "1.2.3.0/024", "1.2.3.0/-1", "::/129", "1.2.3.0/8/8", "example.com/24", "1.2.3.0/ 24"]) {
      expect(parseCidr(bad).ok, bad).toBe(false);
    }
  });
});

describe("ipAllowed", () => {
  const l = list("192.30.252.0/22", "2606:50c0::/32");

  it("admits listed addresses in every spelling, IPv4-mapped included", () => {
    expect(allowed(l, "192.30.253.4")).toBe(true);
    expect(allowed(l, "::ffff:192.30.253.4")).toBe(true);
    expect(allowed(l, "2606:50c0:8000::153")).toBe(true);
    expect(allowed(l, "2606:50C0:0:0:0:0:0:1")).toBe(true);
  });

  it("refuses other addresses, and fails closed without a usable CF-Connecting-IP", () => {
    expect(ipAllowed(l, from("203.0.113.9"))).toEqual({ ok: false, reason: "not_listed" });
    expect(ipAllowed(l, from("2606:50c1::1"))).toEqual({ ok: false, reason: "not_listed" });
    expect(ipAllowed(l, from(null))).toEqual({ ok: false, reason: "no_client_address" });
    expect(ipAllowed(l, from("192.30.253.4, 10.0.0.1"))).toEqual({ ok: false, reason: "no_client_address" });
    expect(ipAllowed(l, from("not-an-ip"))).toEqual({ ok: false, reason: "no_client_address" });
    // X-Forwarded-For is client-controlled and never read.
    expect(ipAllowed(l, new Headers({ "x-forwarded-for": "192.30.253.4" })).ok).toBe(false);
  });
});

describe("presets", () => {
  it("every published range in the data file parses, and each provider names its source URL and date", () => {
    for (const [name, entry] of Object.entries(IP_RANGES)) {
      expect(entry.urls.length, name).toBeGreaterThan(0);
      for (const url of entry.urls) expect(url).toMatch(/^https:\/\//);
      expect(entry.takenAt).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(entry.ranges.length, name).toBeGreaterThan(0);
      for (const range of entry.ranges) expect(parseCidr(range), `${name} ${range}`).toMatchObject({ ok: true });
    }
  });

  it("preset:github admits GitHub's hook ranges (IPv4 and IPv6) and nothing else", () => {
    const l = list("preset:github");
    expect(allowed(l, "140.82.115.10")).toBe(true);
    expect(allowed(l, "2a0a:a440::1")).toBe(true);
    expect(allowed(l, "54.187.174.169")).toBe(false); // a Stripe webhook address
  });

  it("presets and CIDRs combine", () => {
    const l = list("preset:stripe", "198.51.100.0/24");
    expect(allowed(l, "54.187.174.169")).toBe(true);
    expect(allowed(l, "198.51.100.77")).toBe(true);
    expect(allowed(l, "140.82.115.10")).toBe(false);
  });

  it("an unknown preset or a bad entry is refused by index, and so is a list over the cap", () => {
    const bad = compileAllowList(["10.0.0.0/8", "preset:nope", "10.0.0.1/8", "preset:toString"]);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.problems.map((p) => p.index)).toEqual([1, 2, 3]);
    const many = compileAllowList(Array.from({ length: 30 }, () => "preset:pagerduty"));
    expect(many.ok).toBe(false);
    if (!many.ok) expect(many.problems[0]!.message).toContain(`at most ${MAX_ALLOW_NETWORKS}`);
  });

  it("the data file is in the form scripts/refresh-ip-ranges.mjs writes (offline --check)", () => {
    const script = fileURLToPath(new URL("../../scripts/refresh-ip-ranges.mjs", import.meta.url).href);
    expect(execFileSync(process.execPath, [script, "--check"], { encoding: "utf8" })).toContain("generated form");
  });
});

describe("config load", () => {
  const secrets = { GH: "x" };
  const config = (allowIps: unknown) => ({ sources: { gh: { provider: "github", secrets: ["GH"], allowIps } } });

  it("compiles allowIps into the runtime source; a source without it has no list", () => {
    const ok = parseConfig(config(["preset:github", "203.0.113.0/24"]), secrets);
    expect(ok.ok).toBe(true);
    if (ok.ok) expect(ok.config.sources.get("gh")!.allowList!.networks.length).toBe(IP_RANGES.github.ranges.length + 1);
    const none = parseConfig({ sources: { gh: { provider: "github", secrets: ["GH"] } } }, secrets);
    expect(none.ok && none.config.sources.get("gh")!.allowList).toBeNull();
  });

  it("refuses a bad CIDR at load, with its path and reason (fail closed: the whole config is invalid)", () => {
    const bad = parseConfig(config(["192.30.252.0/22", "192.30.252.1/22", "preset:nobody"]), secrets);
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.problems).toContainEqual(expect.stringMatching(/^EDGEHOOK\.sources\.gh\.allowIps\.1: .*host bits set.*192\.30\.252\.0\/22/));
    expect(bad.problems).toContainEqual(expect.stringMatching(/^EDGEHOOK\.sources\.gh\.allowIps\.2: unknown IP range preset "nobody"/));
  });

  it("refuses an empty list (it would refuse every caller) and non-strings", () => {
    expect(parseConfig(config([]), secrets).ok).toBe(false);
    expect(parseConfig(config([42]), secrets).ok).toBe(false);
  });
});
