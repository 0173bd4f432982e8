/**
 * `npm run listen` in workerd: a listen destination's deliveries go, signed, over a real WebSocket
 * to a connected listener through its ListenHub, and the listener's ack decides the attempt.
 */
import { env, exports } from "cloudflare:workers";
import { Webhook } from "standardwebhooks";
import { afterEach, describe, expect, it } from "vitest";
import type { DeliveryFrame } from "../../src/listen";
import { fromBase64 } from "../../src/shared/bytes";
import { TEST_SECRETS } from "../support/fixtures";
import { sampleEvent, signRequest } from "../support/signer";
import { inspect, post, settled, waitFor } from "./helpers";

/** A connected listener: the frames it got, and how it answers each (a status, or null for no ack). */
interface Listener {
  ws: WebSocket;
  frames: DeliveryFrame[];
}

const open: WebSocket[] = [];
afterEach(() => {
  for (const ws of open.splice(0)) ws.close(1000, "test done");
});

function upgrade(destination: string, token: string | null, headers: Record<string, string> = { upgrade: "websocket" }): Promise<Response> {
  return exports.default.fetch(`https://edgehook.test/api/v1/destinations/${destination}/listen`, {
    headers: { ...headers, ...(token === null ? {} : { authorization: `Bearer ${token}` }) },
  });
}

/** Connect as the CLI does; `answer` gives the status to ack a frame with (null: never ack). */
async function listen(destination: string, answer: (frame: DeliveryFrame, seen: number) => number | null = () => 200): Promise<Listener> {
  const res = await upgrade(destination, env.ADMIN_TOKEN);
  expect(res.status).toBe(101);
  const ws = res.webSocket!;
  ws.accept();
  open.push(ws);
  const listener: Listener = { ws, frames: [] };
  ws.addEventListener("message", (event) => {
    const frame = JSON.parse(event.data as string) as DeliveryFrame;
    listener.frames.push(frame);
    const seen = listener.frames.filter((f) => f.headers["webhook-id"] === frame.headers["webhook-id"]).length;
    const status = answer(frame, seen);
    if (status !== null) ws.send(JSON.stringify({ type: "ack", id: frame.id, status, snippet: `answered ${status}` }));
  });
  return listener;
}

async function postTo(source: string): Promise<string> {
  const signed = await signRequest({ preset: "standard-webhooks", secret: TEST_SECRETS.SW_SECRET, body: sampleEvent("standard-webhooks") });
  expect((await post(source, signed)).status).toBe(202);
  return signed.headers["webhook-id"]!;
}

async function destination(name: string): Promise<{ kind: string; url: string | null; listeners: number | null }> {
  const res = await exports.default.fetch(`https://edgehook.test/api/v1/destinations/${name}`, { headers: { authorization: `Bearer ${env.ADMIN_TOKEN}` } });
  expect(res.status).toBe(200);
  return res.json();
}

const framesOf = (listeners: Listener[], eventId: string) => listeners.flatMap((l) => l.frames).filter((f) => f.headers["edgehook-event-id"] === eventId);
const bodyOf = (frame: DeliveryFrame) => new TextDecoder().decode(fromBase64(frame.body)!);

describe("listen destinations", () => {
  it("a delivery arrives over the WebSocket signed as any delivery; the ack's 200 makes it delivered, exactly once", async () => {
    const listener = await listen("heard");
    const id = await postTo("heard");
    const view = await settled("heard", id);
    expect(view.tasks[0]).toMatchObject({ destination: "heard", status: "delivered", attempts: 1, lastStatus: 200 });
    expect(view.tasks[0]!.log[0]!.snippet).toBe("answered 200");
    const frames = framesOf([listener], id);
    expect(frames).toHaveLength(1);
    const frame = frames[0]!;
    expect(frame.headers).toMatchObject({ "edgehook-source": "heard", "edgehook-event-id": id, "edgehook-attempt": "1", "content-type": "application/json" });
    // The receiver's own library verifies it with the destination's secret.
    expect(() => new Webhook(TEST_SECRETS.SINK_SECRET).verify(bodyOf(frame), frame.headers)).not.toThrow();
    expect(() => new Webhook(TEST_SECRETS.SW_SECRET).verify(bodyOf(frame), frame.headers)).toThrow();
  });

  it("each delivery goes to exactly one of two connected listeners", async () => {
    const listeners = [await listen("heard"), await listen("heard")];
    await waitFor(async () => (await destination("heard")).listeners === 2, 5_000, "the admin view to count both listeners");
    const ids = await Promise.all([1, 2, 3, 4].map(() => postTo("heard")));
    for (const id of ids) await settled("heard", id);
    for (const id of ids) expect(framesOf(listeners, id)).toHaveLength(1);
    expect(listeners.every((l) => l.frames.length > 0)).toBe(true); // in turn, not all to one
  });

  it("a non-2xx ack is retried under the policy, then delivered", async () => {
    const listener = await listen("heard", (_frame, seen) => (seen === 1 ? 503 : 200));
    const id = await postTo("heard");
    const view = await settled("heard", id);
    expect(view.tasks[0]!.log.map((a) => [a.attempt, a.status, a.error ?? null])).toEqual([[1, 503, "http_503"], [2, 200, null]]);
    expect(framesOf([listener], id).map((f) => f.headers["edgehook-attempt"])).toEqual(["1", "2"]);
  });

  it("no ack within timeoutMs is a timeout, retried", async () => {
    const listener = await listen("heard", (_frame, seen) => (seen === 1 ? null : 200));
    const id = await postTo("heard");
    const view = await settled("heard", id);
    expect(view.tasks[0]!.log.map((a) => [a.attempt, a.status, a.error ?? null])).toEqual([[1, 0, "timeout"], [2, 200, null]]);
    expect(framesOf([listener], id)).toHaveLength(2);
  });

  it("with nobody listening the event is retried as no_listener, not dead, and arrives once a listener connects", async () => {
    const id = await postTo("unheard");
    const waiting = await waitFor(async () => {
      const view = await inspect("unheard", id);
      const task = view?.tasks[0];
      return task && task.attempts >= 2 ? task : undefined;
    }, 15_000, "two no_listener attempts");
    expect(waiting).toMatchObject({ status: "pending", lastStatus: 0, lastError: "no_listener" });
    const listener = await listen("unheard");
    const view = await settled("unheard", id, 20_000);
    const log = view.tasks[0]!.log;
    expect(view.tasks[0]!.status).toBe("delivered");
    expect(log.slice(0, -1).every((a) => a.error === "no_listener")).toBe(true);
    expect(log.at(-1)).toMatchObject({ status: 200 });
    expect(framesOf([listener], id)).toHaveLength(1);
  });

  it("refuses an upgrade without the admin token, and anything that is not a listen destination's WebSocket", async () => {
    for (const token of [null, "wrong-token"]) {
      const res = await upgrade("unheard", token);
      expect(res.status).toBe(401);
      expect(res.webSocket).toBeNull();
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
    }
    // Nothing was connected by the refused upgrades (an earlier test's closed socket may take a moment to go).
    await waitFor(async () => (await destination("unheard")).listeners === 0, 5_000, "no listener on unheard");
    expect(await destination("unheard")).toMatchObject({ kind: "listen", url: null });
    expect(await destination("ok")).toMatchObject({ kind: "http", listeners: null });
    const cases: [string, Record<string, string>, number, string][] = [
      ["ok", { upgrade: "websocket" }, 409, "not_listen_destination"],
      ["no-such", { upgrade: "websocket" }, 404, "not_found"],
      ["unheard", {}, 426, "upgrade_required"],
    ];
    for (const [name, headers, status, code] of cases) {
      const res = await upgrade(name, env.ADMIN_TOKEN, headers);
      expect(res.status).toBe(status);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code);
    }
  });
});
