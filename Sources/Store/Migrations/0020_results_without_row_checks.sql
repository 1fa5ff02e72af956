-- Peil schema, version 20: a result row no longer runs two foreign-key checks.
--
-- `results.task_id` and `results.measurement_id` referenced `tasks` and `measurements`: each
-- result inserted ran two checks, each a query of its own inside PostgreSQL that looks the row
-- up and locks it `FOR KEY SHARE` (session 27's profile of the ingest: foreign-key checks 6.8 %
-- of all samples, an eighth of PostgreSQL's). The store inserts a result only for a task it has
-- just read and locked in the same transaction (`PeilStore.recordReports`), so the checks never
-- refuse anything it writes.
--
-- What the constraints also did, deleting a task's result with its task (and a measurement's
-- with the measurement, whose tasks go with it), a statement trigger on `tasks` now does: once
-- per `DELETE` of tasks, however many rows, cascaded ones included.
ALTER TABLE results DROP CONSTRAINT results_task_id_fkey, DROP CONSTRAINT results_measurement_id_fkey;

CREATE FUNCTION peil_delete_results_of_deleted_tasks() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM results r USING deleted_tasks d WHERE r.task_id = d.id;
    RETURN NULL;
END
$$;

CREATE TRIGGER tasks_deleted_take_their_results AFTER DELETE ON tasks
    REFERENCING OLD TABLE AS deleted_tasks FOR EACH STATEMENT
    EXECUTE FUNCTION peil_delete_results_of_deleted_tasks();
