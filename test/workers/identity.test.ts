/** Issue 12 items 4–6 over HTTP in workerd: exact ids, conflicting copies, dedupe on signed content. */
import { describe, expect, it } from "vitest";
import { TEST_SECRETS } from "../support/fixtures";
import { signRequest } from "../support/signer";
import { inspect, post } from "./helpers";

const swSign = (body: string, id?: string) => signRequest({ preset: "standard-webhooks", secret: TEST_SECRETS.SW_SECRET, body, id });

describe("item 4: ids read from JSON numbers keep their exact text", () => {
  it("two configured-path ids that JSON.parse rounds to one number are two events", async () => {
    const a = await post("typed", await swSign('{"type":"big.id","data":{"id":9007199254740993}}'));
    const b = await post("typed", await swSign('{"type":"big.id","data":{"id":9007199254740992}}'));
    expect(a.status).toBe(202);
    expect(await a.json()).toEqual({ status: "accepted", id: "9007199254740993" });
    expect(b.status).toBe(202);
    expect(await b.json()).toEqual({ status: "accepted", id: "9007199254740992" });
    expect((await inspect("typed", "9007199254740993"))?.event.eventId).toBe("9007199254740993");
  });

  it("a preset's body id keeps its spelling (1e21, not 1e+21), duplicate keys resolve as JSON.parse does", async () => {
    const body = '{"id":"evt_shadowed","id":1e21,"type":"charge.updated","created":1795000000}';
    const res = await post("stripe", await signRequest({ preset: "stripe", secret: TEST_SECRETS.STRIPE_SECRET, body }));
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ status: "accepted", id: "1e21" });
    expect((await inspect("stripe", "1e21"))?.event.occurredAt).toBe(1_795_000_000_000);
  });

  it("the number 1 and the string \"1\" are the same event id", async () => {
    const first = await post("typed", await swSign('{"type":"same","data":{"id":4242}}'));
    const second = await post("typed", await swSign('{"type":"same","data":{"id":"4242"}}'));
    expect(first.status).toBe(202);
    expect(second.status).toBe(200);
    expect(await second.json()).toEqual({ status: "duplicate", id: "4242" });
  });
});
