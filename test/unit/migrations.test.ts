/**
 * The event index's data migration, run on SQLite (what D1 is) with v1 rows in it: deployed databases
 * applied 0001 and hold data when 0002 arrives, so 0002 must carry every event over.
 */
import { readFileSync } from "node:fs";
import { DatabaseSync } from "node:sqlite";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const migration = (name: string) => readFileSync(fileURLToPath(new URL(`../../migrations/${name}`, import.meta.url).href), "utf8");

describe("migration 0002 (one row per task)", () => {
  it("carries v1's tasks and task-less events over, drops the v1 tables and keeps replay jobs", () => {
    const db = new DatabaseSync(":memory:");
    db.exec(migration("0001_event_index.sql"));
    const event = db.prepare("INSERT INTO events (source, event_id, event_type, received_at, occurred_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)");
    const task = db.prepare(
      "INSERT INTO tasks (source, event_id, destination, status, attempts, last_status, last_error, latency_ms, received_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    );
    event.run("stripe", "evt_1", "invoice.paid", 1000, 900, 1500);
    task.run("stripe", "evt_1", "billing", "delivered", 1, 200, null, 42, 1000, 1500);
    task.run("stripe", "evt_1", "audit", "dead", 3, 503, "HTTP 503", 7, 1000, 1600);
    event.run("github", "d-2", "push", 2000, 2000, 2000); // routed nowhere: no task
    task.run("shop", "o-3", "orders", "pending", 0, null, null, null, 3000, 3000); // a task whose events row is missing
    db.prepare("INSERT INTO attempts (at, source, destination, ok, status, latency_ms) VALUES (1500, 'stripe', 'billing', 1, 'delivered', 42)").run();
    db.prepare("INSERT INTO replay_jobs (id, filter, state, total, created_at, updated_at) VALUES ('job_1', '{}', 'done', 1, 1, 1)").run();

    db.exec(migration("0002_one_row_per_task.sql"));

    const rows = db.prepare("SELECT * FROM deliveries ORDER BY received_at, source, event_id, destination").all();
    expect(rows).toEqual([
      { received_at: 1000, source: "stripe", event_id: "evt_1", destination: "audit", event_type: "invoice.paid", occurred_at: 900, status: "dead", attempts: 3, last_status: 503, last_error: "HTTP 503", latency_ms: 7, updated_at: 1600 },
      { received_at: 1000, source: "stripe", event_id: "evt_1", destination: "billing", event_type: "invoice.paid", occurred_at: 900, status: "delivered", attempts: 1, last_status: 200, last_error: null, latency_ms: 42, updated_at: 1500 },
      { received_at: 2000, source: "github", event_id: "d-2", destination: "", event_type: "push", occurred_at: 2000, status: "unrouted", attempts: 0, last_status: null, last_error: null, latency_ms: null, updated_at: 2000 },
      { received_at: 3000, source: "shop", event_id: "o-3", destination: "orders", event_type: "", occurred_at: 3000, status: "pending", attempts: 0, last_status: null, last_error: null, latency_ms: null, updated_at: 3000 },
    ]);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all().map((r) => r.name);
    expect(tables).toEqual(["deliveries", "replay_jobs"]);
    expect(db.prepare("SELECT id FROM replay_jobs").all()).toEqual([{ id: "job_1" }]);
    // The dead-letter index holds the dead task only.
    expect(db.prepare("SELECT count(*) AS n FROM deliveries INDEXED BY deliveries_dead WHERE status = 'dead'").get()).toEqual({ n: 1 });
  });
});
