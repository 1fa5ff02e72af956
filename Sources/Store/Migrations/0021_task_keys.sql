-- Peil schema, version 21: a task's key is written once, in a table of its own, not again in a
-- unique index of `tasks` at every change of the task's state.
--
-- `tasks_endpoint_unique` (measurement, endpoint key: one connect task per endpoint) and
-- `tasks_domain_unique` (measurement, kind, domain) were unique indexes of `tasks`. Every state
-- change of a task is a new row version (`state` is in the queue's and the leases' index
-- predicates), so each lease and each completion put a new entry in one of them, checked for
-- uniqueness against the task's own older versions. Dropping both took 12-17 µs of PostgreSQL's
-- CPU off every tiny result in the ingest bench (docs/SCALE.md, "Session 31").
--
-- What they did:
-- * A connect task is made once per endpoint of a measurement, however many domains plan it
--   (`PeilStore.queueConnectTasks`: `ON CONFLICT` on the endpoint index). Now its key goes into
--   `task_keys` first (`ON CONFLICT DO NOTHING`, which waits for a concurrent insert of the same
--   key as the index did) with the task's id taken from the tasks' sequence, and only the keys
--   that went in become tasks. The domains' links find the task through `task_keys`.
-- * A domain's task of a kind was made once per measurement. Resolve tasks are queued by one
--   statement per measurement (`PeilStore.queueResolveTasks`, one row per domain, grouped by
--   domain), when the measurement is made; nothing else queues them.
--
-- A measurement's keys go with it (the foreign key below; a key is written once, so its check
-- costs the queueing, not the ingest), and with the tasks deleted on their own (the trigger).
CREATE TABLE task_keys (
    measurement_id  bigint NOT NULL REFERENCES measurements (id) ON DELETE CASCADE,
    endpoint_key    text NOT NULL,
    task_id         bigint NOT NULL,
    PRIMARY KEY (measurement_id, endpoint_key)
);

INSERT INTO task_keys (measurement_id, endpoint_key, task_id)
SELECT measurement_id, endpoint_key, id FROM tasks WHERE endpoint_key IS NOT NULL;

DROP INDEX tasks_endpoint_unique;
DROP INDEX tasks_domain_unique;

CREATE FUNCTION peil_delete_keys_of_deleted_tasks() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM task_keys k USING deleted_tasks d
    WHERE k.measurement_id = d.measurement_id AND k.endpoint_key = d.endpoint_key AND k.task_id = d.id;
    RETURN NULL;
END
$$;

CREATE TRIGGER tasks_deleted_take_their_keys AFTER DELETE ON tasks
    REFERENCING OLD TABLE AS deleted_tasks FOR EACH STATEMENT
    EXECUTE FUNCTION peil_delete_keys_of_deleted_tasks();
