/**
 * GET /metrics with a real Prometheus (Debian's `prometheus`): it scrapes a running `wrangler dev`
 * gateway with the scrape token, and its query API returns this run's accepted, delivered and dead
 * counts; `promtool check metrics` accepts the exposition.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error plain ESM script without types
import { readDevVars, startSink } from "../../scripts/sink.mjs";
import { sampleEvent } from "../support/signer";
import { freePort, startGateway, type Gateway } from "./gateway";

interface Sink { url: string; received: { path: string }[]; close: () => Promise<void> }

const secrets = readDevVars(".dev.vars.example") as Record<string, string>;
const METRICS_TOKEN = "e2e-metrics-token-5c7a09d2";
let sink: Sink;
let gateway: Gateway;
let prometheus: ChildProcess | undefined;
let promUrl = "";
const promLogs: string[] = [];

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function eventually<T>(check: () => Promise<T | undefined | false>, ms: number, label: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}\ngateway:\n${gateway.logs.slice(-20).join("")}\nprometheus:\n${promLogs.slice(-20).join("")}`);
    await pause(250);
  }
}

beforeAll(async () => {
  sink = await startSink({ secret: secrets.SINK_SIGNING_SECRET! });
  const dest = (path: string, maxAttempts: number) => ({ url: `${sink.url}${path}`, secret: "SINK_SIGNING_SECRET", allowPrivateNetwork: true, timeoutMs: 3000, retry: { maxAttempts, baseSeconds: 1, capSeconds: 1 } });
  gateway = await startGateway({
    secrets,
    vars: { METRICS_TOKEN },
    config: {
      sources: {
        demo: { provider: "standard-webhooks", secrets: ["DEMO_WEBHOOK_SECRET"], destinations: ["sink"] },
        doomed: { provider: "standard-webhooks", secrets: ["DEMO_WEBHOOK_SECRET"], destinations: ["down"] },
      },
      destinations: { sink: dest("/hooks", 3), down: dest("/fail/503", 2) },
    },
  });
  // Prometheus: its own config (bearer token, 1 s scrapes), storage directory and free port.
  const dir = mkdtempSync(join(tmpdir(), "edgehook-prom-"));
  const port = await freePort();
  promUrl = `http://127.0.0.1:${port}`;
  writeFileSync(join(dir, "token"), METRICS_TOKEN);
  writeFileSync(
    join(dir, "prometheus.yml"),
    [
      "global: { scrape_interval: 1s, evaluation_interval: 1s }",
      "scrape_configs:",
      "  - job_name: edgehook",
      "    metrics_path: /metrics",
      `    authorization: { type: Bearer, credentials_file: ${join(dir, "token")} }`,
      `    static_configs: [{ targets: ["${new URL(gateway.url).host}"] }]`,
      "",
    ].join("\n"),
  );
  prometheus = spawn("prometheus", [`--config.file=${join(dir, "prometheus.yml")}`, `--storage.tsdb.path=${join(dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: ["ignore", "pipe", "pipe"] });
  prometheus.stdout!.on("data", (d) => promLogs.push(String(d)));
  prometheus.stderr!.on("data", (d) => promLogs.push(String(d)));
});

afterAll(async () => {
  prometheus?.kill("SIGTERM");
  await gateway?.stop();
  await sink?.close();
});

/** One instant query's single value, or undefined while there is none. */
async function query(expr: string): Promise<number | undefined> {
  const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(expr)}`).catch(() => null);
  if (!res || res.status !== 200) return undefined;
  const body = (await res.json()) as { data: { result: { value: [number, string] }[] } };
  const first = body.data.result[0];
  return first ? Number(first.value[1]) : undefined;
}

async function postSigned(source: string): Promise<Response> {
  const body = sampleEvent("standard-webhooks");
  const id = `msg_${crypto.randomUUID().replace(/-/g, "")}`;
  const timestamp = new Date();
  const signature = new Webhook(secrets.DEMO_WEBHOOK_SECRET!).sign(id, timestamp, body);
  return fetch(`${gateway.url}/webhooks/${source}`, { method: "POST", headers: { "content-type": "application/json", "webhook-id": id, "webhook-timestamp": String(Math.floor(timestamp.getTime() / 1000)), "webhook-signature": signature }, body });
}

describe("a real Prometheus scraping /metrics", () => {
  it("reads this run's accepted, delivered and dead counters, and promtool accepts the exposition", async () => {
    for (let i = 0; i < 3; i++) expect((await postSigned("demo")).status).toBe(202);
    expect((await postSigned("doomed")).status).toBe(202);
    const forged = await fetch(`${gateway.url}/webhooks/demo`, { method: "POST", headers: { "content-type": "application/json", "webhook-id": "msg_forged", "webhook-timestamp": String(Math.floor(Date.now() / 1000)), "webhook-signature": "v1,AAAA" }, body: "{}" });
    expect(forged.status).toBe(401);

    expect(await eventually(async () => (await query('up{job="edgehook"}')) === 1, 60_000, "Prometheus to scrape the gateway")).toBe(true);
    await eventually(async () => (await query('sum(edgehook_ingest_requests_total{result="accepted"})')) === 4 || undefined, 60_000, "accepted = 4");
    await eventually(async () => (await query('sum(edgehook_deliveries_total{outcome="delivered"})')) === 3 || undefined, 60_000, "delivered = 3");
    await eventually(async () => (await query('sum(edgehook_deliveries_total{destination="down",outcome="dead"})')) === 1 || undefined, 60_000, "dead = 1");
    expect(await query('edgehook_ingest_requests_total{source="demo",result="rejected",reason="signature_invalid"}')).toBe(1);
    expect(await query('sum(edgehook_deliveries_total{destination="down",outcome="retry",status_class="5xx"})')).toBe(1);
    expect(await query('edgehook_time_to_first_delivery_seconds_count{destination="sink"}')).toBe(3);
    expect(sink.received.filter((r) => r.path === "/hooks")).toHaveLength(3);

    const text = await (await fetch(`${gateway.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
    const check = spawnSync("promtool", ["check", "metrics"], { input: text, encoding: "utf8" });
    expect(check.status, `${check.stdout}${check.stderr}`).toBe(0);
    expect(`${check.stdout}${check.stderr}`.trim()).toBe("");
  });
});
