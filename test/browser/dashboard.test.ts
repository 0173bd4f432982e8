/**
 * The dashboard in a real headless Chromium (Debian's `chromium` driven by playwright-core) against
 * the real `wrangler dev` server with a local D1 index: log in, filter events, open one, replay a
 * dead one and see it turn delivered. Screenshots are kept in test-results/browser/.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error plain ESM script without types
import { startSink } from "../../scripts/sink.mjs";
import { startGateway, type Gateway } from "../e2e/gateway";
import { TEST_SECRETS } from "../support/fixtures";
import { sampleEvent, signRequest } from "../support/signer";

const ADMIN_TOKEN = "browser-admin-token-7d1e";
const ARTIFACTS = "test-results/browser";
/** Chromium flags for a sandbox-less CI container with no network side traffic. */
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

let sink: { url: string; close: () => Promise<void> };
let gateway: Gateway;
let browser: Browser;

/** Sign and post a Standard Webhooks event of `type` to `source`; returns its id. */
async function send(source: string, type: string): Promise<string> {
  const signed = await signRequest({ preset: "standard-webhooks", secret: TEST_SECRETS.SW_SECRET, body: sampleEvent("standard-webhooks", type) });
  const res = await fetch(`${gateway.url}/webhooks/${source}`, { method: "POST", headers: signed.headers, body: signed.body });
  expect(res.status).toBe(202);
  return signed.headers["webhook-id"]!;
}

/** Poll the admin API until an event's task for `destination` is in `status`. */
async function until(source: string, id: string, status: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const res = await fetch(`${gateway.url}/api/v1/events/${source}/${id}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    if (res.ok && ((await res.json()) as { tasks: { status: string }[] }).tasks.every((t) => t.status === status)) return;
    if (Date.now() > deadline) throw new Error(`${source}/${id} never became ${status}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  sink = await startSink({ secret: TEST_SECRETS.SINK_SECRET });
  const state = mkdtempSync(join(tmpdir(), "edgehook-browser-"));
  // The same migrations an operator applies: `wrangler d1 migrations apply` on the local database.
  execFileSync(process.execPath, ["node_modules/wrangler/bin/wrangler.js", "d1", "migrations", "apply", "edgehook-index", "--local", "--persist-to", state], {
    env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false", CI: "true" },
    stdio: "pipe",
  });
  const dest = (path: string, maxAttempts = 3) => ({ url: `${sink.url}${path}`, secret: "SINK_SIGNING_SECRET", allowPrivateNetwork: true, timeoutMs: 2000, retry: { maxAttempts, baseSeconds: 1, capSeconds: 1 } });
  gateway = await startGateway({
    config: {
      sources: {
        shop: { provider: "standard-webhooks", secrets: ["DEMO_WEBHOOK_SECRET"], destinations: ["orders"] },
        billing: { provider: "standard-webhooks", secrets: ["DEMO_WEBHOOK_SECRET"], destinations: ["ledger"] },
      },
      destinations: { orders: dest("/ok"), ledger: dest("/switch/ledger", 1) },
    },
    // Secret names from wrangler.toml's [secrets] required list (wrangler dev exposes only those).
    secrets: { ADMIN_TOKEN, DEMO_WEBHOOK_SECRET: TEST_SECRETS.SW_SECRET, SINK_SIGNING_SECRET: TEST_SECRETS.SINK_SECRET },
    persistTo: state,
  });
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: CHROMIUM_ARGS });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await gateway?.stop();
  await sink?.close();
});

/** Log in through the form. */
async function logIn(page: Page): Promise<void> {
  await page.goto(`${gateway.url}/dashboard`);
  expect(new URL(page.url()).pathname).toBe("/dashboard/login");
  await page.fill('input[name="token"]', "not-the-token");
  await page.click('button[type="submit"]');
  await expect(page.locator("#login-error").textContent()).resolves.toContain("not the admin token");
  await page.fill('input[name="token"]', ADMIN_TOKEN);
  await page.click('button[type="submit"]');
  await page.waitForURL(`${gateway.url}/dashboard`);
}

describe("dashboard in headless Chromium", () => {
  it("log in, filter events, open one, replay a dead one and see it turn delivered", async () => {
    await fetch(`${sink.url}/_control/switch/ledger?status=503`, { method: "POST" });
    const delivered: string[] = [];
    for (const type of ["order.created", "order.paid", "order.created", "order.shipped", "order.paid", "order.refunded"]) delivered.push(await send("shop", type));
    const dead = await send("billing", "invoice.payment_failed");
    for (const id of delivered) await until("shop", id, "delivered");
    await until("billing", dead, "dead");
    await fetch(`${sink.url}/_control/switch/ledger?status=200`, { method: "POST" });

    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const page = await context.newPage();
    await logIn(page);
    const cookies = await context.cookies();
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatchObject({ name: "edgehook_session", httpOnly: true, sameSite: "Strict" });
    expect(cookies[0]!.value).not.toContain(ADMIN_TOKEN);
    await expect(page.locator(".card").count()).resolves.toBe(3);
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
    await page.waitForURL(new RegExp(`/dashboard/events/billing/${dead}$`));
    const task = page.locator('section.task[data-destination="ledger"]');
    await expect(task.locator(".s-dead").count()).resolves.toBe(1);
    await expect(task.locator("ol.timeline li").first().textContent()).resolves.toContain("503");
    await task.locator('button:has-text("Replay")').click();
    await page.waitForURL(new RegExp(`/dashboard/events/billing/${dead}$`));
    const deadline = Date.now() + 30_000;
    while ((await page.locator('section.task[data-destination="ledger"] .s-delivered').count()) === 0) {
      if (Date.now() > deadline) throw new Error("the replayed event never showed as delivered");
      await new Promise((r) => setTimeout(r, 300));
      await page.reload();
    }
    await expect(page.locator('section.task[data-destination="ledger"] ol.timeline li').count()).resolves.toBe(2);
    await page.screenshot({ path: `${ARTIFACTS}/event-replayed.png`, fullPage: true });

    // The event list agrees once the index catches up: nothing dead any more.
    await page.goto(`${gateway.url}/dashboard/events?status=dead`);
    await expect(page.locator("#events tbody tr").count()).resolves.toBe(0);
    await page.goto(`${gateway.url}/dashboard`);
    await page.screenshot({ path: `${ARTIFACTS}/dashboard.png`, fullPage: true });
    await context.close();
  }, 120_000);
});
