-- ops/claim-cycle: a prototype of a queue that writes no row per task (not Peil's schema; measured
-- only, docs/SCALE.md "Session 29"). Tasks are never rewritten: a claim moves a cursor and writes
-- one lease row (its tasks' ids, and their ids and addresses still pending), the per-address cap
-- is counted from the open leases' pending addresses, and a batch of results is one row, taken
-- off its lease's pending tasks under the lease row's lock (so each task is stored once). Left
-- out: expiry and requeue of open leases, attempts beyond the first, deferred tasks taken back,
-- progress counts, and reading results in domain order. Filled with :tasks queued reach tasks.
DROP TABLE IF EXISTS b_tasks, b_cursor, b_leases, b_result_batches, b_deferred CASCADE;
CREATE TABLE b_tasks (
    id bigserial PRIMARY KEY, measurement_id bigint NOT NULL, kind text NOT NULL, domain text NOT NULL,
    family text, address text, endpoint_key text, target jsonb);
CREATE UNIQUE INDEX b_tasks_endpoint ON b_tasks (measurement_id, endpoint_key);
CREATE INDEX b_tasks_queue ON b_tasks (measurement_id, family, id);
CREATE TABLE b_cursor (measurement_id bigint, family text, next_id bigint NOT NULL, PRIMARY KEY (measurement_id, family)) WITH (fillfactor = 20);
CREATE TABLE b_deferred (measurement_id bigint, family text, task_id bigint, PRIMARY KEY (measurement_id, family, task_id));
CREATE TABLE b_leases (id bigserial PRIMARY KEY, session text NOT NULL, expires_at timestamptz NOT NULL,
                       task_ids bigint[] NOT NULL, attempts integer[] NOT NULL,
                       pending_ids bigint[] NOT NULL, pending_addresses text[] NOT NULL) WITH (fillfactor = 50);
CREATE INDEX b_leases_open ON b_leases (expires_at) WHERE pending_ids <> '{}';
CREATE TABLE b_result_batches (id bigserial PRIMARY KEY, lease_id bigint NOT NULL, agent_id text NOT NULL,
                               task_ids bigint[] NOT NULL, attempts integer[] NOT NULL, observations json[] NOT NULL,
                               recorded_at timestamptz NOT NULL DEFAULT now());
INSERT INTO b_tasks (measurement_id, kind, domain, family, address, endpoint_key, target)
SELECT 1, 'reach', 'h' || n || '.test', 'ipv4', '198.18.' || (n >> 8) % 256 || '.' || n % 256 || '/' || n, 'k' || n,
       jsonb_build_object('address', '198.18.0.1', 'family', 'ipv4', 'host', 'h' || n || '.test')
FROM generate_series(1, :tasks) n;
INSERT INTO b_cursor VALUES (1, 'ipv4', 1);
VACUUM ANALYZE b_tasks, b_cursor, b_leases, b_result_batches, b_deferred;

-- The claim: cursor row locked (one claimer of a queue at a time), the addresses in flight
-- counted from the open leases, a window walked from the cursor, the first :limit within the cap
-- (each with its address's transaction lock), the rest of the window deferred, one lease row.
CREATE OR REPLACE FUNCTION b_claim(p_session text, p_limit integer, p_cap integer)
RETURNS TABLE (lease_id bigint, id bigint, kind text, domain text, target text)
LANGUAGE plpgsql SET enable_seqscan = off SET enable_bitmapscan = off SET jit = off AS $$
DECLARE
    v_next bigint; v_ids bigint[]; v_addresses text[]; v_last bigint; v_lease bigint;
BEGIN
    SELECT next_id INTO v_next FROM b_cursor WHERE measurement_id = 1 AND family = 'ipv4' FOR UPDATE;
    WITH busy AS (
        SELECT a AS address, count(*)::integer AS leased FROM b_leases l, unnest(l.pending_addresses) a
        WHERE l.pending_ids <> '{}' GROUP BY a
    ), walk AS (
        SELECT t.id, t.address FROM b_tasks t WHERE t.measurement_id = 1 AND t.family = 'ipv4' AND t.id >= v_next
        ORDER BY t.id LIMIT p_limit + 16
    ), ranked AS (
        SELECT w.id, w.address, coalesce(b.leased, 0) + row_number() OVER (PARTITION BY w.address ORDER BY w.id) AS n
        FROM walk w LEFT JOIN busy b ON b.address = w.address
    ), chosen AS MATERIALIZED (
        SELECT r.id, r.address FROM ranked r WHERE r.n <= p_cap AND pg_try_advisory_xact_lock(1346718028, hashtext(r.address))
        ORDER BY r.id LIMIT p_limit
    )
    SELECT array_agg(c.id ORDER BY c.id), array_agg(c.address ORDER BY c.id), max(c.id) INTO v_ids, v_addresses, v_last FROM chosen c;
    IF v_ids IS NULL THEN RETURN; END IF;
    -- what the walk passed over below the last chosen task waits in b_deferred
    INSERT INTO b_deferred SELECT 1, 'ipv4', t.id FROM b_tasks t
    WHERE t.measurement_id = 1 AND t.family = 'ipv4' AND t.id >= v_next AND t.id < v_last AND t.id <> ALL(v_ids);
    UPDATE b_cursor SET next_id = v_last + 1 WHERE measurement_id = 1 AND family = 'ipv4';
    INSERT INTO b_leases (session, expires_at, task_ids, attempts, pending_ids, pending_addresses)
    VALUES (p_session, now() + interval '120 s', v_ids, array_fill(1, ARRAY[cardinality(v_ids)]), v_ids, v_addresses)
    RETURNING b_leases.id INTO v_lease;
    RETURN QUERY SELECT v_lease, t.id, t.kind, t.domain, t.target::text FROM b_tasks t WHERE t.id = ANY(v_ids);
END $$;

-- A batch of results on one lease: refused unless each is pending on it (the lease row locked),
-- stored as one row, taken off the lease's pending tasks.
CREATE OR REPLACE FUNCTION b_store(p_lease bigint, p_session text, p_ids bigint[], p_observations json[])
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE v_pending bigint[]; v_addresses text[]; v_take bigint[]; v_obs json[];
BEGIN
    SELECT pending_ids, pending_addresses INTO v_pending, v_addresses FROM b_leases WHERE id = p_lease AND session = p_session FOR UPDATE;
    IF v_pending IS NULL THEN RETURN 0; END IF;
    SELECT array_agg(i ORDER BY n), array_agg(o ORDER BY n) INTO v_take, v_obs
    FROM unnest(p_ids, p_observations) WITH ORDINALITY AS x(i, o, n) WHERE i = ANY(v_pending);
    IF v_take IS NULL THEN RETURN 0; END IF;
    INSERT INTO b_result_batches (lease_id, agent_id, task_ids, attempts, observations)
    VALUES (p_lease, 'a1', v_take, array_fill(1, ARRAY[cardinality(v_take)]), v_obs);
    UPDATE b_leases SET pending_ids = coalesce((SELECT array_agg(p ORDER BY n) FROM unnest(v_pending, v_addresses) WITH ORDINALITY AS y(p, a, n) WHERE p <> ALL(v_take)), '{}'),
                        pending_addresses = coalesce((SELECT array_agg(a ORDER BY n) FROM unnest(v_pending, v_addresses) WITH ORDINALITY AS y(p, a, n) WHERE p <> ALL(v_take)), '{}')
    WHERE id = p_lease;
    RETURN cardinality(v_take);
END $$;
