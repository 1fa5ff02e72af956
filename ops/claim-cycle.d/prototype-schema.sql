-- ops/claim-cycle: a prototype of a queue whose claims rewrite no task row (not Peil's schema;
-- measured only, docs/SCALE.md "Session 27"). Filled with :tasks queued reach tasks.
DROP TABLE IF EXISTS t_tasks, t_cursor, t_leases, t_results, t_address CASCADE;
CREATE TABLE t_tasks (
    id bigserial PRIMARY KEY, measurement_id bigint NOT NULL, kind text NOT NULL, domain text NOT NULL,
    family text, address text, endpoint_key text, target jsonb);
CREATE UNIQUE INDEX t_tasks_endpoint ON t_tasks (measurement_id, endpoint_key);
-- The queue's order: never changes for a task, so its entries never die.
CREATE INDEX t_tasks_queue ON t_tasks (measurement_id, family, id);
-- A claim's place in each queue: one row per (measurement, family), moved forward by each claim.
CREATE TABLE t_cursor (measurement_id bigint, family text, next_id bigint NOT NULL, PRIMARY KEY (measurement_id, family)) WITH (fillfactor = 20);
-- One row per claim: the tasks it leased, to whom, until when.
CREATE TABLE t_leases (id bigserial PRIMARY KEY, session text NOT NULL, expires_at timestamptz NOT NULL, task_ids bigint[] NOT NULL, done integer NOT NULL DEFAULT 0) WITH (fillfactor = 50);
CREATE INDEX t_leases_expiry ON t_leases (expires_at);
CREATE TABLE t_results (task_id bigint PRIMARY KEY, measurement_id bigint NOT NULL, attempt integer NOT NULL, agent_id text NOT NULL,
                        observation json NOT NULL, recorded_at timestamptz NOT NULL DEFAULT now());
-- Per-address admission: leased count per address (HOT updates: the count is not indexed).
CREATE TABLE t_address (address text PRIMARY KEY, leased integer NOT NULL DEFAULT 0) WITH (fillfactor = 50);
INSERT INTO t_tasks (measurement_id, kind, domain, family, address, endpoint_key, target)
SELECT 1, 'reach', 'h' || n || '.test', 'ipv4', '198.18.' || (n >> 8) % 256 || '.' || n % 256 || '/' || n, 'k' || n,
       jsonb_build_object('address', '198.18.0.1', 'family', 'ipv4', 'host', 'h' || n || '.test')
FROM generate_series(1, :tasks) n;
INSERT INTO t_cursor VALUES (1, 'ipv4', 1);
INSERT INTO t_address SELECT DISTINCT address, 0 FROM t_tasks;
VACUUM ANALYZE t_tasks, t_cursor, t_leases, t_results, t_address;
