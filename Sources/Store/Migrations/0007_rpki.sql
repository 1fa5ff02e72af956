-- Peil schema, version 7: the routing a measurement's RPKI subtests are judged on.
-- One snapshot per measurement: the validated ROAs a relying party exported and the routes
-- (prefix, origin AS) that cover the measured addresses, as an operator supplied them.

CREATE TABLE measurement_rpki (
    measurement_id  bigint PRIMARY KEY REFERENCES measurements (id) ON DELETE CASCADE,
    snapshot        jsonb NOT NULL,       -- RPKISnapshot: {"roas": [...], "routes": [...]}
    roas            integer NOT NULL CHECK (roas >= 0),
    routes          integer NOT NULL CHECK (routes >= 0),
    source          text NOT NULL,        -- the files it was read from, for the record
    loaded_at       timestamptz NOT NULL DEFAULT now()
);
