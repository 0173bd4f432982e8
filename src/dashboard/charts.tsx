/** Inline SVG charts (no script, no build step): pure functions of the data. */
import type { Bucket } from "../search";

/** Chart geometry. */
const W = 480;
const H = 120;
const PAD = 24;

/** Scale `value` in [0, max] to a y coordinate. */
function y(value: number, max: number): number {
  return H - PAD - (max === 0 ? 0 : (value / max) * (H - 2 * PAD));
}

/** x coordinate of bucket `i` of `n`. */
function x(i: number, n: number): number {
  return PAD + (n <= 1 ? 0 : (i / (n - 1)) * (W - 2 * PAD));
}

/** Attempts per bucket (of the tasks of events received in it) as bars: delivered (green) over failed (red). */
export function ThroughputChart({ buckets }: { buckets: Bucket[] }) {
  const max = Math.max(1, ...buckets.map((b) => b.attempts));
  const bar = (W - 2 * PAD) / Math.max(1, buckets.length);
  return (
    <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label="attempts per hour" class="chart">
      <text x={PAD} y={14} class="axis">max {max}/h</text>
      {buckets.map((b, i) => (
        <g>
          <rect x={PAD + i * bar} y={y(b.attempts, max)} width={Math.max(1, bar - 2)} height={H - PAD - y(b.attempts, max)} class="bar-fail"><title>{`${new Date(b.at).toISOString()}: ${b.attempts} attempts, ${b.delivered} delivered`}</title></rect>
          <rect x={PAD + i * bar} y={y(b.delivered, max)} width={Math.max(1, bar - 2)} height={H - PAD - y(b.delivered, max)} class="bar-ok" />
        </g>
      ))}
      <line x1={PAD} y1={H - PAD} x2={W - PAD} y2={H - PAD} class="axis-line" />
    </svg>
  );
}

/** A polyline over the buckets for a value in [0, max]. */
export function LineChart({ values, max, label, unit }: { values: (number | null)[]; max: number; label: string; unit: string }) {
  const pts = values.map((v, i) => (v === null ? null : ([x(i, values.length), y(v, max)] as const))).filter((p) => p !== null);
  return (
    <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={label} class="chart">
      <text x={PAD} y={14} class="axis">{`${label} (max ${Math.round(max)}${unit})`}</text>
      <polyline points={pts.map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`).join(" ")} class="line" />
      {pts.map(([px, py]) => <circle cx={px.toFixed(1)} cy={py.toFixed(1)} r="2.5" class="dot" />)}
      <line x1={PAD} y1={H - PAD} x2={W - PAD} y2={H - PAD} class="axis-line" />
    </svg>
  );
}

/** `count` consecutive buckets of `bucketMs` starting at `since` (aligned down), empty ones filled in. */
export function fillBuckets(buckets: Bucket[], since: number, bucketMs: number, count: number): Bucket[] {
  const start = Math.floor(since / bucketMs) * bucketMs;
  const byAt = new Map(buckets.map((b) => [b.at, b]));
  return Array.from({ length: count }, (_, i) => byAt.get(start + i * bucketMs) ?? { at: start + i * bucketMs, attempts: 0, delivered: 0, avgLatencyMs: null });
}

/** Success rate per bucket in percent (`null` for empty buckets). */
export function successSeries(buckets: Bucket[]): (number | null)[] {
  return buckets.map((b) => (b.attempts === 0 ? null : (100 * b.delivered) / b.attempts));
}
