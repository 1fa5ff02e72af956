-- ops/claim-cycle: the batch prototype's queue (batch-schema.sql: a cursor per queue, a lease row
-- per claim, the cap counted from the open leases) with its results a row per task, as Peil's
-- `results` are, instead of a row per batch (not Peil's schema; measured only, docs/SCALE.md
-- "Session 36"). Task rows are never rewritten. Run after batch-schema.sql, on its tables.
DROP TABLE IF EXISTS l_results CASCADE;
CREATE TABLE l_results (task_id bigint PRIMARY KEY, measurement_id bigint NOT NULL, domain text NOT NULL, attempt integer NOT NULL,
                        agent_id text NOT NULL, observation json NOT NULL, recorded_at timestamptz NOT NULL DEFAULT now());
CREATE INDEX l_results_measurement ON l_results (measurement_id);

-- A batch of results on one lease: each stored as its own row, only for the tasks still pending
-- on the lease (its row locked), which are then taken off it (so each task is stored once).
CREATE OR REPLACE FUNCTION l_store(p_lease bigint, p_session text, p_ids bigint[], p_observations json[])
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE v_pending bigint[]; v_addresses text[]; v_stored integer;
BEGIN
    SELECT pending_ids, pending_addresses INTO v_pending, v_addresses FROM b_leases WHERE id = p_lease AND session = p_session FOR UPDATE;
    IF v_pending IS NULL THEN RETURN 0; END IF;
    INSERT INTO l_results (task_id, measurement_id, domain, attempt, agent_id, observation)
    SELECT t.id, t.measurement_id, t.domain, 1, 'a1', x.o
    FROM unnest(p_ids, p_observations) AS x(i, o) JOIN b_tasks t ON t.id = x.i
    WHERE x.i = ANY(v_pending);
    GET DIAGNOSTICS v_stored = ROW_COUNT;
    UPDATE b_leases SET pending_ids = coalesce((SELECT array_agg(p ORDER BY n) FROM unnest(v_pending, v_addresses) WITH ORDINALITY AS y(p, a, n) WHERE p <> ALL(p_ids)), '{}'),
                        pending_addresses = coalesce((SELECT array_agg(a ORDER BY n) FROM unnest(v_pending, v_addresses) WITH ORDINALITY AS y(p, a, n) WHERE p <> ALL(p_ids)), '{}')
    WHERE id = p_lease;
    RETURN v_stored;
END $$;
ANALYZE l_results;
