-- Event index (D1): search and stats over what the ledgers hold. The ledger Durable Objects stay the
-- source of truth; these rows are written in batches by the delivery consumer and the admin API.
-- Schema documented in docs/api.md ("Event index").

-- One row per accepted event that has been attempted at least once (or replayed).
CREATE TABLE events (
  source      TEXT    NOT NULL,
  event_id    TEXT    NOT NULL,
  event_type  TEXT    NOT NULL,
  received_at INTEGER NOT NULL,
  occurred_at INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  PRIMARY KEY (source, event_id)
);
CREATE INDEX events_received ON events (received_at DESC, source, event_id);
CREATE INDEX events_type ON events (event_type, received_at DESC);

-- One row per (event, destination): the task's latest state.
CREATE TABLE tasks (
  source      TEXT    NOT NULL,
  event_id    TEXT    NOT NULL,
  destination TEXT    NOT NULL,
  status      TEXT    NOT NULL,            -- pending | delivered | dead | expired
  attempts    INTEGER NOT NULL,
  last_status INTEGER,
  last_error  TEXT,
  latency_ms  INTEGER,
  received_at INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  PRIMARY KEY (source, event_id, destination)
);
CREATE INDEX tasks_status ON tasks (status, destination, updated_at DESC);

-- One row per attempt: throughput, success rate and latency percentiles.
CREATE TABLE attempts (
  at          INTEGER NOT NULL,
  source      TEXT    NOT NULL,
  destination TEXT    NOT NULL,
  ok          INTEGER NOT NULL,            -- 1 when the task ended delivered by this attempt
  status      TEXT    NOT NULL,
  latency_ms  INTEGER
);
CREATE INDEX attempts_at ON attempts (at);

-- Bulk replay jobs and their progress.
CREATE TABLE replay_jobs (
  id              TEXT    PRIMARY KEY,
  idempotency_key TEXT    UNIQUE,
  filter          TEXT    NOT NULL,        -- JSON: { destination?, source?, since?, until? }
  state           TEXT    NOT NULL,        -- running | done | failed
  total           INTEGER NOT NULL,
  done            INTEGER NOT NULL DEFAULT 0,
  replayed        INTEGER NOT NULL DEFAULT 0,
  skipped         INTEGER NOT NULL DEFAULT 0,
  error           TEXT,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL
);
