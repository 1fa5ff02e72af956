-- Peil schema, version 11: leases held by agent sessions, a claim in one round trip, and the
-- queue of tasks without a family in claim order.

-- A lease is held by one agent session (a random id the coordinator makes at HELLO), not by the
-- agent's name: two sessions of one agent (a reconnect to another coordinator, a second process
-- with the same key) never take each other's results or release each other's leases.
-- `leased_by` keeps the agent's name for display and last_error. Like leased_by, lease_session
-- only means something while state = 'leased' (a claim sets both; an ended lease may keep its
-- last session). Leases from before this migration have none: they expire.
ALTER TABLE tasks ADD COLUMN lease_session text;

-- The claim's walk over the tasks without a family (resolve tasks): `family IS NULL` is no
-- equality for tasks_queued_family, so that walk sorted every queued resolve task. This index
-- gives it the claim order the other walks have.
CREATE INDEX tasks_queued_unfamilied ON tasks (measurement_id, id) WHERE state = 'queued' AND family IS NULL;

-- A claim (PeilStore.claimTasks, docs/SCALE.md "Claims") as one function, so that it is one
-- round trip (one statement, in its own transaction) instead of BEGIN, two statements, COMMIT.
-- It must stay VOLATILE and run under READ COMMITTED: then each statement in it takes a fresh
-- snapshot, so the second one sees every lease committed by an earlier holder of the address
-- locks the first one took (the cap argument of docs/SCALE.md). It refuses any other isolation.
CREATE FUNCTION peil_claim_tasks(p_agent text, p_session text, p_ipv4 text, p_ipv6 text, p_limit integer,
                                 p_lease_seconds float8, p_per_address integer)
RETURNS TABLE (id bigint, attempt integer, contact_lost integer, measurement_id bigint, kind text, domain text,
               web_host text, family text, target text)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
    v_window integer := greatest(2 * p_limit, p_limit + 16);
    v_ids bigint[];
    v_addresses text[];
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'a claim needs READ COMMITTED (a fresh snapshot per statement), not %',
            current_setting('transaction_isolation');
    END IF;
    IF p_limit <= 0 THEN RETURN; END IF;

    -- (1) Walk, lock, choose: a window of each family's queue in claim order past the
    -- addresses at their cap, row-locked SKIP LOCKED; the first p_limit that fit, each with the
    -- transaction-scoped lock of its address (taken or skipped, never waited for).
    WITH busy AS MATERIALIZED (
        SELECT address, count(*)::integer AS leased FROM tasks
        WHERE state = 'leased' AND address IS NOT NULL GROUP BY address
    ), full_addresses AS MATERIALIZED (
        SELECT address FROM busy WHERE leased >= p_per_address
    ), v4 AS (
        SELECT id, measurement_id, address FROM tasks
        WHERE state = 'queued' AND family = p_ipv4
          AND (address IS NULL OR address NOT IN (SELECT address FROM full_addresses))
        ORDER BY measurement_id, id LIMIT v_window
        FOR UPDATE SKIP LOCKED
    ), v6 AS (
        SELECT id, measurement_id, address FROM tasks
        WHERE state = 'queued' AND family = p_ipv6
          AND (address IS NULL OR address NOT IN (SELECT address FROM full_addresses))
        ORDER BY measurement_id, id LIMIT v_window
        FOR UPDATE SKIP LOCKED
    ), any_family AS (
        SELECT id, measurement_id, address FROM tasks
        WHERE state = 'queued' AND family IS NULL
          AND (address IS NULL OR address NOT IN (SELECT address FROM full_addresses))
        ORDER BY measurement_id, id LIMIT v_window
        FOR UPDATE SKIP LOCKED
    ), walk AS (
        SELECT * FROM v4 UNION ALL SELECT * FROM v6 UNION ALL SELECT * FROM any_family
    ), chosen AS MATERIALIZED (
        SELECT id, measurement_id, address FROM (
            SELECT w.id, w.measurement_id, w.address, COALESCE(b.leased, 0) AS leased,
                   row_number() OVER (PARTITION BY w.address ORDER BY w.measurement_id, w.id) AS rank
            FROM walk w LEFT JOIN busy b ON b.address = w.address
        ) AS ranked
        WHERE address IS NULL OR leased + rank <= p_per_address
        ORDER BY measurement_id, id LIMIT p_limit
    ), locked AS MATERIALIZED (
        SELECT id, measurement_id, address,
               -- 1346718028 = 0x5045494C, "PEIL": the namespace of the address locks.
               address IS NULL OR pg_try_advisory_xact_lock(1346718028, hashtext(address)) AS locked
        FROM chosen
    )
    SELECT array_agg(l.id ORDER BY l.measurement_id, l.id), array_agg(l.address ORDER BY l.measurement_id, l.id)
    INTO v_ids, v_addresses
    FROM locked l WHERE l.locked;

    IF v_ids IS NULL THEN RETURN; END IF;

    -- (2) Count, admit, lease: a new statement, so a new snapshot, taken after the locks were
    -- held: the leased tasks of the locked addresses are counted as they are, and the chosen
    -- tasks admitted up to the cap.
    RETURN QUERY
    WITH candidate AS (
        SELECT * FROM unnest(v_ids, v_addresses) WITH ORDINALITY AS c(id, address, position)
    ), busy AS (
        SELECT address, count(*) AS leased FROM tasks
        WHERE state = 'leased' AND address IN (SELECT address FROM candidate) GROUP BY address
    ), admitted AS (
        SELECT id FROM (
            SELECT c.id, c.position, c.address, COALESCE(b.leased, 0) AS leased,
                   row_number() OVER (PARTITION BY c.address ORDER BY c.position) AS rank
            FROM candidate c LEFT JOIN busy b ON b.address = c.address
        ) AS ranked
        WHERE address IS NULL OR leased + rank <= p_per_address
    ), leased AS (
        UPDATE tasks t
        SET state = 'leased', attempt = t.attempt + 1, leased_by = p_agent, lease_session = p_session,
            lease_expires_at = now() + make_interval(secs => p_lease_seconds)
        FROM admitted WHERE t.id = admitted.id AND t.state = 'queued'
        RETURNING t.id, t.attempt, t.contact_lost, t.measurement_id, t.kind, t.domain, t.web_host, t.family, t.target::text AS target
    )
    SELECT * FROM leased;
END
$$;
