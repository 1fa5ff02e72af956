-- Peil schema, version 14: observations compressed with lz4 instead of pglz.
--
-- A twin-sized observation (2–6 KB of JSON) is over TOAST's threshold, so every result row
-- compresses it on the way in. With pglz that was about a sixth of PostgreSQL's CPU on the
-- ingest path (perf, session 23: `pglz_compress` 6.9 % of all samples of a twin ingest run);
-- lz4 does the same work for a fraction of the CPU, and the twin ingest bench stored about a
-- tenth more results a second with it (docs/SCALE.md, "Session 23"). It costs little space:
-- the twin's 3,186 stored observations take 5.57 MB compressed with lz4 against 5.37 MB with
-- pglz. Only new values are compressed with lz4; values already stored stay as they are (both
-- read the same), so this rewrites nothing.
--
-- A server built without lz4 refuses the method (SQLSTATE 0A000): its observations stay pglz.
DO $$
BEGIN
    ALTER TABLE results ALTER COLUMN observation SET COMPRESSION lz4;
    ALTER TABLE observations ALTER COLUMN observation SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    RAISE NOTICE 'this PostgreSQL has no lz4: observations stay compressed with pglz';
END
$$;
