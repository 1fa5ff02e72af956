-- Peil schema, version 24: a claim counts the leases in flight only when it has to.
--
-- Every claim began by counting every lease in flight by address (step 1a: which addresses
-- are at their cap, and how busy the others are), 2.3-2.6 ms of a claim of 256 at 2,048 in
-- flight (docs/SCALE.md, "Session 33"), although most windows hold no address near its cap.
-- The count it needs for the cap to stay exact is step 2's: the chosen addresses' leases,
-- counted under their advisory locks. Now a claim walks without the first count (every
-- address taken as free, ranked within the window only), and step 2 admits and leases as
-- before. Only when step 2 turned a candidate away at its address's cap does the claim go on:
-- it claims the rest of its limit in the same transaction the way migration 18 claimed,
-- counting every lease in flight first, its walk passing the addresses at their cap. After that the
-- connection counts first for a second (a session setting, `peil.claim_counted_until`), as a
-- queue whose head is one address's backlog keeps turning candidates away. The walk's marks,
-- window, locks and lease are as in migration 18.
CREATE OR REPLACE FUNCTION peil_claim_tasks(p_agent text, p_session text, p_ipv4 text, p_ipv6 text, p_limit integer,
                                            p_lease_seconds float8, p_per_address integer)
RETURNS TABLE (id bigint, attempt integer, contact_lost integer, measurement_id bigint, kind text, domain text,
               web_host text, family text, target text)
LANGUAGE plpgsql VOLATILE SET plan_cache_mode = force_generic_plan SET jit = off SET enable_bitmapscan = off AS $$
#variable_conflict use_column
DECLARE
    v_window integer := greatest(2 * p_limit, p_limit + 16);
    v_busy text[];
    v_busy_leased integer[];
    v_full text[];
    v_ids bigint[];
    v_addresses text[];
    -- The walk's marks, a session setting: per queue (IPv4, IPv6, no family) the (measurement,
    -- id) its last walk started at and whether that walk found fewer tasks than its window
    -- (1: the next walk of that queue starts at the head), then when this connection last
    -- walked every queue from the head (epoch seconds).
    v_mark text[] := string_to_array(coalesce(current_setting('peil.claim_walk', true), ''), ',');
    v_now float8 := extract(epoch FROM clock_timestamp());
    v_all_from_head boolean;
    v_m4 bigint := 0; v_i4 bigint := 0; v_m6 bigint := 0; v_i6 bigint := 0; v_mn bigint := 0; v_in bigint := 0;
    v_first4 bigint[]; v_first6 bigint[]; v_firstn bigint[];
    v_seen4 integer; v_seen6 integer; v_seenn integer;
    -- Whether this claim counts every lease in flight first: when called by step 3 (a setting
    -- local to the calling function, so that the call cannot go on again whatever the clock
    -- does), or within a second of a claim of this connection that had to.
    v_count_first boolean := coalesce(current_setting('peil.claim_counting', true), '') = 'on'
        OR v_now < coalesce(nullif(current_setting('peil.claim_counted_until', true), ''), '0')::float8;
    v_leased integer;
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'a claim needs READ COMMITTED (a fresh snapshot per statement), not %',
            current_setting('transaction_isolation');
    END IF;
    IF p_limit <= 0 THEN RETURN; END IF;

    -- (0) Each queue from its mark, unless a walk from the head is due: no marks yet, a second
    -- since the last walk of every queue from the head, or that queue's last walk came short.
    v_all_from_head := coalesce(array_length(v_mark, 1), 0) <> 10 OR v_now - v_mark[7]::float8 >= 1.0;
    IF NOT v_all_from_head THEN
        IF v_mark[8] = '0' THEN v_m4 := v_mark[1]::bigint; v_i4 := v_mark[2]::bigint; END IF;
        IF v_mark[9] = '0' THEN v_m6 := v_mark[3]::bigint; v_i6 := v_mark[4]::bigint; END IF;
        IF v_mark[10] = '0' THEN v_mn := v_mark[5]::bigint; v_in := v_mark[6]::bigint; END IF;
    END IF;

    -- (1a) When counting first: the addresses with tasks in flight, how many each has, and
    -- those at their cap. Otherwise every address is taken as free until step 2.
    IF v_count_first THEN
        SELECT coalesce(array_agg(address), '{}'), coalesce(array_agg(leased), '{}'),
               coalesce(array_agg(address) FILTER (WHERE leased >= p_per_address), '{}')
        INTO v_busy, v_busy_leased, v_full
        FROM (SELECT address, count(*)::integer AS leased FROM tasks
              WHERE state = 'leased' AND address IS NOT NULL GROUP BY address) AS busy;
    ELSE
        v_busy := '{}'; v_busy_leased := '{}'; v_full := '{}';
    END IF;

    -- (1b) Walk, lock, choose: a window of each family's queue in claim order past the
    -- addresses at their cap, row-locked SKIP LOCKED; the first p_limit that fit, each with the
    -- transaction-scoped lock of its address (taken or skipped, never waited for).
    WITH v4 AS (
        SELECT id, measurement_id, address FROM tasks
        WHERE state = 'queued' AND family = p_ipv4 AND (measurement_id, id) >= (v_m4, v_i4) AND (address IS NULL OR address NOT IN (SELECT unnest(v_full)))
        ORDER BY measurement_id, id LIMIT v_window
        FOR UPDATE SKIP LOCKED
    ), v6 AS (
        SELECT id, measurement_id, address FROM tasks
        WHERE state = 'queued' AND family = p_ipv6 AND (measurement_id, id) >= (v_m6, v_i6) AND (address IS NULL OR address NOT IN (SELECT unnest(v_full)))
        ORDER BY measurement_id, id LIMIT v_window
        FOR UPDATE SKIP LOCKED
    ), any_family AS (
        SELECT id, measurement_id, address FROM tasks
        WHERE state = 'queued' AND family IS NULL AND (measurement_id, id) >= (v_mn, v_in) AND (address IS NULL OR address NOT IN (SELECT unnest(v_full)))
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
    SELECT (SELECT array_agg(l.id ORDER BY l.measurement_id, l.id) FROM locked l WHERE l.locked),
           (SELECT array_agg(l.address ORDER BY l.measurement_id, l.id) FROM locked l WHERE l.locked),
           (SELECT ARRAY[measurement_id, id] FROM v4 ORDER BY measurement_id, id LIMIT 1),
           (SELECT ARRAY[measurement_id, id] FROM v6 ORDER BY measurement_id, id LIMIT 1),
           (SELECT ARRAY[measurement_id, id] FROM any_family ORDER BY measurement_id, id LIMIT 1),
           (SELECT count(*) FROM v4), (SELECT count(*) FROM v6), (SELECT count(*) FROM any_family)
    INTO v_ids, v_addresses, v_first4, v_first6, v_firstn, v_seen4, v_seen6, v_seenn;

    -- (1c) The next claim's marks: each queue's first task seen here (its old mark when its
    -- window was empty), whether its window came short, and when every queue was last walked
    -- from the head.
    PERFORM set_config('peil.claim_walk', concat_ws(',',
        coalesce(v_first4[1], v_m4), coalesce(v_first4[2], v_i4), coalesce(v_first6[1], v_m6), coalesce(v_first6[2], v_i6),
        coalesce(v_firstn[1], v_mn), coalesce(v_firstn[2], v_in),
        CASE WHEN v_all_from_head THEN v_now::text ELSE v_mark[7] END,
        CASE WHEN v_seen4 < v_window THEN 1 ELSE 0 END, CASE WHEN v_seen6 < v_window THEN 1 ELSE 0 END,
        CASE WHEN v_seenn < v_window THEN 1 ELSE 0 END), false);

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
    GET DIAGNOSTICS v_leased = ROW_COUNT;

    -- (3) A candidate turned away at its address's cap, having been taken as free: the rest of
    -- the limit is claimed counting first (this function again, in this transaction; its
    -- count sees the leases just taken, and its walk starts at the marks just set).
    IF NOT v_count_first AND v_leased < array_length(v_ids, 1) THEN
        PERFORM set_config('peil.claim_counted_until', (v_now + 1.0)::text, false);
        PERFORM set_config('peil.claim_counting', 'on', true);
        RETURN QUERY SELECT * FROM peil_claim_tasks(p_agent, p_session, p_ipv4, p_ipv6, p_limit - v_leased,
                                                    p_lease_seconds, p_per_address);
    END IF;
END
$$;
