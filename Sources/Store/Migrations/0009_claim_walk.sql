-- Peil schema, version 9: claims that cost the work in flight, not the size of the queue.
-- A claim walks the queued tasks of each address family it may take in (measurement, id) order
-- and stops after a window of candidates, skipping addresses already at their cap; it no longer
-- ranks every queued task. The walk needs the queued tasks ordered within one family, so the
-- queue's index leads with the family (tasks_queued, without it, served the old ranking only).
-- The per-address cap itself needs no table: a claim holds a transaction-scoped advisory lock
-- per address while it counts that address's leased tasks (tasks_leased_address) and leases,
-- so claims on one address are serialised across coordinators and the count is the tasks' own.
CREATE INDEX tasks_queued_family ON tasks (family, measurement_id, id) WHERE state = 'queued';
DROP INDEX tasks_queued;
