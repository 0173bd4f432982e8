/**
 * `npm run events` against the real wrangler dev server: list with filters, show, tail, replay one,
 * bulk replay with progress, dead letters, pause/resume, stats; errors are clear and exit non-zero.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error plain ESM script without types
import { parseTime, run } from "../../scripts/events.mjs";
import { ADMIN_TOKEN, startOperatorStack, type OperatorStack } from "./operator";

let stack: OperatorStack;
beforeAll(async () => {
  stack = await startOperatorStack();
}, 180_000);
afterAll(async () => stack?.stop());

/** Run the CLI against the stack; returns exit code and printed lines. */
async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const code = (await run([...args, "--url", stack.gateway.url], { env: { EDGEHOOK_ADMIN_TOKEN: ADMIN_TOKEN }, out: (l: string) => lines.push(l), sleep: (ms: number) => new Promise((r) => setTimeout(r, Math.min(ms, 200))) })) as number;
  return { code, out: lines.join("\n") };
}

describe("npm run events", () => {
  it("parses relative, ISO and epoch times", () => {
    expect(parseTime("2h", 10_000_000)).toBe(10_000_000 - 7_200_000);
    expect(parseTime("2026-11-23T00:00:00Z")).toBe(Date.parse("2026-11-23T00:00:00Z"));
    expect(parseTime("1700000000000")).toBe(1_700_000_000_000);
    expect(() => parseTime("yesterday")).toThrow(/not a time/);
  });

  it("lists, shows, replays one and in bulk, and reports", async () => {
    await stack.setSwitch("ledger", 503);
    const ok = await stack.send("shop", "order.created");
    const dead = [await stack.send("billing", "invoice.failed"), await stack.send("billing", "invoice.failed"), await stack.send("billing", "invoice.failed")];
    await stack.until("shop", ok, "delivered");
    for (const id of dead) await stack.until("billing", id, "dead");

    const listed = await cli("list", "--status", "dead", "--since", "10m");
    expect(listed.code).toBe(0);
    for (const id of dead) expect(listed.out).toContain(`billing/${id}`);
    expect(listed.out).not.toContain(ok);
    const json = JSON.parse((await cli("list", "--source", "shop", "--json")).out) as { eventId: string }[];
    expect(json.map((e) => e.eventId)).toContain(ok);

    const shown = await cli("show", "shop", ok);
    expect(shown.out).toContain("orders: delivered, 1 attempt(s)");
    expect(shown.out).toContain("order.created");

    expect((await cli("dead", "--destination", "ledger")).out.split("\n").length).toBeGreaterThanOrEqual(3);

    await stack.setSwitch("ledger", 200);
    const one = await cli("replay", "billing", dead[0]!);
    expect(one.out).toBe("replayed to ledger");
    await stack.until("billing", dead[0]!, "delivered");
    expect((await cli("replay", "billing", dead[0]!)).out).toContain("nothing to replay");

    const bulk = await cli("replay", "--dead", "--destination", "ledger", "--since", "10m");
    expect(bulk.code).toBe(0);
    expect(bulk.out).toMatch(/replay job [0-9a-f-]+: 2 dead task\(s\)/);
    expect(bulk.out).toMatch(/done: 2\/2 handled, 2 replayed, 0 skipped/);
    for (const id of dead) await stack.until("billing", id, "delivered");

    const tail = await run(["tail", "--source", "billing", "--url", stack.gateway.url], { env: { EDGEHOOK_ADMIN_TOKEN: ADMIN_TOKEN, EDGEHOOK_TAIL_ONCE: "1" }, out: () => {}, sleep: async () => {} });
    expect(tail).toBe(0);

    expect((await cli("pause", "orders", "--reason", "deploy")).out).toContain("orders: paused (deploy)");
    expect((await cli("destinations")).out).toMatch(/orders\s+PAUSED/);
    expect((await cli("resume", "orders")).out).toContain("orders: active, breaker closed");
    expect((await cli("stats")).out).toMatch(/^1h\s+\d+\.\d%/);
    const sent = await cli("test", "shop", "--type", "order.test");
    expect(sent.code).toBe(0);
    expect(sent.out).toMatch(/^shop\/msg_test_[0-9a-f]+: 202 \{"status":"accepted"/);
  }, 120_000);

  it("fails clearly: wrong token, validation errors, unknown commands", async () => {
    await expect(run(["list", "--url", stack.gateway.url], { env: { EDGEHOOK_ADMIN_TOKEN: `${ADMIN_TOKEN}x` }, out: () => {} })).rejects.toThrow(/401 unauthorized/);
    await expect(cli("list", "--status", "lost")).rejects.toThrow(/400 validation_failed[\s\S]*query.status/);
    await expect(cli("frobnicate")).rejects.toThrow(/unknown command/);
    await expect(cli("skip", "orders", "cus_1")).rejects.toThrow(/409 not_ordered/);
    await expect(run(["list", "--url", "http://127.0.0.1:9"], { env: { EDGEHOOK_ADMIN_TOKEN: "x" }, out: () => {} })).rejects.toThrow(/cannot reach/);
  });
});
