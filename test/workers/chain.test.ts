/**
 * Chained webhooks (docs/workflows.md): provider → chainA → chainB → chainC, each hop a callback
 * event of its own with a transform between the hops, under 30 % random faults at every hop (500, 503, a slow answer past the
 * timeout, a reset): each step arrives exactly once, in order, and every hop is visible and linked.
 */
import { describe, expect, it } from "vitest";
import { postMany, apiJson } from "./admin-helpers";
import { received, waitFor, type Received } from "./helpers";

/** The first answered-2xx copy (no injected fault) per webhook-id at a sink path. */
async function delivered(path: string): Promise<Map<string, Received[]>> {
  const byId = new Map<string, Received[]>();
  for (const r of await received(path)) {
    if (r.status !== 200 || r.fault) continue;
    byId.set(r.webhookId, [...(byId.get(r.webhookId) ?? []), r]);
  }
  return byId;
}

interface Detail {
  event: { source: string; eventId: string };
  tasks: { destination: string; status: string; webhookId: string }[];
  links: { parent: { source: string; eventId: string; destination: string } | null; children: { from: string; kind: string; eventId: string; to?: { destination: string; status: string } }[] };
}

const detail = (source: string, id: string) => apiJson<Detail>(`/v1/event?source=${source}&id=${encodeURIComponent(id)}`, 200);

describe("a 3-step chain (transforms between the hops) under random faults", () => {
  it("delivers each step exactly once, in order, every hop visible and linked", { timeout: 180_000 }, async () => {
    const ids = await postMany("chain", 8, "order.placed");
    // Walk each chain through the admin API: provider event → A's callback event → B's callback event.
    const chains = await waitFor(async () => {
      const out = [];
      for (const id of ids) {
        const root = await detail("chain", id);
        const a = root.links.children.find((c) => c.kind === "delivered");
        if (!a?.to || a.to.status !== "delivered") return undefined;
        const hop1 = await detail("_callback", a.eventId);
        const b = hop1.links.children.find((c) => c.kind === "delivered");
        if (!b?.to || b.to.status !== "delivered") return undefined;
        out.push({ root, hop1, hop2: await detail("_callback", b.eventId) });
      }
      return out;
    }, 150_000, "every chain to reach C");

    const [atA, atB, atC] = await Promise.all(["/random/30/a", "/random/30/b", "/random/30/c"].map(delivered));
    for (const { root, hop1, hop2 } of chains) {
      const [taskA] = root.tasks, [taskB] = hop1.tasks, [taskC] = hop2.tasks;
      expect([taskA!.status, taskB!.status, taskC!.status]).toEqual(["delivered", "delivered", "delivered"]);
      // Links both ways: each hop names its parent task; the parent lists it as its child.
      expect(root.links.parent).toBeNull();
      expect(hop1.links.parent).toMatchObject({ source: "chain", eventId: root.event.eventId, destination: "chainA" });
      expect(hop2.links.parent).toMatchObject({ source: "_callback", eventId: hop1.event.eventId, destination: "chainB" });
      expect(root.links.children).toEqual([{ from: "chainA", kind: "delivered", source: "_callback", eventId: hop1.event.eventId, to: { destination: "chainB", status: "delivered" } }]);
      expect(hop1.links.children).toEqual([{ from: "chainB", kind: "delivered", source: "_callback", eventId: hop2.event.eventId, to: { destination: "chainC", status: "delivered" } }]);
      expect(hop2.links.children).toEqual([]);
      // Exactly once per step (one answered copy per webhook-id), in order: A answered before B got its step, B before C.
      const [a, b, c] = [atA!.get(taskA!.webhookId), atB!.get(taskB!.webhookId), atC!.get(taskC!.webhookId)];
      expect([a?.length, b?.length, c?.length]).toEqual([1, 1, 1]);
      expect(a![0]!.at).toBeLessThanOrEqual(b![0]!.at);
      expect(b![0]!.at).toBeLessThanOrEqual(c![0]!.at);
      // Transforms between the hops: B and C get what their transform made of the previous step's callback event.
      expect(JSON.parse(b![0]!.body)).toEqual({ step: "b", order: root.event.eventId, previous: { ok: true } });
      expect(b![0]!.headers["edgehook-event-type"]).toBe("chain.b");
      expect(JSON.parse(c![0]!.body)).toEqual({ step: "c", from: hop1.event.eventId, hop: 2, previous: { ok: true } });
      expect(c![0]!.headers["edgehook-event-type"]).toBe("chain.c");
    }
    // Faults really happened on the way (30 % of at least 24 requests).
    const faults = (await Promise.all(["/random/30/a", "/random/30/b", "/random/30/c"].map((p) => received(p)))).flat().filter((r) => r.status !== 200 || r.fault);
    expect(faults.length).toBeGreaterThan(0);
  });
});
