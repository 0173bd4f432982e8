/**
 * After an HTTP attempt: classify, record in the ledger (before the ack), then ack or retry the
 * message. Shared by single and batched deliveries.
 */
import type { RuntimeDestination } from "../config";
import type { Delivery, DeliveryMessage, EventLedger, Outcome, TaskStatus } from "../ledger";
import { logLine } from "../observe";
import type { IndexUpdate } from "../search";
import { classifyResponse, type AttemptResult, type Decision } from "./classify";

/** What an attempt says about the destination's health, for its circuit breaker. */
export type Health = "success" | "failure" | "neutral" | "gone";

/** A claimed task: the message, its ledger and what the ledger handed out. */
export interface ClaimedTask {
  message: Message<DeliveryMessage>;
  ledger: DurableObjectStub<EventLedger>;
  ledgerName: string;
  attempt: number;
  delivery: Delivery;
}

/** Seconds a paused task waits before it is offered to the (now paused) gate, which parks it. */
const PAUSE_REQUEUE_SECONDS = 1;

function healthOf(decision: Decision): Health {
  switch (decision.kind) {
    case "delivered":
      return "success";
    case "retry":
      return "failure";
    case "pause":
      return "gone";
    case "dead":
      return decision.error.endsWith("_attempts_exhausted") ? "failure" : "neutral";
  }
}

/** Runs when an attempt ends its task, before the outcome is recorded (the workflow stage's callbacks). */
export type BeforeFinal = (kind: "delivered" | "dead", error?: string) => Promise<unknown>;

/** Classify and record one task's attempt, then ack or retry its message. */
export async function finishAttempt(task: ClaimedTask, destination: RuntimeDestination, result: AttemptResult, pii: Set<string>, beforeFinal?: BeforeFinal): Promise<{ update: IndexUpdate; health: Health; retryAt: number | null }> {
  const now = Date.now();
  const decision = classifyResponse(result, task.attempt, destination.config.retry, now, Math.random());
  const delaySeconds = decision.kind === "retry" ? decision.delaySeconds : decision.kind === "pause" ? PAUSE_REQUEUE_SECONDS : 0;
  const outcome: Outcome = {
    kind: decision.kind === "pause" ? "retry" : decision.kind,
    record: {
      attempt: task.attempt,
      at: now - result.latencyMs,
      status: result.status,
      latencyMs: result.latencyMs,
      ...(decision.kind === "delivered" ? {} : { error: decision.error }),
      ...(result.snippet ? { snippet: result.snippet } : {}),
    },
    ...(decision.kind === "retry" || decision.kind === "pause" ? { retryAt: now + delaySeconds * 1000 } : {}),
  };
  if (beforeFinal && (decision.kind === "delivered" || decision.kind === "dead")) await beforeFinal(decision.kind, decision.kind === "dead" ? decision.error : undefined);
  const status: TaskStatus | null = await task.ledger.record(destination.name, outcome);
  logLine("log", "attempt", { ledger: task.ledgerName, destination: destination.name, webhookId: task.delivery.webhookId, attempt: task.attempt, status: result.status, outcome: decision.kind, ms: result.latencyMs }, pii);
  if (decision.kind === "retry" || decision.kind === "pause") task.message.retry({ delaySeconds });
  else task.message.ack();
  const { delivery } = task;
  return {
    health: healthOf(decision),
    retryAt: outcome.retryAt ?? null,
    update: {
      source: delivery.source,
      eventId: delivery.eventId,
      eventType: delivery.eventType,
      receivedAt: delivery.receivedAt,
      occurredAt: delivery.occurredAt,
      destination: destination.name,
      status: status ?? (outcome.kind === "retry" ? "pending" : outcome.kind),
      attempts: task.attempt,
      lastStatus: result.status,
      lastError: outcome.record.error ?? null,
      latencyMs: result.latencyMs,
      at: now,
    },
  };
}
