-- Peil schema, version 16: a claim planned once per connection, and its lease count by address.
--
-- Measured in session 25 (docs/SCALE.md, "Session 25"), migration 11's function spent, per
-- claim of about 31 tasks: 0.49 ms planning its first statement afresh on every call (a
-- custom plan: the generic one was estimated dear, each walk's `LIMIT` unknown), 0.86 ms
-- running it, and 1.49 ms in its second statement, whose count of the candidates' leases
-- (`address IN (SELECT address FROM candidate)`) was planned as a semi join that read every
-- entry of `tasks_leased_address` and compared each with every candidate.
--
-- Now:
-- - The addresses in flight are counted first, into arrays (`v_busy`, `v_busy_leased`, and
--   `v_full` for those at their cap); the walk leaves out `address NOT IN (SELECT
--   unnest(v_full))` (a hashed subplan) and ranks against the arrays (a hash join). Both hash
--   tables are built from the arrays, which the planner does not size by the queue (migration
--   11's were built from the leases' count, which a generic plan estimates from the table), so
--   the function's statements use generic plans (`plan_cache_mode = force_generic_plan`),
--   planned once per connection. The earlier statement with a forced generic plan took 39 ms
--   (p50) at 6.3 million queued tasks (SCALE.md, "Tried and not kept"); this one 2.4 ms.
-- - The second statement counts with `address = ANY(v_addresses)`, an index condition: the
--   entries of the candidates' addresses only.
-- Walk, window, cap, locks and lease are as in migration 11 (docs/SCALE.md, "Claims").
CREATE OR REPLACE FUNCTION peil_claim_tasks(p_agent text, p_session text, p_ipv4 text, p_ipv6 text, p_limit integer,
                                            p_lease_seconds float8, p_per_address integer)
RETURNS TABLE (id bigint, attempt integer, contact_lost integer, measurement_id bigint, kind text, domain text,
               web_host text, family text, target text)
LANGUAGE plpgsql VOLATILE SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
DECLARE
    v_window integer := greatest(2 * p_limit, p_limit + 16);
    v_busy text[];
    v_busy_leased integer[];
    v_full text[];
    v_ids bigint[];
    v_addresses text[];
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'a claim needs READ COMMITTED (a fresh snapshot per statement), not %',
            current_setting('transaction_isolation');
    END IF;
    IF p_limit <= 0 THEN RETURN; END IF;

    -- (1a) The addresses with tasks in flight, how many each has, and those at their cap.
    SELECT coalesce(array_agg(address), '{}'), coalesce(array_agg(leased), '{}'),
           coalesce(array_agg(address) FILTER (WHERE leased >= p_per_address), '{}')
    INTO v_busy, v_busy_leased, v_full
    FROM (SELECT address, count(*)::integer AS leased FROM tasks
          WHERE state = 'leased' AND address IS NOT NULL GROUP BY address) AS busy;

    -- (1b) Walk, lock, choose: a window of each family's queue in claim order past the
    -- addresses at their cap, row-locked SKIP LOCKED; the first p_limit that fit, each with the
    -- transaction-scoped lock of its address (taken or skipped, never waited for).
    WITH v4 AS (
        SELECT id, measurement_id, address FROM tasks
        WHERE state = 'queued' AND family = p_ipv4 AND (address IS NULL OR address NOT IN (SELECT unnest(v_full)))
        ORDER BY measurement_id, id LIMIT v_window
        FOR UPDATE SKIP LOCKED
    ), v6 AS (
        SELECT id, measurement_id, address FROM tasks
        WHERE state = 'queued' AND family = p_ipv6 AND (address IS NULL OR address NOT IN (SELECT unnest(v_full)))
        ORDER BY measurement_id, id LIMIT v_window
        FOR UPDATE SKIP LOCKED
    ), any_family AS (
        SELECT id, measurement_id, address FROM tasks
        WHERE state = 'queued' AND family IS NULL AND (address IS NULL OR address NOT IN (SELECT unnest(v_full)))
        ORDER BY measurement_id, id LIMIT v_window
        FOR UPDATE SKIP LOCKED
    ), walk AS (
        SELECT * FROM v4 UNION ALL SELECT * FROM v6 UNION ALL SELECT * FROM any_family
    ), chosen AS MATERIALIZED (
        SELECT id, measurement_id, address FROM (
            SELECT w.id, w.measurement_id, w.address, COALESCE(b.leased, 0) AS leased,
                   row_number() OVER (PARTITION BY w.address ORDER BY w.measurement_id, w.id) AS rank
            FROM walk w LEFT JOIN unnest(v_busy, v_busy_leased) AS b(address, leased) ON b.address = w.address
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
    -- held: the leased tasks of the locked addresses are counted as they are (looked up by
    -- address), and the chosen tasks admitted up to the cap.
    RETURN QUERY
    WITH candidate AS (
        SELECT * FROM unnest(v_ids, v_addresses) WITH ORDINALITY AS c(id, address, position)
    ), busy AS (
        SELECT address, count(*) AS leased FROM tasks
        WHERE state = 'leased' AND address = ANY(v_addresses) GROUP BY address
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
