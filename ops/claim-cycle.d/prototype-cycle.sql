-- ops/claim-cycle: one cycle of the prototype: a claim of up to 32 (cursor, per-address admission, one lease
-- row), then its results (stored, the addresses' counts lowered, the lease row marked), each its own transaction.
BEGIN;
WITH c AS (SELECT next_id FROM t_cursor WHERE measurement_id = 1 AND family = 'ipv4' FOR UPDATE),
     t AS (SELECT id, address FROM t_tasks WHERE measurement_id = 1 AND family = 'ipv4' AND id >= (SELECT next_id FROM c) ORDER BY id LIMIT 32),
     m AS (UPDATE t_cursor SET next_id = (SELECT max(id) + 1 FROM t) WHERE measurement_id = 1 AND family = 'ipv4'),
     a AS (UPDATE t_address SET leased = leased + 1 WHERE address IN (SELECT address FROM t) AND leased < 4 RETURNING address),
     l AS (INSERT INTO t_leases (session, expires_at, task_ids)
           SELECT 's1', now() + interval '120 s', array_agg(t.id) FROM t JOIN a ON a.address = t.address
           HAVING count(*) > 0 RETURNING id),
     out AS (SELECT t.id, tk.kind, tk.domain, tk.target::text FROM t JOIN a ON a.address = t.address JOIN t_tasks tk ON tk.id = t.id)
SELECT coalesce((SELECT id FROM l), 0) AS lease_id, (SELECT count(*) FROM out) AS leased \gset
COMMIT;
BEGIN;
WITH l AS (SELECT id, task_ids FROM t_leases WHERE id = :lease_id FOR UPDATE),
     u AS (SELECT unnest(task_ids) AS task_id FROM l),
     r AS (INSERT INTO t_results (task_id, measurement_id, attempt, agent_id, observation)
           SELECT u.task_id, 1, 1, 'a1', '{"reach":{"ports":[]}}'::json FROM u ON CONFLICT (task_id) DO NOTHING RETURNING task_id),
     a AS (UPDATE t_address SET leased = leased - 1 WHERE address IN (SELECT t.address FROM t_tasks t JOIN r ON t.id = r.task_id))
UPDATE t_leases SET done = done + (SELECT count(*) FROM r) WHERE id IN (SELECT id FROM l);
COMMIT;
