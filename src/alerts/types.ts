/** What other stages hand to the alert stage (signals), and what it sends (alerts). */

/** A fact another stage observed; the AlertCenter turns facts into transitions and alerts. */
export type AlertSignal =
  | { kind: "task.dead"; source: string; eventId: string; destination: string; reason: string; error: string | null; at: number }
  | { kind: "breaker"; destination: string; state: "open" | "closed"; error: string | null; at: number }
  | { kind: "pause"; destination: string; paused: boolean; by: "gone" | "operator"; at: number }
  /** Verification failures of one source since the previous signal for it. */
  | { kind: "auth_failures"; source: string; count: number; reason: string; at: number }
  /** Attempt outcomes of one destination since the previous signal for it. */
  | { kind: "attempts"; destination: string; successes: number; failures: number; at: number };

/** One alert: what, where, how many, since when, the last error or reason, and a dashboard link. */
export interface Alert {
  /** Stable id (`alrt_…`): the `webhook-id` of every try to every channel, so receivers can drop repeats. */
  id: string;
  /** One of ALERT_TYPES, or `<type>.resolved` for a condition that cleared, or `alert.test`. */
  type: string;
  at: number;
  destination?: string;
  source?: string;
  /** One line for people: what and where. */
  summary: string;
  /** How many (dead tasks, failures, attempts) the alert covers. */
  count: number;
  /** When the condition or burst began (ms). */
  since: number;
  /** The last error or reason seen, if any. */
  lastError: string | null;
  /** task.dead: the first few event ids of the burst. */
  eventIds?: string[];
  /** Type-specific figures (window, threshold, rate, pending, …). */
  details: Record<string, string | number | boolean | null>;
  /** Dashboard path (`/dashboard/…`), made absolute with alerts.dashboardUrl when sending. */
  link: string;
}

/** An open condition or active burst, for the API and the dashboard. */
export interface OpenCondition {
  type: string;
  destination?: string;
  source?: string;
  since: number;
  count: number;
  lastError: string | null;
}
