-- ops/claim-cycle: one cycle of the leases prototype: the batch prototype's claim of 32 (its own transaction,
-- committed without waiting for the WAL flush), then those 32 results stored a row each (one transaction).
SELECT coalesce(min(lease_id), 0) AS lease_id, 'ARRAY[' || coalesce(string_agg(id::text, ',' ORDER BY id), '') || ']::bigint[]' AS ids
FROM (SELECT set_config('synchronous_commit', 'off', true)) AS commit_without_flush, b_claim('s' || :client_id, 32, 4) \gset
SELECT l_store(:lease_id, 's' || :client_id, :ids, array_fill('{"reach":{"ports":[]}}'::json, ARRAY[cardinality(:ids)]));
