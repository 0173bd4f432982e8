/**
 * The operator stack for Node-side tests: a real sink, `wrangler dev` on the real wrangler.toml with
 * its local D1 index migrated by `wrangler d1 migrations apply`, and helpers to send and await events.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { expect } from "vitest";
// @ts-expect-error plain ESM script without types
import { startSink } from "../../scripts/sink.mjs";
import { startGateway, type Gateway } from "../e2e/gateway";
import { TEST_SECRETS } from "../support/fixtures";
import { sampleEvent, signRequest } from "../support/signer";

/** The admin token of the operator stack. */
export const ADMIN_TOKEN = "browser-admin-token-7d1e";

/** Where the browser tests keep their screenshots. */
export const ARTIFACTS = "test-results/browser";
/** Chromium flags for a sandbox-less CI container with no network side traffic. */
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

/** Debian's headless Chromium through playwright-core (npm test's pre-step installs it); makes the screenshot folder. */
export function launchChromium(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: CHROMIUM_ARGS });
}

/** Sign in to the dashboard with the admin token and land on the overview. */
export async function signIn(page: Page, gatewayUrl: string): Promise<void> {
  await page.goto(`${gatewayUrl}/dashboard/login`);
  await page.fill('input[name="token"]', ADMIN_TOKEN);
  await page.click('button[type="submit"]');
  await page.waitForURL(`${gatewayUrl}/dashboard`);
}

/** A running stack. */
export interface OperatorStack {
  gateway: Gateway;
  sinkUrl: string;
  /** Sign and post a Standard Webhooks event of `type` to `source`; returns its id. */
  send: (source: string, type: string) => Promise<string>;
  /** Wait until every task of an event is in `status` (via the admin API). */
  until: (source: string, id: string, status: string) => Promise<void>;
  /** Set the sink's switch `name` to answer `status`. */
  setSwitch: (name: string, status: number) => Promise<void>;
  stop: () => Promise<void>;
}

/** Start the stack: sources `shop` → `orders` (200) and `billing` → `ledger` (a switch; one attempt); `alerts`: an EDGEHOOK.alerts section, given the sink's URL. */
export async function startOperatorStack(options: { alerts?: (sinkUrl: string) => unknown } = {}): Promise<OperatorStack> {
  const sink = (await startSink({ secret: TEST_SECRETS.SINK_SECRET })) as { url: string; close: () => Promise<void> };
  const state = mkdtempSync(join(tmpdir(), "edgehook-operator-"));
  // The same migrations an operator applies: `wrangler d1 migrations apply` on the local database.
  execFileSync(process.execPath, ["node_modules/wrangler/bin/wrangler.js", "d1", "migrations", "apply", "edgehook-index", "--local", "--persist-to", state], {
    env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false", CI: "true" },
    stdio: "pipe",
  });
  const dest = (path: string, maxAttempts = 3) => ({ url: `${sink.url}${path}`, secret: "SINK_SIGNING_SECRET", allowPrivateNetwork: true, timeoutMs: 2000, retry: { maxAttempts, baseSeconds: 1, capSeconds: 1 } });
  const gateway = await startGateway({
    config: {
      sources: {
        shop: { provider: "standard-webhooks", secrets: ["DEMO_WEBHOOK_SECRET"], destinations: ["orders"] },
        billing: { provider: "standard-webhooks", secrets: ["DEMO_WEBHOOK_SECRET"], destinations: ["ledger"] },
      },
      destinations: { orders: dest("/ok"), ledger: dest("/switch/ledger", 1) },
      ...(options.alerts ? { alerts: options.alerts(sink.url) } : {}),
    },
    // Secret names from wrangler.toml's [secrets] required list (wrangler dev exposes only those).
    secrets: { ADMIN_TOKEN, DEMO_WEBHOOK_SECRET: TEST_SECRETS.SW_SECRET, SINK_SIGNING_SECRET: TEST_SECRETS.SINK_SECRET },
    persistTo: state,
  });
  const send = async (source: string, type: string) => {
    const signed = await signRequest({ preset: "standard-webhooks", secret: TEST_SECRETS.SW_SECRET, body: sampleEvent("standard-webhooks", type) });
    const res = await fetch(`${gateway.url}/webhooks/${source}`, { method: "POST", headers: signed.headers, body: signed.body });
    expect(res.status).toBe(202);
    return signed.headers["webhook-id"]!;
  };
  const until = async (source: string, id: string, status: string) => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const res = await fetch(`${gateway.url}/api/v1/events/${source}/${id}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      if (res.ok && ((await res.json()) as { tasks: { status: string }[] }).tasks.every((t) => t.status === status)) return;
      if (Date.now() > deadline) throw new Error(`${source}/${id} never became ${status}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  const setSwitch = async (name: string, status: number) => {
    await fetch(`${sink.url}/_control/switch/${name}?status=${status}`, { method: "POST" });
  };
  return { gateway, sinkUrl: sink.url, send, until, setSwitch, stop: async () => { await gateway.stop(); await sink.close(); } };
}
