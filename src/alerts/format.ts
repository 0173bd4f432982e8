/** What an alert looks like on the wire: Standard Webhooks JSON, and a Slack incoming-webhook message. */
import type { Alert } from "./types";

/** The alert's dashboard link, absolute when the gateway's public URL is configured. */
export function absoluteLink(alert: Alert, dashboardUrl: string | undefined): string {
  return dashboardUrl ? new URL(alert.link, dashboardUrl).href : alert.link;
}

/** The webhook channel's JSON (`type`, `timestamp`, `data`: the Standard Webhooks payload convention). */
export function webhookPayload(alert: Alert, dashboardUrl: string | undefined): Record<string, unknown> {
  const { id, type, at, ...rest } = alert;
  return {
    type,
    timestamp: new Date(at).toISOString(),
    data: { id, ...rest, since: new Date(alert.since).toISOString(), link: absoluteLink(alert, dashboardUrl) },
  };
}

/** Slack's mrkdwn escapes (https://api.slack.com/reference/surfaces/formatting#escaping). */
const mrkdwn = (text: string): string => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** A Slack incoming-webhook message: `text` (notifications, fallback) plus blocks. */
export function slackMessage(alert: Alert, dashboardUrl: string | undefined): Record<string, unknown> {
  const where = [alert.destination ? `destination ${alert.destination}` : null, alert.source ? `source ${alert.source}` : null].filter(Boolean).join(", ") || "gateway";
  const fields = [
    `*Where*\n${mrkdwn(where)}`,
    `*How many*\n${alert.count}`,
    `*Since*\n${new Date(alert.since).toISOString()}`,
    `*Last error*\n${mrkdwn((alert.lastError ?? "—").slice(0, 200))}`,
  ];
  if (alert.eventIds && alert.eventIds.length > 0) fields.push(`*Events*\n${mrkdwn(alert.eventIds.join(", ").slice(0, 500))}`);
  const link = absoluteLink(alert, dashboardUrl);
  return {
    text: `[${alert.type}] ${alert.summary}`,
    blocks: [
      { type: "section", text: { type: "mrkdwn", text: `*${mrkdwn(alert.type)}*\n${mrkdwn(alert.summary)}` } },
      { type: "section", fields: fields.map((text) => ({ type: "mrkdwn", text })) },
      { type: "context", elements: [{ type: "mrkdwn", text: link.startsWith("http") ? `<${link}|Open in the Edgehook dashboard> · ${alert.id}` : `Dashboard: ${mrkdwn(link)} · ${alert.id}` }] },
    ],
  };
}
