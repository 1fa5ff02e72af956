-- Peil schema, version 6: rescans. A rescan is a measurement of the same sets that measures
-- only some domains again (`rescanned`); every other domain takes its observations from the
-- measurement it rescans (`rescan_of`, followed down the chain when that was a rescan too), so
-- its results and reports cover the whole set.
ALTER TABLE measurements ADD COLUMN rescan_of bigint REFERENCES measurements (id) ON DELETE RESTRICT;
ALTER TABLE measurements ADD COLUMN rescanned text[];
ALTER TABLE measurements ADD CONSTRAINT measurements_rescan_shape
    CHECK ((rescan_of IS NULL) = (rescanned IS NULL) AND (rescanned IS NULL OR cardinality(rescanned) > 0));
