/**
 * The destination private-address check (issue 12 item 11): hosts are parsed and normalised as fetch
 * sees them, then decided on the address. Each row is written the way a careless or hostile config would.
 */
import { describe, expect, it } from "vitest";
import { isPrivateHost, parseConfig } from "../../src/config";

const privateHosts: [host: string, why: string][] = [
  ["localhost", "loopback name"],
  ["localhost.", "trailing dot"],
  ["LOCALHOST..", "case and dots"],
  ["api.localhost", "*.localhost"],
  ["api.localhost.", "*.localhost with trailing dot"],
  ["metadata.google.internal", ".internal"],
  ["printer.local", "mDNS"],
  ["nas.home.arpa", "RFC 8375"],
  ["127.0.0.1", "loopback"],
  ["127.0.0.1.", "loopback, trailing dot"],
  ["127.1", "IPv4 shorthand"],
  ["2130706433", "IPv4 as one number"],
  ["0x7f.0.0.1", "hex octet"],
  ["0177.0.0.1", "octal octet"],
  ["127%2e0%2e0%2e1", "percent-encoded dots"],
  ["%31%32%37.0.0.1", "percent-encoded digits"],
  ["0.0.0.0", "0.0.0.0/8"],
  ["0.1.2.3", "0.0.0.0/8"],
  ["10.1.2.3", "RFC 1918"],
  ["100.64.0.1", "100.64/10 CGNAT"],
  ["100.127.255.254", "100.64/10 CGNAT"],
  ["169.254.169.254", "link-local / metadata"],
  ["172.16.0.1", "RFC 1918"],
  ["172.31.255.255", "RFC 1918"],
  ["192.0.0.8", "192.0.0/24"],
  ["192.0.2.10", "TEST-NET-1"],
  ["192.168.1.1", "RFC 1918"],
  ["198.18.0.1", "198.18/15 benchmarking"],
  ["198.19.255.1", "198.18/15 benchmarking"],
  ["198.51.100.7", "TEST-NET-2"],
  ["203.0.113.9", "TEST-NET-3"],
  ["224.0.0.1", "multicast"],
  ["239.255.255.250", "multicast"],
  ["240.0.0.1", "reserved 240/4"],
  ["255.255.255.255", "broadcast"],
  ["[::]", "unspecified"],
  ["::", "unspecified, unbracketed"],
  ["[::1]", "loopback"],
  ["[0:0:0:0:0:0:0:1]", "loopback, expanded"],
  ["[::ffff:127.0.0.1]", "IPv4-mapped loopback"],
  ["[::ffff:7f00:1]", "IPv4-mapped loopback, hex"],
  ["[0:0:0:0:0:ffff:a00:1]", "IPv4-mapped 10/8, expanded"],
  ["[::ffff:169.254.169.254]", "IPv4-mapped metadata"],
  ["[::127.0.0.1]", "IPv4-compatible"],
  ["[::8.8.8.8]", "IPv4-compatible (deprecated form, never public)"],
  ["[64:ff9b::127.0.0.1]", "NAT64 of loopback"],
  ["[64:ff9b::a9fe:a9fe]", "NAT64 of metadata"],
  ["[64:ff9b:1::1]", "NAT64 local-use /48"],
  ["[2002:7f00:1::]", "6to4 of loopback"],
  ["[2002:c0a8:101::1]", "6to4 of 192.168.1.1"],
  ["[2001:0:4136:e378:8000:63bf:3fff:fdd2]", "Teredo"],
  ["[2001:db8::1]", "documentation"],
  ["[3fff::1]", "documentation 3fff::/20"],
  ["[100::1]", "discard-only"],
  ["[fc00::1]", "unique local"],
  ["[fd12:3456::1]", "unique local"],
  ["[fe80::1]", "link-local"],
  ["[febf::1]", "link-local upper end"],
  ["[fec0::1]", "site-local (deprecated)"],
  ["[ff02::1]", "multicast"],
  ["[FF05::1:3]", "multicast, upper case"],
  ["exa mple", "does not parse: fail closed"],
];

const publicHosts = [
  "example.com",
  "example.com.",
  "hooks.example.org",
  "localhost.example.com",
  "notlocalhost",
  "8.8.8.8",
  "1.1.1.1",
  "100.63.255.255",
  "100.128.0.1",
  "172.15.255.255",
  "172.32.0.1",
  "192.0.1.1",
  "192.169.0.1",
  "198.17.255.255",
  "198.20.0.1",
  "223.255.255.255",
  "[2606:4700:4700::1111]",
  "[2001:4860:4860::8888]",
  "[::ffff:8.8.8.8]",
  "[64:ff9b::808:808]",
  "[2002:808:808::1]",
  "[2001:db9::1]",
  "[fbff::1]",
  "[fe7f::1]",
];

describe("isPrivateHost", () => {
  it.each(privateHosts)("%s is refused (%s)", (host) => {
    expect(isPrivateHost(host)).toBe(true);
  });
  it.each(publicHosts)("%s is public", (host) => {
    expect(isPrivateHost(host)).toBe(false);
  });
});

describe("destination URLs at config load", () => {
  const secrets = { S: "whsec_x", D: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" };
  const config = (url: string, allowPrivateNetwork?: boolean) => ({
    sources: { s: { provider: "stripe", secrets: ["S"], destinations: ["d"] } },
    destinations: { d: { url, secret: "D", ...(allowPrivateNetwork ? { allowPrivateNetwork } : {}) } },
  });
  it.each(["http://localhost./x", "http://127.1:8080/x", "http://[::ffff:127.0.0.1]/x", "http://[64:ff9b::a9fe:a9fe]/latest/meta-data", "http://0x7f.1/x", "http://100.64.0.1/x"])(
    "%s needs allowPrivateNetwork",
    (url) => {
      const result = parseConfig(config(url), secrets);
      expect(!result.ok && result.problems).toEqual(["EDGEHOOK.destinations.d.url: points at a private or loopback address; set allowPrivateNetwork = true if that is intended"]);
      expect(parseConfig(config(url, true), secrets).ok).toBe(true);
    },
  );
});
