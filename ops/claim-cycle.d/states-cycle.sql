-- ops/claim-cycle: one cycle of the states prototype: a claim of 32 that also marks its tasks' state rows
-- (committed without waiting for the WAL flush), then those 32 results stored a row each and their
-- state rows marked done (one transaction).
SELECT coalesce(min(lease_id), 0) AS lease_id, 'ARRAY[' || coalesce(string_agg(id::text, ',' ORDER BY id), '') || ']::bigint[]' AS ids
FROM (SELECT set_config('synchronous_commit', 'off', true)) AS commit_without_flush, s_claim('s' || :client_id, 32, 4) \gset
SELECT s_store(:lease_id, 's' || :client_id, :ids, array_fill('{"reach":{"ports":[]}}'::json, ARRAY[cardinality(:ids)]));
