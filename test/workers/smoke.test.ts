import { env, exports } from "cloudflare:workers";
import { expect, it } from "vitest";
import { signRequest, sampleEvent } from "../support/signer";
import { TEST_SECRETS } from "../support/fixtures";

it("accepts a signed stripe event and the sink receives it", async () => {
  const body = sampleEvent("stripe");
  const signed = await signRequest({ preset: "stripe", secret: TEST_SECRETS.STRIPE_SECRET, body });
  const res = await exports.default.fetch("https://edgehook.test/webhooks/stripe", { method: "POST", headers: signed.headers, body: signed.body });
  const json = await res.json();
  console.log(res.status, json);
  expect(res.status).toBe(202);
  for (let i = 0; i < 50; i++) {
    const got = (await (await fetch(`${env.SINK_URL}/_control/received?path=/ok`)).json()) as unknown[];
    if (got.length) { console.log(got); return; }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("not delivered");
});
