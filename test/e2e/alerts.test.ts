/**
 * Alerts end to end over real HTTP: wrangler dev on the real wrangler.toml, the real local sink as
 * destinations, and two real local alert receivers — a webhook channel verified with the
 * `standardwebhooks` package that fails each alert's first two tries, and a Slack-shaped one.
 */
import { createServer, type Server } from "node:http";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error plain ESM script without types
import { readDevVars, startSink } from "../../scripts/sink.mjs";
import { startGateway, type Gateway } from "./gateway";

interface Sink { url: string; close: () => Promise<void> }
interface Alert { type: string; data: { id: string; destination?: string; source?: string; count: number; eventIds?: string[]; lastError: string | null; link: string; summary: string } }
interface Receiver { url: string; server: Server; tries: Map<string, number>; accepted: Alert[]; refused: number; unverified: number }

const secrets = readDevVars(".dev.vars.example") as Record<string, string>;
const OPS_KEY = "whsec_ZWRnZWhvb2stZTJlLWFsZXJ0LWNoYW5uZWwta2V5LTAx";
let sink: Sink;
let gateway: Gateway;
let ops: Receiver;
let slack: { url: string; server: Server; messages: { text: string; blocks: unknown[] }[] };

/** The webhook channel: verifies with `standardwebhooks`, answers 503 to each alert id's first two tries. */
function startOps(): Promise<Receiver> {
  const r = { tries: new Map<string, number>(), accepted: [] as Alert[], refused: 0, unverified: 0 } as Receiver;
  const wh = new Webhook(OPS_KEY);
  r.server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      let alert: Alert;
      try {
        alert = wh.verify(body, req.headers as Record<string, string>) as Alert;
      } catch {
        r.unverified++;
        res.writeHead(401).end();
        return;
      }
      const id = String(req.headers["webhook-id"]);
      const n = (r.tries.get(id) ?? 0) + 1;
      r.tries.set(id, n);
      if (n <= 2) {
        r.refused++;
        res.writeHead(503).end();
        return;
      }
      r.accepted.push(alert);
      res.writeHead(204).end();
    });
  });
  return listen(r.server).then((url) => Object.assign(r, { url }));
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as { port: number }).port}`)));
}

async function waitFor<T>(check: () => T | undefined | false | Promise<T | undefined | false>, ms: number, label: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  sink = await startSink({ secret: secrets.SINK_SIGNING_SECRET! });
  ops = await startOps();
  const messages: { text: string; blocks: unknown[] }[] = [];
  const slackServer = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      messages.push(JSON.parse(Buffer.concat(chunks).toString("utf8")));
      res.writeHead(200).end("ok");
    });
  });
  slack = { url: await listen(slackServer), server: slackServer, messages };
  const dest = (path: string, extra: Record<string, unknown> = {}) => ({ url: `${sink.url}${path}`, secret: "SINK_SIGNING_SECRET", allowPrivateNetwork: true, timeoutMs: 3000, ...extra });
  const sw = (destinations: string[]) => ({ provider: "standard-webhooks", secrets: ["DEMO_WEBHOOK_SECRET"], destinations });
  gateway = await startGateway({
    secrets,
    vars: { OPS_ALERT_SECRET: OPS_KEY, SLACK_ALERT_URL: `${slack.url}/services/T000/B000/XXXX` },
    config: {
      sources: { doomed: sw(["dying"]), flappy: sw(["flappy"]), guarded: sw([]) },
      destinations: {
        dying: dest("/fail/500", { retry: { maxAttempts: 2, baseSeconds: 1, capSeconds: 1 } }),
        flappy: dest("/switch/flappy", { retry: { maxAttempts: 30, baseSeconds: 1, capSeconds: 1 }, breaker: { failureThreshold: 2, cooldownSeconds: 2 } }),
      },
      alerts: {
        channels: {
          ops: { kind: "webhook", url: `${ops.url}/edgehook`, secret: "OPS_ALERT_SECRET", allowPrivateNetwork: true },
          team: { kind: "slack", urlSecret: "SLACK_ALERT_URL", allowPrivateNetwork: true },
        },
        rules: { "task.dead": { groupSeconds: 10 } },
        dashboardUrl: "https://hooks.example.com",
      },
    },
  });
}, 180_000);

afterAll(async () => {
  await gateway?.stop();
  await sink?.close();
  ops?.server.close();
  slack?.server.close();
});

let n = 0;
async function send(source: string, sign = true): Promise<Response> {
  const id = `msg_e2e_alert_${Date.now()}_${n++}`;
  const payload = JSON.stringify({ type: "order.created", data: { n } });
  const signature = sign ? new Webhook(secrets.DEMO_WEBHOOK_SECRET!).sign(id, new Date(), payload) : `v1,${Buffer.alloc(32, n % 256).toString("base64")}`;
  return fetch(`${gateway.url}/webhooks/${source}`, { method: "POST", headers: { "content-type": "application/json", "webhook-id": id, "webhook-timestamp": String(Math.floor(Date.now() / 1000)), "webhook-signature": signature }, body: payload });
}
const accepted = (type: string, subject?: string) => ops.accepted.filter((a) => a.type === type && (subject === undefined || a.data.destination === subject || a.data.source === subject));
const setSwitch = (status: number) => fetch(`${sink.url}/_control/switch/flappy?status=${status}`, { method: "POST" });

describe("alerts over real HTTP", () => {
  it("a destination that fails until dead raises exactly one grouped task.dead, delivered once through a channel that failed twice", async () => {
    for (let i = 0; i < 3; i++) expect((await send("doomed")).status).toBe(202);
    const [alert] = await waitFor(() => accepted("task.dead", "dying").length > 0 && accepted("task.dead", "dying"), 90_000, "task.dead at the webhook channel");
    expect(alert!.data).toMatchObject({ destination: "dying", source: "doomed", count: 3, lastError: "http_500_attempts_exhausted", link: "https://hooks.example.com/dashboard/dead-letters?destination=dying" });
    expect(alert!.data.eventIds).toHaveLength(3);
    expect(ops.tries.get(alert!.data.id)).toBe(3); // two refusals, then accepted: once
    await waitFor(() => slack.messages.some((m) => m.text.startsWith("[task.dead]")), 20_000, "task.dead on Slack");
    await new Promise((r) => setTimeout(r, 3000));
    expect(accepted("task.dead", "dying")).toHaveLength(1);
    expect(slack.messages.filter((m) => m.text.startsWith("[task.dead]"))).toHaveLength(1);
  }, 150_000);

  it("a destination that goes down opens the breaker (one breaker_opened), and when it heals one breaker_closed", async () => {
    await setSwitch(503);
    for (let i = 0; i < 4; i++) expect((await send("flappy")).status).toBe(202);
    await waitFor(() => accepted("destination.breaker_opened", "flappy").length > 0, 90_000, "breaker_opened");
    await setSwitch(200);
    await waitFor(() => accepted("destination.breaker_closed", "flappy").length > 0, 90_000, "breaker_closed");
    await new Promise((r) => setTimeout(r, 3000));
    expect(accepted("destination.breaker_opened", "flappy")).toHaveLength(1);
    expect(accepted("destination.breaker_closed", "flappy")).toHaveLength(1);
  }, 150_000);

  it("200 forged requests to one source raise one source.auth_failures", async () => {
    for (let i = 0; i < 200; i++) expect((await send("guarded", false)).status).toBe(401);
    const [alert] = await waitFor(() => accepted("source.auth_failures", "guarded").length > 0 && accepted("source.auth_failures", "guarded"), 60_000, "source.auth_failures");
    expect(alert!.data.count).toBeGreaterThanOrEqual(10);
    expect(alert!.data.lastError).toBe("signature_invalid");
    await new Promise((r) => setTimeout(r, 6000)); // later flushes of the same burst
    expect(accepted("source.auth_failures", "guarded")).toHaveLength(1);
  }, 120_000);

  it("the channel's failures raised nothing about the channel; every alert was verified and delivered exactly once", async () => {
    expect(ops.refused).toBeGreaterThanOrEqual(2 * ops.accepted.length);
    expect(ops.unverified).toBe(0);
    const ids = ops.accepted.map((a) => a.data.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const a of ops.accepted) expect(JSON.stringify(a)).not.toMatch(/"(ops|team)"|alert channel/);
    // The center records each (alert, channel) as sent once the channel accepted it.
    await waitFor(async () => {
      const res = await fetch(`${gateway.url}/api/v1/alerts?limit=200`, { headers: { authorization: `Bearer ${secrets.ADMIN_TOKEN}` } });
      const view = (await res.json()) as { recent: { id: string; type: string; deliveries: { channel: string; state: string }[] }[] };
      expect(view.recent.every((a) => a.type !== "alert.test" && !a.type.includes("channel"))).toBe(true);
      const sent = view.recent.filter((a) => a.deliveries.some((d) => d.channel === "ops" && d.state === "sent")).map((a) => a.id);
      return ids.every((id) => sent.includes(id)) && sent.length === ids.length;
    }, 20_000, "the center to record every accepted alert as sent");
  });
});
