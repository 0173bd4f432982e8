/**
 * The dashboard's Alerts page in a real headless Chromium against `wrangler dev`: a dead task shows
 * as one task.dead with its count and last error, and "Send test alert" reaches the (real local)
 * webhook channel and reports its answer. Screenshots in test-results/browser/.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ARTIFACTS, launchChromium, signIn, startOperatorStack, type OperatorStack } from "./operator";


let stack: OperatorStack;
let browser: Browser;

beforeAll(async () => {
  // The channel is the sink itself (it verifies the Standard Webhooks signature with the same key).
  stack = await startOperatorStack({
    alerts: (sinkUrl) => ({
      channels: { ops: { kind: "webhook", url: `${sinkUrl}/ok/alerts`, secret: "SINK_SIGNING_SECRET", allowPrivateNetwork: true } },
      rules: { "task.dead": { groupSeconds: 1 } },
    }),
  });
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe("Alerts page in headless Chromium", () => {
  it("lists a dead task's alert and sends a test alert to a channel", async () => {
    await stack.setSwitch("ledger", 422);
    const dead = await stack.send("billing", "invoice.payment_failed");
    await stack.until("billing", dead, "dead");
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
    await signIn(page, stack.gateway.url);
    await page.click('header a[href="/dashboard/alerts"]');
    await page.waitForURL(`${stack.gateway.url}/dashboard/alerts`);
    // The burst is held for groupSeconds before its one notification: reload until it is there.
    for (let i = 0; i < 40 && (await page.locator("#recent").count()) === 0; i++) {
      await new Promise((r) => setTimeout(r, 500));
      await page.reload();
    }
    const row = page.locator("#recent tr", { hasText: "task.dead" });
    await expect(row.count()).resolves.toBe(1);
    const text = (await row.textContent()) ?? "";
    expect(text).toContain("destination ledger");
    expect(text).toContain("http_422");
    await page.screenshot({ path: `${ARTIFACTS}/alerts.png`, fullPage: true });

    await page.locator("#channels tr", { hasText: "ops" }).locator("button", { hasText: "Send test alert" }).click();
    await page.waitForURL(/\/dashboard\/alerts\?tested=ops/);
    await expect(page.locator("#tested").textContent()).resolves.toContain("Test alert to ops: delivered (HTTP 200)");
    const got = (await (await fetch(`${stack.sinkUrl}/_control/received?path=/ok/alerts`)).json()) as { verified: boolean; body: string }[];
    const test = got.find((r) => r.body.includes('"type":"alert.test"'));
    expect(test?.verified).toBe(true);
    await page.screenshot({ path: `${ARTIFACTS}/alerts-tested.png`, fullPage: true });
  }, 120_000);
});
