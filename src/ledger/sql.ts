/**
 * Ledger storage schema (v1). One object per event, so the tables are tiny: no secondary indexes
 * (each index row is a billed row write). Documented in docs/storage.md.
 */
export const SCHEMA_VERSION = 1;

/**
 * Payloads up to this size live inline in the event row; larger ones are split into rows of this
 * size (a Durable Object SQLite value holds at most 2 MB), so bodies up to the configured limit
 * flow through the ledger although queue messages are capped at 128 KB.
 */
export const PAYLOAD_CHUNK_BYTES = 1024 * 1024;

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS event (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  source TEXT NOT NULL,
  event_id TEXT NOT NULL,
  event_type TEXT NOT NULL,
  ordering_key TEXT,
  occurred_at INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  redrive_ms INTEGER NOT NULL,
  headers TEXT NOT NULL,
  filtered TEXT NOT NULL DEFAULT '[]',
  payload BLOB NOT NULL,
  payload_bytes INTEGER NOT NULL,
  schema_version INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS payload_chunk (
  seq INTEGER PRIMARY KEY,
  data BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS task (
  id INTEGER PRIMARY KEY,
  destination TEXT NOT NULL,
  webhook_id TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  due_at INTEGER NOT NULL,
  last_status INTEGER,
  last_error TEXT,
  log TEXT NOT NULL DEFAULT '[]'
);`;
