-- Peil schema, version 15: observations stored as `json` (their text, checked) instead of `jsonb`.
--
-- Nothing reads an observation inside PostgreSQL but `peil scan-costs` (`->`, `->>`, which json
-- has too): every reader takes the whole text and decodes it itself. So building jsonb's binary
-- form of every observation on the way in (`jsonb_in`, 7 % of all CPU samples of a twin ingest
-- run, session 24) and printing it back on the way out bought nothing. `json` checks the
-- text's syntax and keeps it as it came: the bytes the agent sent (which the coordinator's
-- `WireJSONDecoder` has already checked strictly: no key twice, no lone surrogate) or the
-- coordinator's own encoding. Inserting 31,860 twin observations took 1,120 ms as jsonb and
-- 600 ms as json (docs/SCALE.md, "Session 24").
--
-- An analyst who wants jsonb's operators (containment, GIN indexes) casts: `observation::jsonb`.
-- This rewrites both tables. A new type forgets the column's compression, so lz4 (migration 14)
-- is asked for again, before the rewrite, so that the rewritten values use it too.
DROP VIEW reports;
DO $$
BEGIN
    ALTER TABLE results ALTER COLUMN observation TYPE json USING observation::json, ALTER COLUMN observation SET COMPRESSION lz4;
    ALTER TABLE observations ALTER COLUMN observation TYPE json USING observation::json, ALTER COLUMN observation SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    ALTER TABLE results ALTER COLUMN observation TYPE json USING observation::json;
    ALTER TABLE observations ALTER COLUMN observation TYPE json USING observation::json;
    RAISE NOTICE 'this PostgreSQL has no lz4: observations stay compressed with pglz';
END
$$;
CREATE VIEW reports AS
    SELECT task_id, attempt, agent_id, outcome, detail, observation, received_at
    FROM observations
    UNION ALL
    SELECT task_id, attempt, agent_id, 'completed', NULL, observation, recorded_at
    FROM results;
