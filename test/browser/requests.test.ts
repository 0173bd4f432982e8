/**
 * The dashboard's Requests view and overview figures in a real headless Chromium against `wrangler
 * dev`: a wrong-secret request to a source shows as signature_invalid with the header names it
 * carried and none of their values; the overview counts the accepted event and the reject.
 * Screenshots in test-results/browser/.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleEvent, signRequest } from "../support/signer";
import { ARTIFACTS, launchChromium, signIn, startOperatorStack, type OperatorStack } from "./operator";


let stack: OperatorStack;
let browser: Browser;

beforeAll(async () => {
  stack = await startOperatorStack();
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe("Requests view in headless Chromium", () => {
  it("lists a wrong-secret request with its reason and header names, never a header value; the overview counts it", async () => {
    const delivered = await stack.send("shop", "order.created");
    await stack.until("shop", delivered, "delivered");
    // Signed with a key the source does not hold (a rotated or mistyped secret).
    const forged = await signRequest({ preset: "standard-webhooks", secret: "whsec_d3Jvbmcta2V5LXdyb25nLWtleS13cm9uZy1rZXk=", body: sampleEvent("standard-webhooks", "order.created") });
    const probe = "probe-value-9f3b-never-shown";
    const res = await fetch(`${stack.gateway.url}/webhooks/shop`, { method: "POST", headers: { ...forged.headers, "x-probe": probe }, body: forged.body });
    expect(res.status).toBe(401);

    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await signIn(page, stack.gateway.url);

    // Overview: the aggregated figures of the last hour and the backlog now.
    const hour = page.locator('[data-window="1h"]');
    await expect(hour.locator('[data-figure="accepted"]').textContent()).resolves.toBe("1");
    await expect(hour.locator('[data-figure="rejected"]').textContent()).resolves.toBe("signature_invalid 1");
    await expect(page.locator('#backlog [data-figure="pending"]').textContent()).resolves.toBe("0");
    await expect(hour.textContent()).resolves.toContain("first delivery p50");
    await page.screenshot({ path: `${ARTIFACTS}/overview-slis.png`, fullPage: true });

    await page.click('header a[href="/dashboard/requests"]');
    await page.waitForURL(`${stack.gateway.url}/dashboard/requests`);
    await page.locator("#sources a", { hasText: "shop" }).click();
    await page.waitForURL(/\/dashboard\/requests\?source=shop/);
    await expect(page.locator('#reasons tr[data-reason="signature_invalid"] td').allTextContents()).resolves.toEqual(["signature_invalid", "1", "1"]);
    const rows = page.locator("#samples tr", { hasText: "signature_invalid" });
    await expect(rows.count()).resolves.toBe(1);
    const headers = (await rows.locator("td.headers").textContent()) ?? "";
    for (const name of ["content-type", "webhook-id", "webhook-signature", "webhook-timestamp", "x-probe"]) expect(headers).toContain(name);
    const html = await page.content();
    for (const value of [probe, forged.headers["webhook-signature"]!, forged.headers["webhook-id"]!]) expect(html).not.toContain(value);
    await page.screenshot({ path: `${ARTIFACTS}/requests.png`, fullPage: true });
  }, 120_000);
});
