-- Peil schema, version 4: schedules the coordinator runs by itself. A `fixed` schedule measures
-- its sets at `next_run_at` and then every `every_months` months (e.g. twice a year on a fixed
-- date); a `rolling` one measures each of its domains every `period_days` days, a day's share
-- at a time: slice k holds the domains whose name hashes to k (mod period_days), so a domain
-- keeps its day however the sets change, and no day has a peak.
CREATE TABLE schedules (
    id            bigserial PRIMARY KEY,
    name          text NOT NULL UNIQUE CHECK (name <> ''),
    sets          text[] NOT NULL CHECK (cardinality(sets) > 0),
    kind          text NOT NULL CHECK (kind IN ('fixed', 'rolling')),
    every_months  integer CHECK (every_months BETWEEN 1 AND 120),
    period_days   integer CHECK (period_days BETWEEN 1 AND 3660),
    next_run_at   timestamptz NOT NULL,
    next_slice    integer NOT NULL DEFAULT 0,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'fixed') = (every_months IS NOT NULL)),
    CHECK ((kind = 'rolling') = (period_days IS NOT NULL)),
    CHECK (kind = 'fixed' OR next_slice BETWEEN 0 AND period_days - 1)
);

-- A measurement a schedule started, and for a rolling one which slices of how many it holds.
ALTER TABLE measurements ADD COLUMN schedule_id bigint REFERENCES schedules (id) ON DELETE SET NULL;
ALTER TABLE measurements ADD COLUMN slices integer[];
ALTER TABLE measurements ADD COLUMN slice_count integer;
