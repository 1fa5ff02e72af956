-- Peil schema, version 23: the task gauges counted from an index.
--
-- The coordinator's task gauges (`PeilStore.taskStateCounts`, every task of the open
-- measurements by measurement, kind and state) read every row of those measurements' tasks:
-- 560 ms of one core at 1,500,000 tasks, again and again while a measurement runs (paced to at
-- most a tenth of a core, `TaskCountPacing`). With the kind in the index by measurement and state,
-- the count is an index-only scan grouped in the index's order: 160 ms for the same tasks, the
-- pages a vacuum has marked all-visible read from the index alone (docs/SCALE.md, "Session 32").
-- The index replaces `tasks_measurement_state`, whose two columns lead it, so every query that
-- used that one can use this one; a task's row versions still make one entry in it each.
CREATE INDEX tasks_measurement_state_kind ON tasks (measurement_id, state, kind);
DROP INDEX tasks_measurement_state;
