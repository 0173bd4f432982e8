/**
 * Sending one alert to one channel, once. Retries, backoff and giving up are the AlertCenter's; a
 * failure here is a value and never becomes an alert itself (no alerts about alert channels).
 */
import type { RuntimeChannel } from "../config";
import { signStandardWebhook } from "../delivery";
import { utf8 } from "../shared/bytes";
import { slackMessage, webhookPayload } from "./format";
import type { Alert } from "./types";

/** How long a channel may take to answer. */
export const CHANNEL_TIMEOUT_MS = 10_000;

/** The result of one try. */
export type SendResult = { ok: true; status: number } | { ok: false; status: number | null; error: string };

/** POST the alert to the channel (webhook: Standard Webhooks-signed, `webhook-id` = the alert id). */
export async function sendToChannel(channel: RuntimeChannel, alert: Alert, dashboardUrl: string | undefined, now: number): Promise<SendResult> {
  const headers: Record<string, string> = { "content-type": "application/json", "user-agent": "Edgehook-Alerts/1" };
  let body: Uint8Array;
  if (channel.config.kind === "webhook") {
    body = utf8(JSON.stringify(webhookPayload(alert, dashboardUrl)));
    const timestamp = Math.floor(now / 1000);
    headers["webhook-id"] = alert.id;
    headers["webhook-timestamp"] = String(timestamp);
    headers["webhook-signature"] = await signStandardWebhook(channel.secretValue, alert.id, timestamp, body);
  } else {
    body = utf8(JSON.stringify(slackMessage(alert, dashboardUrl)));
  }
  try {
    const res = await fetch(channel.url, { method: "POST", headers, body, redirect: "manual", signal: AbortSignal.timeout(CHANNEL_TIMEOUT_MS) });
    await res.body?.cancel();
    return res.status >= 200 && res.status < 300 ? { ok: true, status: res.status } : { ok: false, status: res.status, error: `HTTP ${res.status}` };
  } catch (error) {
    const name = (error as Error | null)?.name;
    return { ok: false, status: null, error: name === "TimeoutError" ? "timeout" : "network_error" };
  }
}

/** Delay before try `tries + 1` of a channel: 2 s doubling, at most 10 minutes. */
export function channelBackoffMs(tries: number): number {
  return Math.min(600_000, 2000 * 2 ** Math.max(0, tries - 1));
}

/** Tries per (alert, channel) before it is recorded as failed (about 1 h 15 min of trying). */
export const CHANNEL_MAX_TRIES = 12;
