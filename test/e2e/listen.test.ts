/**
 * `npm run listen` end to end: the real CLI (scripts/listen.mjs) connected to the real local gateway
 * (`wrangler dev` on the real wrangler.toml) forwards a listen destination's deliveries to a real
 * local HTTP server, signed (checked with the standardwebhooks library), exactly once per delivery;
 * when its connection drops it reconnects by itself, and events posted meanwhile arrive then.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer, type Server } from "node:http";
import { createConnection, createServer as createTcpServer, type Server as TcpServer, type Socket } from "node:net";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error plain ESM script without types
import { readDevVars } from "../../scripts/sink.mjs";
import { sampleEvent } from "../support/signer";
import { freePort, startGateway, type Gateway } from "./gateway";

interface Got { path: string; headers: Record<string, string>; body: string; verified: boolean }
interface Cli { child: ChildProcess; out: string[] }

const secrets = readDevVars(".dev.vars.example") as Record<string, string>;
const config = {
  sources: { demo: { provider: "standard-webhooks", secrets: ["DEMO_WEBHOOK_SECRET"], destinations: ["laptop"] } },
  destinations: {
    laptop: { kind: "listen", secret: "SINK_SIGNING_SECRET", timeoutMs: 5000, retry: { maxAttempts: 50, baseSeconds: 1, capSeconds: 2 }, breaker: { failureThreshold: 5, cooldownSeconds: 2 } },
  },
};

let gateway: Gateway;
let local: Server;
let localPort: number;
const got: Got[] = [];
const clis: Cli[] = [];

/**
 * The CLI's network path to the gateway: a TCP relay that can drop every connection and refuse new
 * ones for a while (a laptop's wifi going away), while the gateway itself stays up.
 */
interface Link { url: string; cut: () => void; restore: () => void; close: () => Promise<void> }
async function startLink(targetPort: number): Promise<Link> {
  const sockets = new Set<Socket>();
  let down = false;
  const server: TcpServer = createTcpServer((client) => {
    if (down) return client.destroy();
    const upstream = createConnection(targetPort, "127.0.0.1");
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => {});
    }
    client.pipe(upstream).pipe(client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${port}`,
    cut: () => {
      down = true;
      for (const s of sockets) s.destroy();
    },
    restore: () => {
      down = false;
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
}
let link: Link;

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function eventually<T>(check: () => T | undefined | false | Promise<T | undefined | false>, what: string, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; CLI:\n${clis.flatMap((c) => c.out).join("")}\ngateway:\n${gateway.logs.slice(-20).join("")}`);
    await pause(100);
  }
}

/** Start the real CLI, as `npm run listen -- laptop --port N --path /hooks` does, and wait until it listens. */
async function startCli(): Promise<Cli> {
  const child = spawn(process.execPath, ["scripts/listen.mjs", "laptop", "--port", String(localPort), "--path", "/hooks", "--url", link.url], {
    env: { ...process.env, EDGEHOOK_ADMIN_TOKEN: secrets.ADMIN_TOKEN },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const cli: Cli = { child, out: [] };
  child.stdout!.on("data", (d) => cli.out.push(String(d)));
  child.stderr!.on("data", (d) => cli.out.push(String(d)));
  clis.push(cli);
  await eventually(() => listening(cli) >= 1, "the CLI to connect");
  return cli;
}
const listening = (cli: Cli) => cli.out.join("").split("listening: laptop").length - 1;
const stopCli = (cli: Cli) => new Promise<void>((resolve) => (cli.child.exitCode !== null ? resolve() : (cli.child.once("exit", () => resolve()), cli.child.kill("SIGTERM"))));

/** Post one Standard Webhooks event to the demo source, signed with the provider's library. */
async function postEvent(): Promise<string> {
  const id = `msg_${crypto.randomUUID().replace(/-/g, "")}`;
  const body = sampleEvent("standard-webhooks");
  const now = new Date(); // one clock reading for the signature and its header
  const signature = new Webhook(secrets.DEMO_WEBHOOK_SECRET!).sign(id, now, body);
  const res = await fetch(`${gateway.url}/webhooks/demo`, {
    method: "POST",
    headers: { "content-type": "application/json", "webhook-id": id, "webhook-timestamp": String(Math.floor(now.getTime() / 1000)), "webhook-signature": signature },
    body,
  });
  expect(res.status).toBe(202);
  return id;
}

/** The ledger's task for an event, through the admin API. */
async function task(id: string): Promise<{ status: string; attempts: number; lastError: string | null; log: { status: number; error?: string }[] }> {
  const res = await fetch(`${gateway.url}/api/v1/event?${new URLSearchParams({ source: "demo", id })}`, { headers: { authorization: `Bearer ${secrets.ADMIN_TOKEN}` } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { tasks: Awaited<ReturnType<typeof task>>[] }).tasks[0]!;
}
const arrivals = (id: string) => got.filter((g) => g.headers["edgehook-event-id"] === id);

beforeAll(async () => {
  const verifier = new Webhook(secrets.SINK_SIGNING_SECRET!);
  local = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      let verified = true;
      try {
        verifier.verify(body, headers);
      } catch {
        verified = false;
      }
      got.push({ path: req.url ?? "", headers, body, verified });
      res.writeHead(verified ? 200 : 401, { "content-type": "text/plain" }).end(verified ? "thanks" : "bad signature");
    });
  });
  localPort = await freePort();
  await new Promise<void>((r) => local.listen(localPort, "127.0.0.1", r));
  gateway = await startGateway({ config, secrets });
  link = await startLink(Number(new URL(gateway.url).port));
});

afterAll(async () => {
  await Promise.all(clis.map(stopCli));
  link?.cut();
  await link?.close();
  await gateway?.stop();
  await new Promise((r) => local?.close(r));
});

describe("npm run listen against the local gateway", () => {
  it("events posted to the gateway reach the local server through the CLI, signed, exactly once", async () => {
    const cli = await startCli();
    const ids = [await postEvent(), await postEvent(), await postEvent()];
    for (const id of ids) await eventually(async () => (await task(id)).status === "delivered", `${id} delivered`);
    for (const id of ids) {
      const [one, ...more] = arrivals(id);
      expect(more).toHaveLength(0);
      expect(one).toMatchObject({ path: "/hooks", verified: true });
      expect(one!.headers).toMatchObject({ "edgehook-source": "demo", "edgehook-attempt": "1" });
      expect(await task(id)).toMatchObject({ status: "delivered", attempts: 1, log: [{ status: 200 }] });
      expect(cli.out.join("")).toMatch(new RegExp(`✓ 200 {2}demo invoice\\.paid ${id} {2}attempt 1`));
    }
  });

  it("when its connection drops, events posted meanwhile wait (retried as no_listener) and arrive once after the CLI reconnects by itself", async () => {
    const cli = clis.at(-1)!;
    link.cut();
    await eventually(() => cli.out.join("").includes("reconnecting in"), "the CLI to notice the drop");
    const ids = [await postEvent(), await postEvent()];
    for (const id of ids) await eventually(async () => (await task(id)).lastError === "no_listener", `${id} attempted with nobody listening`);
    expect(ids.flatMap(arrivals)).toHaveLength(0);
    link.restore();
    await eventually(() => listening(cli) >= 2, "the CLI to reconnect");
    for (const id of ids) await eventually(async () => (await task(id)).status === "delivered", `${id} delivered after the CLI is back`);
    for (const id of ids) {
      expect(arrivals(id)).toHaveLength(1);
      expect(arrivals(id)[0]!.verified).toBe(true);
      const { log } = await task(id);
      expect(log.slice(0, -1).every((a) => a.error === "no_listener")).toBe(true);
      expect(log.at(-1)).toMatchObject({ status: 200 });
    }
    expect(cli.child.exitCode).toBeNull(); // the same process, reconnected
  });
});
