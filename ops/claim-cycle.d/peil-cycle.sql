-- ops/claim-cycle: one cycle on Peil's schema: a claim of 32 (its own transaction, committed without waiting for
-- the WAL flush, as PeilStore.claimStatement runs it), then those 32 tasks' results stored as
-- PeilStore.recordReports stores them (one transaction).
SELECT 'ARRAY[' || coalesce(string_agg(id::text, ',' ORDER BY id), '') || ']::bigint[]' AS ids
FROM (SELECT set_config('synchronous_commit', 'off', true)) AS commit_without_flush,
     peil_claim_tasks('a1', 's' || :client_id, 'ipv4', 'ipv6', 32, 120, 4) \gset
BEGIN;
SELECT id FROM tasks WHERE id = ANY(:ids) ORDER BY id FOR UPDATE;
INSERT INTO results (task_id, measurement_id, kind, domain, attempt, agent_id, observation)
SELECT t.id, t.measurement_id, t.kind, t.domain, 1, 'a1', '{"reach":{"ports":[]}}'::json FROM tasks t WHERE t.id = ANY(:ids)
ON CONFLICT (task_id) DO NOTHING;
UPDATE tasks SET state = 'done', leased_by = NULL, lease_expires_at = NULL, finished_at = now(), last_error = NULL WHERE id = ANY(:ids);
COMMIT;
