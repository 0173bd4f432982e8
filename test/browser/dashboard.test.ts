/**
 * The dashboard in a real headless Chromium (Debian's `chromium` driven by playwright-core) against
 * the real `wrangler dev` server with a local D1 index: log in, filter events, open one, replay a
 * dead one and see it turn delivered; hostile types stay inside the page and visible; Sign out ends
 * a copied session. Screenshots are kept in test-results/browser/.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, ARTIFACTS, launchChromium, startOperatorStack, type OperatorStack } from "./operator";


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

/** Log in through the form. */
async function logIn(page: Page): Promise<void> {
  await page.goto(`${stack.gateway.url}/dashboard`);
  expect(new URL(page.url()).pathname).toBe("/dashboard/login");
  await page.fill('input[name="token"]', "not-the-token");
  await page.click('button[type="submit"]');
  await expect(page.locator("#login-error").textContent()).resolves.toContain("not the admin token");
  await page.fill('input[name="token"]', ADMIN_TOKEN);
  await page.click('button[type="submit"]');
  await page.waitForURL(`${stack.gateway.url}/dashboard`);
}

describe("dashboard in headless Chromium", () => {
  it("log in, filter events, open one, replay a dead one and see it turn delivered", async () => {
    const { send, until } = stack;
    await stack.setSwitch("ledger", 503);
    const delivered: string[] = [];
    for (const type of ["order.created", "order.paid", "order.created", "order.shipped", "order.paid", "order.refunded"]) delivered.push(await send("shop", type));
    const dead = await send("billing", "invoice.payment_failed");
    for (const id of delivered) await until("shop", id, "delivered");
    await until("billing", dead, "dead");
    await stack.setSwitch("ledger", 200);

    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const page = await context.newPage();
    await logIn(page);
    const cookies = await context.cookies();
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatchObject({ name: "edgehook_session", httpOnly: true, sameSite: "Strict" });
    expect(cookies[0]!.value).not.toContain(ADMIN_TOKEN);
    // The backlog card ("Now") and one card per stats window (1 h, 24 h, 7 d).
    await expect(page.locator(".card").count()).resolves.toBe(4);
    await expect(page.locator(".card#backlog").count()).resolves.toBe(1);
    await page.screenshot({ path: `${ARTIFACTS}/overview.png`, fullPage: true });

    await page.click('a[href="/dashboard/events"]');
    await expect(page.locator("#events tbody tr").count()).resolves.toBe(7);
    await page.selectOption('select[name="status"]', "dead");
    await page.click('form.filters button[type="submit"]');
    await page.waitForURL(/status=dead/);
    const rows = page.locator("#events tbody tr");
    await expect(rows.count()).resolves.toBe(1);
    await expect(rows.first().getAttribute("data-event-id")).resolves.toBe(dead);
    await page.screenshot({ path: `${ARTIFACTS}/events-dead.png`, fullPage: true });

    await rows.first().locator("a").click();
    const eventUrl = new RegExp(`/dashboard/event\\?source=billing&id=${dead}$`);
    await page.waitForURL(eventUrl);
    const task = page.locator('section.task[data-destination="ledger"]');
    await expect(task.locator(".s-dead").count()).resolves.toBe(1);
    await expect(task.locator("ol.timeline li").first().textContent()).resolves.toContain("503");
    await task.locator('button:has-text("Replay")').click();
    await page.waitForURL(eventUrl);
    const deadline = Date.now() + 30_000;
    while ((await page.locator('section.task[data-destination="ledger"] .s-delivered').count()) === 0) {
      if (Date.now() > deadline) throw new Error("the replayed event never showed as delivered");
      await new Promise((r) => setTimeout(r, 300));
      await page.reload();
    }
    await expect(page.locator('section.task[data-destination="ledger"] ol.timeline li').count()).resolves.toBe(2);
    await page.screenshot({ path: `${ARTIFACTS}/event-replayed.png`, fullPage: true });

    // The event list agrees once the index catches up: nothing dead any more.
    await page.goto(`${stack.gateway.url}/dashboard/events?status=dead`);
    await expect(page.locator("#events tbody tr").count()).resolves.toBe(0);
    await page.goto(`${stack.gateway.url}/dashboard`);
    await page.screenshot({ path: `${ARTIFACTS}/dashboard.png`, fullPage: true });
    await context.close();
  }, 120_000);

  it("the longest accepted type and a right-to-left override neither widen nor reorder the page; Sign out ends a copied session", async () => {
    // 256 characters (the ingest bound, src/ingest/wellformed.ts): about 2,000 px of text uncut.
    const wideType = `wide.${"x".repeat(251)}`;
    const wide = await stack.send("shop", wideType);
    const rtl = await stack.send("shop", "invoice\u202Efdp.exe");
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const page = await context.newPage();
    await logIn(page);
    // Both rows, once the index has them (after each event's first attempt, whatever its outcome).
    const deadline = Date.now() + 30_000;
    for (;;) {
      await page.goto(`${stack.gateway.url}/dashboard/events?source=shop`);
      if ((await page.locator(`#events tbody tr[data-event-id="${wide}"], #events tbody tr[data-event-id="${rtl}"]`).count()) === 2) break;
      if (Date.now() > deadline) throw new Error("the hostile events never showed in the table");
      await new Promise((r) => setTimeout(r, 300));
    }
    // Strings, not functions: the tests compile without the DOM library.
    const widths = () => page.evaluate<{ page: number; table: number }>('({ page: document.documentElement.scrollWidth, table: document.querySelector("#events").scrollWidth })');
    const listed = await widths();
    expect(listed.page).toBeLessThanOrEqual(1280);
    expect(listed.table).toBeLessThanOrEqual(1280);
    const rtlRow = page.locator(`#events tbody tr[data-event-id="${rtl}"]`);
    await expect(rtlRow.locator("td").nth(3).innerText()).resolves.toBe("invoice⟨U+202E⟩fdp.exe");
    await page.screenshot({ path: `${ARTIFACTS}/events-hostile.png`, fullPage: true });

    await page.locator(`#events tbody tr[data-event-id="${wide}"] a`).click();
    await page.waitForURL(/\/dashboard\/event\?/);
    expect(await page.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(1280);
    await expect(page.locator("#type").innerText()).resolves.toBe(wideType);

    const copied = await context.cookies();
    await page.click('button:has-text("Sign out")');
    await page.waitForURL(`${stack.gateway.url}/dashboard/login`);
    expect(await context.cookies()).toHaveLength(0);
    const thief = await browser.newContext();
    await thief.addCookies(copied);
    const stolen = await thief.newPage();
    await stolen.goto(`${stack.gateway.url}/dashboard/events`);
    expect(new URL(stolen.url()).pathname).toBe("/dashboard/login");
    await thief.close();
    await context.close();
  }, 120_000);
});
