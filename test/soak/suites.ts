/**
 * The reliability suites, sized by their callers: short in CI (test/e2e/reliability.test.ts), long in
 * `npm run soak` (test/soak/*.soak.test.ts). Each returns what it observed; the tests assert on it.
 */
import type { ChaosSink } from "./chaos-sink";
import { pool, post, replay, shuffle, signedEvent, tasksOf, until, type TaskView } from "./harness";

const unique = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `evt_${prefix}_${process.pid}_${Date.now().toString(36)}_${i}`);

/** Duplicate storm: what the gateway answered and what the destination saw. */
export interface StormReport {
  requests: number;
  events: number;
  accepted: Map<string, number>;
  statuses: Record<number, number>;
  hotAccepted: number;
  doubleDeliveries: string[];
  missing: string[];
}

/**
 * `total` requests, half of them duplicates, shuffled so copies race their originals, after 100
 * concurrent copies of one event. Waits until every event is delivered (or `settleMs`).
 */
export async function duplicateStorm(url: string, sink: ChaosSink, { total, concurrency = 32, settleMs = 60_000 }: { total: number; concurrency?: number; settleMs?: number }): Promise<StormReport> {
  const HOT = 100;
  const ids = unique("storm", Math.floor(total / 2));
  const [hot] = ids as [string];
  const copies = Array.from({ length: total - ids.length - HOT }, (_, i) => ids[(i * 7919) % ids.length]!);
  const accepted = new Map<string, number>();
  const statuses: Record<number, number> = {};
  const send = async (id: string) => {
    const status = await post(url, "storm", signedEvent(id));
    statuses[status] = (statuses[status] ?? 0) + 1;
    if (status === 202) accepted.set(id, (accepted.get(id) ?? 0) + 1);
  };
  await Promise.all(Array.from({ length: HOT }, () => send(hot)));
  const hotAccepted = accepted.get(hot) ?? 0;
  await pool(shuffle([...ids.slice(1), ...copies]).map((id) => () => send(id)), concurrency);
  const stored = ids.filter((id) => accepted.has(id));
  await until(() => stored.every((id) => sink.deliveredEvents.has(id)), settleMs, () => `${stored.filter((id) => !sink.deliveredEvents.has(id)).length} events not delivered`).catch(() => {});
  // Let late repeats (if any) arrive before counting.
  await new Promise((r) => setTimeout(r, 1500));
  const doubleDeliveries = [...sink.delivered].filter(([, n]) => n > 1).map(([id]) => id);
  return {
    requests: total,
    events: ids.length,
    accepted,
    statuses,
    hotAccepted,
    doubleDeliveries,
    missing: ids.filter((id) => !sink.deliveredEvents.has(id)),
  };
}

/** Destination faults: final states before healing, and delivery after healing and replay. */
export interface FaultsReport {
  events: number;
  accepted: number;
  finalBeforeHeal: { delivered: number; dead: number; pending: number; deadWithoutRecord: number };
  replayed: number;
  deliveredAfterReplay: number;
  missing: string[];
  faultsInjected: Record<string, number>;
  doubleDeliveries: string[];
}

async function allTasks(url: string, source: string, ids: string[]): Promise<Map<string, TaskView[] | null>> {
  const views = await pool(ids.map((id) => async () => [id, await tasksOf(url, source, id)] as const), 16);
  return new Map(views);
}

/**
 * `events` fresh events to a destination failing `rate` of requests at random (500, hang past the
 * timeout, reset, slow). Waits until every task is final, heals, replays the dead ones, and waits
 * until every event is delivered.
 */
export async function destinationFaults(url: string, sink: ChaosSink, { events, rate = 0.3, concurrency = 16, settleMs = 120_000 }: { events: number; rate?: number; concurrency?: number; settleMs?: number }): Promise<FaultsReport> {
  sink.setFaultRate(rate);
  const ids = unique("faults", events);
  const statuses = await pool(ids.map((id) => () => post(url, "faults", signedEvent(id))), concurrency);
  const accepted = ids.filter((_, i) => statuses[i] === 202);
  let views = new Map<string, TaskView[] | null>();
  const pendingCount = () => [...views.values()].filter((t) => !t || t.some((x) => x.status === "pending")).length;
  await until(async () => {
    views = await allTasks(url, "faults", accepted);
    return pendingCount() === 0;
  }, settleMs, () => `${pendingCount()} events still pending`).catch(() => {});
  const final = [...views.values()].flatMap((t) => t ?? []);
  const dead = final.filter((t) => t.status === "dead");
  const finalBeforeHeal = {
    delivered: final.filter((t) => t.status === "delivered").length,
    dead: dead.length,
    pending: pendingCount(),
    deadWithoutRecord: dead.filter((t) => t.lastStatus === null && t.lastError === null).length,
  };
  sink.heal();
  const deadIds = [...views].filter(([, t]) => t?.some((x) => x.status === "dead")).map(([id]) => id);
  const replayed = (await pool(deadIds.map((id) => () => replay(url, "faults", id)), 8)).flat().length;
  await until(() => accepted.every((id) => sink.deliveredEvents.has(id)), settleMs, () => "replayed events not delivered").catch(() => {});
  const injected: Record<string, number> = {};
  for (const d of sink.deliveries) if (d.path === "/chaos") injected[d.outcome] = (injected[d.outcome] ?? 0) + 1;
  const chaosIds = new Set(sink.deliveries.filter((d) => d.path === "/chaos").map((d) => d.webhookId));
  return {
    events,
    accepted: accepted.length,
    finalBeforeHeal,
    replayed,
    deliveredAfterReplay: accepted.filter((id) => sink.deliveredEvents.has(id)).length,
    missing: accepted.filter((id) => !sink.deliveredEvents.has(id)),
    faultsInjected: injected,
    doubleDeliveries: [...sink.delivered].filter(([id, n]) => chaosIds.has(id) && n > 1).map(([id]) => id),
  };
}

/** Crash and restart: what was acknowledged, stored and delivered across a SIGKILL. */
export interface CrashReport {
  events: number;
  acknowledgedBeforeCrash: number;
  failedAtCrash: number;
  acknowledgedNotStored: string[];
  acknowledgedNotDelivered: string[];
  missingAfterProviderRetry: string[];
  retryStatuses: Record<number, number>;
}

/**
 * Send `events` to a gateway with persisted state, SIGKILL it (workerd included) after `killAfter`
 * answers, restart it on the same state, then check: every 2xx'd event is stored and delivered (the
 * ledger's alarm re-drives what the in-memory local queue lost); the provider then retries the rest,
 * and every event ends delivered.
 */
export async function crashRestart(
  start: (persist?: string) => Promise<{ url: string; persist: string; kill: () => Promise<void>; stop: () => Promise<void> }>,
  sink: ChaosSink,
  { events, killAfter, concurrency = 16, settleMs = 60_000 }: { events: number; killAfter: number; concurrency?: number; settleMs?: number },
): Promise<CrashReport> {
  let gateway = await start();
  const ids = unique("crash", events);
  const statuses = new Map<string, number>();
  let answered = 0;
  const sender = pool(
    ids.map((id) => async () => {
      statuses.set(id, await post(gateway.url, "crash", signedEvent(id)));
      answered++;
    }),
    concurrency,
  );
  await until(() => answered >= killAfter, settleMs, () => "load did not reach the kill point");
  await gateway.kill();
  await sender;
  const acknowledged = ids.filter((id) => statuses.get(id) === 202);
  gateway = await start(gateway.persist);
  try {
    const views = await pool(acknowledged.map((id) => async () => [id, await tasksOf(gateway.url, "crash", id)] as const), 16);
    const acknowledgedNotStored = views.filter(([, t]) => t === null).map(([id]) => id);
    await until(() => acknowledged.every((id) => sink.deliveredEvents.has(id)), settleMs, () => "acknowledged events not delivered").catch(() => {});
    const acknowledgedNotDelivered = acknowledged.filter((id) => !sink.deliveredEvents.has(id));
    // The provider retries what did not get a 2xx (connection refused or reset by the crash).
    const rest = ids.filter((id) => statuses.get(id) !== 202);
    const retryStatuses: Record<number, number> = {};
    for (const status of await pool(rest.map((id) => () => post(gateway.url, "crash", signedEvent(id))), concurrency)) {
      retryStatuses[status] = (retryStatuses[status] ?? 0) + 1;
    }
    await until(() => ids.every((id) => sink.deliveredEvents.has(id)), settleMs, () => "events not delivered after retry").catch(() => {});
    return {
      events,
      acknowledgedBeforeCrash: acknowledged.length,
      failedAtCrash: rest.length,
      acknowledgedNotStored,
      acknowledgedNotDelivered,
      missingAfterProviderRetry: ids.filter((id) => !sink.deliveredEvents.has(id)),
      retryStatuses,
    };
  } finally {
    await gateway.stop();
  }
}
