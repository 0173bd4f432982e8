-- Backlog reading (src/search/backlog.ts: pending count and oldest pending task, for the
-- backlog.stalled alert and the backlog gauges). Partial, like deliveries_dead: an entry only while a
-- task is pending in the index (a task that was attempted and is waiting for a retry), so the
-- delivered-on-first-attempt path writes no extra row, and the reading scans the pending set only,
-- never the whole table.
CREATE INDEX deliveries_pending ON deliveries (received_at) WHERE status = 'pending';
