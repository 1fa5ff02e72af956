-- Peil schema, version 25: a task's completion writes no index entry but its primary key's, its
-- lease one besides the primary key's.
--
-- Every state change of a task is a new row version that is not heap-only (`state` is in the
-- queue's and the leases' index predicates), so it takes an entry in every index of `tasks`
-- whose predicate the new version meets. `tasks_measurement_state_kind` (migration 23, for the
-- task gauges) had no predicate: a lease made three entries (primary key, leased address, it)
-- and a completion two (primary key, it). Five entries per task in the ingest's hot path; session
-- 31 measured 6-8 µs of PostgreSQL's CPU an entry (docs/SCALE.md, "Session 39").
--
-- Now a task of a measurement is found, and counted, by where its state puts it:
-- * done: its row in `results` (a task is done exactly when it has one: the completion and the
--   result are one statement, and a done task never changes again). `results` gains the task's
--   kind (written once, with the result) and its index by measurement becomes one by
--   measurement and kind, so a results row still makes two index entries;
-- * queued or not testable: `tasks_queued_or_not_testable`, by measurement, kind and state
--   (an entry when a task is queued, requeued or ends untestable, none when leased or done);
-- * leased: `tasks_leased_address`, which now carries the measurement and kind (INCLUDE), so the
--   leases in flight are counted by measurement from it alone.
-- `peil_measurement_task_ids` gives a measurement's task ids of some kinds from the three, in one
-- snapshot; the readers that listed a measurement's tasks by the old index go through it.
--
-- A measurement's deletion (schedules prune old ones) now finds its tasks without an index on
-- `measurement_id` (a scan of `tasks`): deletions are rare, the ingest is not.
ALTER TABLE results ADD COLUMN kind text;
UPDATE results r SET kind = t.kind FROM tasks t WHERE t.id = r.task_id;
ALTER TABLE results ALTER COLUMN kind SET NOT NULL;
CREATE INDEX results_measurement_kind ON results (measurement_id, kind);
DROP INDEX results_measurement;

CREATE INDEX tasks_queued_or_not_testable ON tasks (measurement_id, kind, state)
    WHERE state IN ('queued', 'not_testable');
DROP INDEX tasks_leased_address;
CREATE INDEX tasks_leased_address ON tasks (address) INCLUDE (measurement_id, kind) WHERE state = 'leased';
DROP INDEX tasks_measurement_state_kind;

-- The ids of the measurement's tasks whose kind is in `p_kinds`, in every state, each once.
CREATE FUNCTION peil_measurement_task_ids(p_measurement bigint, p_kinds text[]) RETURNS SETOF bigint
LANGUAGE sql STABLE AS $$
    SELECT task_id FROM results WHERE measurement_id = p_measurement AND kind = ANY(p_kinds)
    UNION ALL
    SELECT id FROM tasks
    WHERE measurement_id = p_measurement AND kind = ANY(p_kinds) AND state IN ('queued', 'not_testable')
    UNION ALL
    SELECT id FROM tasks WHERE state = 'leased' AND measurement_id = p_measurement AND kind = ANY(p_kinds)
$$;
