/**
 * A minimal destination for benchmarks: 200 for every POST, counted per first path segment, with
 * end-to-end latency from the body's `bench_sent_at` and repeats by `webhook-id`.
 */
import { createServer } from "node:http";

/** Start the sink; resolves `{ url, stats(name), reset(), close() }`. */
export function startBenchSink() {
  const byName = new Map();
  const stat = (name) => {
    let s = byName.get(name);
    if (!s) byName.set(name, (s = { count: 0, ids: new Map(), latencies: [] }));
    return s;
  };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const now = Date.now();
      const name = (req.url ?? "/").split("/")[1] ?? "";
      const s = stat(name);
      s.count++;
      const id = String(req.headers["webhook-id"] ?? "");
      s.ids.set(id, (s.ids.get(id) ?? 0) + 1);
      try {
        const sentAt = JSON.parse(Buffer.concat(chunks).toString("utf8")).bench_sent_at;
        if (typeof sentAt === "number") s.latencies.push(now - sentAt);
      } catch {
        // not an event body
      }
      res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
    });
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      resolve({
        url: `http://127.0.0.1:${port}`,
        stats: stat,
        reset: (name) => byName.delete(name),
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}

/** The q-th percentile (0..100) of a list of numbers. */
export function percentile(values, q) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((q / 100) * sorted.length) - 1))];
}
