/**
 * The `EDGEHOOK.alerts` section (docs/configuration.md, "Alerts"): channels that receive alerts and
 * optional per-rule settings. Every rule is on by default; an empty section is a working default.
 */
import { z } from "zod";
import { looksLikeSecretValue } from "./secret-values";

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, "use letters, digits, '-' or '_' (max 64)");
const secretName = z.string().superRefine((text, ctx) => {
  if (looksLikeSecretValue(text)) ctx.addIssue({ code: "custom", message: "looks like a secret value, not the name of a Worker secret (store it with wrangler secret put SOME_NAME and list SOME_NAME here; the value is not shown)" });
  else if (!/^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(text)) ctx.addIssue({ code: "custom", message: "must be the NAME of a Worker secret (letters, digits and _, not starting with a digit)" });
});
const seconds = (min: number, max: number, fallback: number) => z.number().int().min(min).max(max).default(fallback);

/** A Standard Webhooks-signed JSON POST, like a destination's. */
export const webhookChannelSchema = z
  .object({ kind: z.literal("webhook"), url: z.url({ protocol: /^https?$/ }), secret: secretName, allowPrivateNetwork: z.boolean().default(false) })
  .strict();

/** A Slack incoming webhook; its URL is itself a credential, so it lives in a Worker secret. */
export const slackChannelSchema = z.object({ kind: z.literal("slack"), urlSecret: secretName, allowPrivateNetwork: z.boolean().default(false) }).strict();

export const channelSchema = z.discriminatedUnion("kind", [webhookChannelSchema, slackChannelSchema]);

/** What every rule has: on/off and which channels (default: all). */
const base = { enabled: z.boolean().default(true), channels: z.array(name).min(1).optional() };
const plain = z.object(base).strict().default({ enabled: true });

/** The alert types, exactly as named in the webhook JSON's `type` (conditions also have `<type>.resolved`). */
export const ALERT_TYPES = [
  "task.dead",
  "destination.breaker_opened",
  "destination.breaker_closed",
  "destination.paused",
  "destination.resumed",
  "source.auth_failures",
  "backlog.stalled",
  "delivery.success_rate",
] as const;

export const rulesSchema = z
  .object({
    "task.dead": z
      .object({ ...base, groupSeconds: seconds(1, 3600, 30), cooldownSeconds: seconds(1, 86_400, 900), sampleIds: z.number().int().min(1).max(20).default(5) })
      .strict()
      .default({ enabled: true, groupSeconds: 30, cooldownSeconds: 900, sampleIds: 5 }),
    "destination.breaker_opened": plain,
    "destination.breaker_closed": plain,
    "destination.paused": plain,
    "destination.resumed": plain,
    "source.auth_failures": z
      .object({ ...base, threshold: z.number().int().min(1).max(1_000_000).default(10), windowSeconds: seconds(10, 86_400, 300) })
      .strict()
      .default({ enabled: true, threshold: 10, windowSeconds: 300 }),
    "backlog.stalled": z
      .object({ ...base, thresholdSeconds: seconds(10, 7 * 86_400, 900), checkSeconds: seconds(10, 3600, 60) })
      .strict()
      .default({ enabled: true, thresholdSeconds: 900, checkSeconds: 60 }),
    "delivery.success_rate": z
      .object({ ...base, targetPercent: z.number().min(0).max(100).default(95), windowSeconds: seconds(10, 86_400, 900), minAttempts: z.number().int().min(1).max(1_000_000).default(20) })
      .strict()
      .default({ enabled: true, targetPercent: 95, windowSeconds: 900, minAttempts: 20 }),
  })
  .strict();

export const alertsSchema = z
  .object({
    channels: z.record(name, channelSchema).default({}),
    rules: rulesSchema.default(rulesSchema.parse({})),
    /** Notifications sent per hour across all channels at most; the rest are kept in the history as suppressed. */
    maxPerHour: z.number().int().min(1).max(10_000).default(60),
    /** The gateway's public base URL, for the dashboard links in alerts; without it links are paths (`/dashboard/…`). */
    dashboardUrl: z.url({ protocol: /^https?$/ }).optional(),
  })
  .strict()
  .superRefine((alerts, ctx) => {
    for (const [type, rule] of Object.entries(alerts.rules)) {
      (rule.channels ?? []).forEach((channel, i) => {
        if (!Object.hasOwn(alerts.channels, channel)) ctx.addIssue({ code: "custom", path: ["rules", type, "channels", i], message: `channel "${channel}" is not defined under alerts.channels` });
      });
    }
  });

export type AlertsConfig = z.infer<typeof alertsSchema>;
export type AlertRules = z.infer<typeof rulesSchema>;
export type ChannelConfig = z.infer<typeof channelSchema>;
export type AlertType = (typeof ALERT_TYPES)[number];
