/**
 * Queue consumer. Messages are grouped by destination; each group asks the destination's gate once
 * (breaker, pause, rate limit), claims its tasks from their ledgers, attempts them (one POST each, or
 * batched), records every outcome before acking, and reports the group's health to the gate once.
 */
import { gateSignals, reportAlerts, type AlertSignal, type AlertsEnv } from "../alerts";
import { loadConfig, type RuntimeConfig, type RuntimeDestination } from "../config";
import type { DestinationGate, GateSettings } from "../gate";
import type { DeliveryMessage, EventLedger, TaskStatus } from "../ledger";
import type { ListenEnv } from "../listen";
import type { KeySequencer } from "../ordering";
import { recordDeliveries, type MetricsStoreEnv } from "../metrics";
import { redactFieldsFrom } from "../observe";
import { writeIndex, type IndexUpdate, type SearchEnv } from "../search";
import { transformTask, type TransformEnv } from "../transform";
import { finishAttempt, type ClaimedTask, type Health } from "./attempt";
import { sendBatchDelivery } from "./batch";
import { bare, encryptionKeysOf, inlineDelivery } from "./inline";
import { CHAIN_LIMIT, chainedMessage, gateOrder, settleOrder } from "./ordered";
import { backoffSeconds, MAX_QUEUE_DELAY_SECONDS } from "./classify";
import { deadReason, endPoisoned, poisonVerdict, recordDead } from "./poison";
import { sendDelivery } from "./send";
import { sendDeadCallback, sendOutcomeCallback, withCallbackUrl, type WorkflowEnv } from "../workflow";

/** Bindings the consumer uses. */
export interface DeliveryEnv extends SearchEnv, ListenEnv, TransformEnv, AlertsEnv, WorkflowEnv, MetricsStoreEnv {
  EVENT_LEDGER: DurableObjectNamespace<EventLedger>;
  DESTINATION_GATE: DurableObjectNamespace<DestinationGate>;
  KEY_SEQUENCER: DurableObjectNamespace<KeySequencer>;
  LOG_REDACT_FIELDS?: string;
  DELIVERY_QUEUE: Queue<DeliveryMessage>;
}

type Incoming = Message<DeliveryMessage>;
type Result = { update: IndexUpdate; health: Health; retryAt: number | null };

/** Retry delay when a ledger, the gate or the config cannot be reached: short, jittered, growing. */
function infraDelay(attempts: number): number {
  return backoffSeconds(attempts, { maxAttempts: 100, baseSeconds: 5, capSeconds: 300 }, 0.5 + Math.random() / 2);
}

/** Is this a well-formed v1 delivery message? */
export function isDeliveryMessage(body: unknown): body is DeliveryMessage {
  const m = body as DeliveryMessage | null;
  return typeof m === "object" && m !== null && m.v === 1 && typeof m.ledger === "string" && typeof m.destination === "string";
}

/** The gate settings of a destination. */
export function gateSettings(destination: RuntimeDestination): GateSettings {
  return { breaker: destination.config.breaker, rate: destination.config.rateLimit ?? {}, leaseMs: destination.config.timeoutMs + 5_000 };
}

/**
 * Put messages back without an attempt (breaker open, rate limit, batch not full yet): as new
 * messages with a delay, so waiting never counts towards the queue's max_retries and the DLQ.
 */
async function defer(env: DeliveryEnv, messages: Incoming[], delaySeconds: number): Promise<void> {
  if (messages.length === 0) return;
  const delay = Math.min(Math.max(1, Math.ceil(delaySeconds)), MAX_QUEUE_DELAY_SECONDS);
  try {
    await env.DELIVERY_QUEUE.sendBatch(messages.map((m) => ({ body: { ...bare(m.body), queuedAt: m.body.queuedAt ?? m.timestamp.getTime() }, contentType: "json", delaySeconds: delay })));
    for (const m of messages) m.ack();
  } catch {
    for (const m of messages) m.retry({ delaySeconds: delay });
  }
}

/** Claim one task from its ledger: the task, or (message already acked or retried) why there is none. */
async function claim(env: DeliveryEnv, message: Incoming, destination: RuntimeDestination): Promise<ClaimedTask | { skipped: TaskStatus | "unknown" } | { waiting: true }> {
  const ledger = env.EVENT_LEDGER.get(env.EVENT_LEDGER.idFromName(message.body.ledger));
  const leaseMs = destination.config.timeoutMs + 5_000;
  const inline = await inlineDelivery(message, leaseMs, Date.now(), encryptionKeysOf(env));
  if (inline !== null) return { message, ledger, ledgerName: message.body.ledger, attempt: 1, delivery: inline };
  const answer = await ledger.claim(destination.name, leaseMs);
  if (answer.action === "skip") {
    message.ack();
    return { skipped: answer.reason };
  }
  // Thrown so that `guarded` retries it like any failure (a rolling deploy may bring the key), then ends it dead with this reason.
  if (answer.action === "unreadable") throw new Error(`${answer.reason}: ${answer.message}`);
  if (answer.action === "wait") {
    message.retry({ delaySeconds: Math.min(answer.delaySeconds, MAX_QUEUE_DELAY_SECONDS) });
    return { waiting: true };
  }
  return { message, ledger, ledgerName: message.body.ledger, attempt: answer.attempt, delivery: answer.delivery };
}

/**
 * Run `work` for one message; when it throws, retry just that message, or end its task as poison
 * once the same failure has come back too often (src/delivery/poison.ts).
 */
async function guarded<T>(env: DeliveryEnv, message: Incoming, destination: RuntimeDestination | undefined, work: () => Promise<T>): Promise<T | null> {
  try {
    return await work();
  } catch (error) {
    const verdict = poisonVerdict(error, message.attempts);
    console.error(JSON.stringify({ msg: "consumer_error", ledger: message.body.ledger, destination: message.body.destination, attempts: message.attempts, verdict, error: String(error) }));
    if (verdict === "dead") await endPoisoned(env, message, destination, infraDelay(message.attempts), deadReason(error));
    else message.retry({ delaySeconds: infraDelay(message.attempts) });
    return null;
  }
}

/**
 * One event's turn: its ordering gate, claim, attempt and record. Returns the attempt's result (if
 * one was made) and, under strict ordering after a final outcome, the key's next event to chain.
 */
async function deliverOne(env: DeliveryEnv, message: Incoming, destination: RuntimeDestination, pii: Set<string>): Promise<{ result: Result | null; next: DeliveryMessage | null }> {
  const order = await gateOrder(env, destination, message);
  if (order === "wait") await defer(env, [message], 1); // drop-stale: another event of its key is in flight
  else if (order !== "go") message.ack(); // held by the sequencer, or recorded as stale
  if (order !== "go") return { result: null, next: null };
  const task = await claim(env, message, destination);
  if ("waiting" in task) return { result: null, next: null };
  if ("skipped" in task) {
    return { result: null, next: await settleOrder(env, destination, message.body, task.skipped === "delivered" || task.skipped === "filtered" ? "delivered" : "dead", null) };
  }
  const shaped = await transformTask(env, task, destination);
  if ("done" in shaped) {
    if (shaped.done?.update.status === "dead") await sendDeadCallback(env, task.ledger, destination.name, "transform_failed");
    return { result: shaped.done, next: shaped.done && (await settleOrder(env, destination, message.body, shaped.done.update.status, null)) };
  }
  const sent = await sendDelivery(destination, await withCallbackUrl(env, destination, task.delivery, shaped.send), task.attempt, env, shaped.url);
  const result = await finishAttempt(task, destination, sent, pii, (kind, error) => sendOutcomeCallback(env, destination, task.delivery, sent, kind, error));
  return { result, next: await settleOrder(env, destination, message.body, result.update.status, result.retryAt) };
}

/**
 * Attempt granted messages one POST each. Under strict ordering, a final outcome hands the key's
 * next event straight back (chaining, up to CHAIN_LIMIT), so a key does not wait for a queue hop.
 * Each event of a chain is guarded on its own: a failure retries (or ends) that event's message only.
 */
async function deliverEach(env: DeliveryEnv, messages: Incoming[], destination: RuntimeDestination, pii: Set<string>): Promise<Result[]> {
  const pending: Promise<unknown>[] = [];
  const chains = await Promise.all(
    messages.map(async (first) => {
      const out: Result[] = [];
      let message: Incoming | null = first;
      for (let hops = 0; message !== null; hops++) {
        if (hops === CHAIN_LIMIT) {
          message.retry({ delaySeconds: 0 }); // the rest of the chain goes back through the queue
          break;
        }
        const current: Incoming = message;
        const hop = await guarded(env, current, destination, () => deliverOne(env, current, destination, pii));
        if (hop?.result) out.push(hop.result);
        message = hop?.next ? chainedMessage(env, hop.next, pending) : null;
      }
      return out;
    }),
  );
  await Promise.all(pending);
  return chains.flat();
}

/** Attempt granted messages as batches of at most `maxEvents`, one signed POST per batch. */
async function deliverBatched(env: DeliveryEnv, messages: Incoming[], destination: RuntimeDestination, maxEvents: number, pii: Set<string>): Promise<Result[]> {
  const claims = await Promise.all(
    messages.map((m) =>
      guarded(env, m, destination, async () => {
        const order = await gateOrder(env, destination, m);
        if (order === "wait") await defer(env, [m], 1); // drop-stale: another event of its key is in flight
        else if (order !== "go") m.ack(); // stale under drop-stale ordering (strict cannot batch)
        if (order !== "go") return null;
        return claim(env, m, destination);
      }),
    ),
  );
  const tasks = claims.filter((t): t is ClaimedTask => t !== null && "delivery" in t);
  const out: Result[] = [];
  for (let i = 0; i < tasks.length; i += maxEvents) {
    const group = tasks.slice(i, i + maxEvents);
    const attempt = Math.max(...group.map((t) => t.attempt));
    const result = await sendBatchDelivery(destination, group.map((t) => t.delivery), attempt);
    const finished = await Promise.all(
      group.map((t) =>
        guarded(env, t.message, destination, async () => {
          const done = await finishAttempt(t, destination, result, pii);
          await settleOrder(env, destination, t.message.body, done.update.status, done.retryAt);
          return done;
        }),
      ),
    );
    out.push(...finished.filter((r): r is Result => r !== null));
  }
  return out;
}

/** Deliver one destination's messages from this batch. */
async function deliverGroup(env: DeliveryEnv, config: RuntimeConfig, name: string, messages: Incoming[], pii: Set<string>, alerts: AlertSignal[]): Promise<IndexUpdate[]> {
  const destination = config.destinations.get(name);
  if (!destination) {
    // Removed from config: the tasks can never be delivered; make that visible instead of retrying forever.
    await Promise.all(messages.map((m) => guarded(env, m, destination, async () => {
      await recordDead(env, m.body, "destination_not_configured", alerts);
      m.ack();
    })));
    return [];
  }
  const batch = destination.config.batch;
  if (batch && messages.length < batch.maxEvents) {
    // Not a full batch yet: hold until the oldest member has waited maxWaitSeconds.
    const oldest = Math.min(...messages.map((m) => m.body.queuedAt ?? m.timestamp.getTime()));
    const waitMs = oldest + batch.maxWaitSeconds * 1000 - Date.now();
    if (waitMs >= 1000) {
      await defer(env, messages, waitMs / 1000);
      return [];
    }
  }
  const settings = gateSettings(destination);
  const gate = env.DESTINATION_GATE.get(env.DESTINATION_GATE.idFromName(name));
  let admission;
  try {
    admission = await gate.admit(messages.map((m) => bare(m.body)), settings);
  } catch (error) {
    console.error(JSON.stringify({ msg: "gate_unavailable", destination: name, error: String(error) }));
    for (const m of messages) m.retry({ delaySeconds: infraDelay(m.attempts) });
    return [];
  }
  if (admission.kind === "paused") {
    for (const m of messages) m.ack(); // parked in the gate until resume
    return [];
  }
  const granted = messages.slice(0, admission.count);
  await defer(env, messages.slice(admission.count), admission.deferSeconds);
  if (granted.length === 0) return [];
  const results = batch ? await deliverBatched(env, granted, destination, batch.maxEvents, pii) : await deliverEach(env, granted, destination, pii);
  const count = (h: Health) => results.filter((r) => r.health === h).length;
  try {
    const reported = await gate.report({ successes: count("success"), failures: count("failure"), gone: count("gone") > 0, released: granted.length }, settings);
    alerts.push(...gateSignals(name, reported.changes, results.findLast((r) => r.update.lastError !== null)?.update.lastError ?? null, Date.now()));
  } catch (error) {
    console.error(JSON.stringify({ msg: "gate_report_failed", destination: name, error: String(error) }));
  }
  return results.map((r) => r.update);
}

/** The delivery queue's handler. */
export async function handleDeliveryBatch(batch: MessageBatch<unknown>, env: DeliveryEnv): Promise<void> {
  const loaded = loadConfig(env);
  if (!loaded.ok) {
    batch.retryAll({ delaySeconds: 60 });
    return;
  }
  const pii = redactFieldsFrom(env);
  const groups = new Map<string, Incoming[]>();
  for (const message of batch.messages) {
    if (!isDeliveryMessage(message.body)) {
      console.error(JSON.stringify({ msg: "message_malformed", id: message.id }));
      message.ack();
      continue;
    }
    const list = groups.get(message.body.destination) ?? [];
    list.push(message as Incoming);
    groups.set(message.body.destination, list);
  }
  const alerts: AlertSignal[] = [];
  const updates = (await Promise.all([...groups].map(([name, messages]) => deliverGroup(env, loaded.config, name, messages, pii, alerts)))).flat();
  try {
    await writeIndex(env, updates);
  } catch (error) {
    console.error(JSON.stringify({ msg: "index_write_failed", error: String(error) }));
  }
  await reportAlerts(env, updates, alerts);
  await recordDeliveries(env, updates);
}
