-- ops/claim-cycle: the leases prototype (leases-schema.sql) with a narrow row of state per task
-- besides the task's own row, rewritten at the claim (leased, the attempt, the session, the
-- expiry) and at the result (done), as Peil's `tasks.state` is now (not Peil's schema; measured
-- only, docs/SCALE.md "Session 36"). No index names a column that changes, so both rewrites can
-- be heap-only (HOT) updates: no index entry per rewrite. Run after leases-schema.sql.
DROP TABLE IF EXISTS s_states CASCADE;
CREATE TABLE s_states (task_id bigint PRIMARY KEY, state text NOT NULL DEFAULT 'queued', attempt integer NOT NULL DEFAULT 0,
                       lease_session text, lease_expires_at timestamptz, finished_at timestamptz);
INSERT INTO s_states (task_id) SELECT id FROM b_tasks;

-- The claim: b_claim's, and its tasks' state rows marked leased in the same transaction.
CREATE OR REPLACE FUNCTION s_claim(p_session text, p_limit integer, p_cap integer)
RETURNS TABLE (lease_id bigint, id bigint, kind text, domain text, target text)
LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY
    WITH claimed AS MATERIALIZED (SELECT * FROM b_claim(p_session, p_limit, p_cap)),
         marked AS (UPDATE s_states s SET state = 'leased', attempt = s.attempt + 1, lease_session = p_session,
                                          lease_expires_at = now() + interval '120 s'
                    FROM claimed c WHERE s.task_id = c.id)
    SELECT * FROM claimed;
END $$;

-- A batch of results: l_store's, and the stored tasks' state rows marked done.
CREATE OR REPLACE FUNCTION s_store(p_lease bigint, p_session text, p_ids bigint[], p_observations json[])
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE v_stored integer;
BEGIN
    v_stored := l_store(p_lease, p_session, p_ids, p_observations);
    UPDATE s_states SET state = 'done', lease_session = NULL, lease_expires_at = NULL, finished_at = now()
    WHERE task_id = ANY(p_ids) AND state = 'leased' AND lease_session = p_session;
    RETURN v_stored;
END $$;
VACUUM ANALYZE s_states;
