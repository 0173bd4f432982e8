-- Event index v2: one row per (event, destination), so a delivered event writes one D1 row instead of
-- nine. D1 bills every row written, and each index entry (the implicit PRIMARY KEY index of a rowid
-- table included) is a row: v1's events (PK + 2 indexes), tasks (PK + 1 index) and attempts (+1 index)
-- cost 9 rows for an event delivered on its first attempt. Schema documented in docs/api.md.

-- WITHOUT ROWID: the table is its primary key's B-tree, so an insert is one row written. The key is
-- ordered for the main listing (newest first by received time) and makes every time-bounded query a
-- range scan; an event's tasks are adjacent. An event routed to no destination has one row with
-- destination '' and status 'unrouted'.
CREATE TABLE deliveries (
  received_at INTEGER NOT NULL,
  source      TEXT    NOT NULL,
  event_id    TEXT    NOT NULL,
  destination TEXT    NOT NULL,            -- '' for an event routed to no destination
  event_type  TEXT    NOT NULL,
  occurred_at INTEGER NOT NULL,
  status      TEXT    NOT NULL,            -- pending | delivered | dead | stale | expired | purged | unrouted
  attempts    INTEGER NOT NULL,
  last_status INTEGER,
  last_error  TEXT,
  latency_ms  INTEGER,                     -- of the last attempt
  updated_at  INTEGER NOT NULL,
  PRIMARY KEY (received_at, source, event_id, destination)
) WITHOUT ROWID;

-- Partial index: an entry only while a task is dead, so it costs nothing on the delivered path (and
-- one row when a task dies or leaves the dead set). It keeps the dead-letter list, redrive and purge
-- ordered and filtered by when the task became dead without scanning the whole table.
CREATE INDEX deliveries_dead ON deliveries (updated_at) WHERE status = 'dead';

-- Carry v1's rows over: one per task (event fields from its events row), plus one per event without
-- any task (indexed by indexAccepted: routed nowhere).
INSERT INTO deliveries (received_at, source, event_id, destination, event_type, occurred_at, status, attempts, last_status, last_error, latency_ms, updated_at)
SELECT t.received_at, t.source, t.event_id, t.destination, COALESCE(e.event_type, ''), COALESCE(e.occurred_at, t.received_at),
       t.status, t.attempts, t.last_status, t.last_error, t.latency_ms, t.updated_at
FROM tasks t LEFT JOIN events e ON e.source = t.source AND e.event_id = t.event_id;

INSERT INTO deliveries (received_at, source, event_id, destination, event_type, occurred_at, status, attempts, last_status, last_error, latency_ms, updated_at)
SELECT e.received_at, e.source, e.event_id, '', e.event_type, e.occurred_at, 'unrouted', 0, NULL, NULL, NULL, e.updated_at
FROM events e WHERE NOT EXISTS (SELECT 1 FROM tasks t WHERE t.source = e.source AND t.event_id = e.event_id);

-- Per-attempt rows are gone: the ledger Durable Object keeps each task's attempt log (the source of
-- truth), and Analytics Engine gets one data point per attempt when METRICS is bound.
DROP TABLE attempts;
DROP TABLE tasks;
DROP TABLE events;
