/** Issue 16 item 1 over HTTP in workerd: source IP allowlists on CF-Connecting-IP, before any other work. */
import { env } from "cloudflare:workers";
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { createApp } from "../../src/ingest";
import { TEST_SECRETS } from "../support/fixtures";
import { signRequest } from "../support/signer";
import { inspect } from "./helpers";

// A worker whose sources carry allowIps (own env object: its config is loaded once for it).
const allowEnv = {
  ...env,
  EDGEHOOK: JSON.stringify({
    sources: {
      "gh-ips": { provider: "github", secrets: ["GITHUB_SECRET"], allowIps: ["preset:github"], maxBodyBytes: 1024 },
      "sw-ips": { provider: "standard-webhooks", secrets: ["SW_SECRET"], allowIps: ["198.51.100.0/24", "2001:db8:1::/48"] },
      open: { provider: "standard-webhooks", secrets: ["SW_SECRET"] },
    },
  }),
};
const app = createApp();

async function postFrom(source: string, ip: string | null, signed: { headers: Record<string, string>; body: Uint8Array | string }) {
  const headers = new Headers(signed.headers);
  if (ip !== null) headers.set("cf-connecting-ip", ip);
  const ctx = createExecutionContext();
  const res = await app.fetch(new Request(`https://edgehook.test/webhooks/${source}`, { method: "POST", headers, body: signed.body }), allowEnv as never, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}
const github = (id: string, body = `{"zen":"${id}"}`) => signRequest({ preset: "github", secret: TEST_SECRETS.GITHUB_SECRET, body, id, event: "ping" });
const sw = (id: string) => signRequest({ preset: "standard-webhooks", secret: TEST_SECRETS.SW_SECRET, body: `{"type":"t","n":"${id}"}`, id });

describe("allowIps", () => {
  it("a validly signed event from a listed address is accepted (IPv4, IPv6, IPv4-mapped)", async () => {
    const id1 = `ip-${crypto.randomUUID()}`;
    expect((await postFrom("gh-ips", "140.82.115.10", await github(id1))).status).toBe(202);
    const id2 = `ip-${crypto.randomUUID()}`;
    expect((await postFrom("gh-ips", "2a0a:a440::53", await github(id2))).status).toBe(202);
    const id3 = `ip-${crypto.randomUUID()}`;
    expect((await postFrom("sw-ips", "::ffff:198.51.100.20", await sw(id3))).status).toBe(202);
    expect((await inspect("gh-ips", id1))?.event.eventId).toBe(id1);
  });

  it("a validly signed event from any other address is 403 ip_not_allowed, logged as a reject, and nothing is stored", async () => {
    const id = `ip-${crypto.randomUUID()}`;
    const lines = vi.spyOn(console, "log");
    const res = await postFrom("gh-ips", "203.0.113.50", await github(id));
    const logged = lines.mock.calls.map((c) => String(c[0])).filter((l) => l.includes('"ingest"'));
    lines.mockRestore();
    expect(logged.map((l) => JSON.parse(l))).toContainEqual(expect.objectContaining({ source: "gh-ips", status: 403, code: "ip_not_allowed" }));
    expect(res.headers.get("x-request-id")).toBeTruthy();
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ error: { code: "ip_not_allowed", message: "the caller's address is not in this source's allowIps" } });
    expect(await inspect("gh-ips", id)).toBeNull();
    expect((await postFrom("sw-ips", "2001:db8:2::1", await sw(`ip-${crypto.randomUUID()}`))).status).toBe(403);
  });

  it("is decided before the body is read and before any verification: a body over the limit or a bad signature from outside is 403, not 413/401", async () => {
    const big = await github("big", `{"pad":"${"x".repeat(4096)}"}`);
    expect((await postFrom("gh-ips", "140.82.115.10", big)).status).toBe(413);
    expect((await postFrom("gh-ips", "203.0.113.50", big)).status).toBe(403);
    const forged = { headers: { "content-type": "application/json", "x-hub-signature-256": "sha256=00", "x-github-delivery": "f" }, body: "{}" };
    expect((await postFrom("gh-ips", "203.0.113.50", forged)).status).toBe(403);
  });

  it("is never the only check: a forged signature from a listed address is still 401", async () => {
    const forged = { headers: { "content-type": "application/json", "x-hub-signature-256": `sha256=${"0".repeat(64)}`, "x-github-delivery": "f" }, body: "{}" };
    const res = await postFrom("gh-ips", "140.82.115.10", forged);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("signature_invalid");
  });

  it("fails closed without CF-Connecting-IP (as in a direct app.fetch); sources without allowIps do not care", async () => {
    const res = await postFrom("sw-ips", null, await sw(`ip-${crypto.randomUUID()}`));
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain("no client address (CF-Connecting-IP)");
    expect((await postFrom("open", null, await sw(`ip-${crypto.randomUUID()}`))).status).toBe(202);
    expect((await postFrom("open", "203.0.113.50", await sw(`ip-${crypto.randomUUID()}`))).status).toBe(202);
  });

  it("operators see each source's allowIps as configured in GET /api/v1/sources", async () => {
    const ctx = createExecutionContext();
    const res = await app.fetch(new Request("https://edgehook.test/api/v1/sources", { headers: { authorization: `Bearer ${env.ADMIN_TOKEN}` } }), allowEnv as never, ctx);
    await waitOnExecutionContext(ctx);
    const sources = (await res.json()) as { name: string; allowIps: string[] | null }[];
    expect(Object.fromEntries(sources.map((s) => [s.name, s.allowIps]))).toEqual({ "gh-ips": ["preset:github"], "sw-ips": ["198.51.100.0/24", "2001:db8:1::/48"], open: null });
  });

  it("X-Forwarded-For cannot stand in for CF-Connecting-IP", async () => {
    const signed = await sw(`ip-${crypto.randomUUID()}`);
    const res = await postFrom("sw-ips", null, { ...signed, headers: { ...signed.headers, "x-forwarded-for": "198.51.100.20" } });
    expect(res.status).toBe(403);
  });
});
