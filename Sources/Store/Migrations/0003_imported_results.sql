-- Peil schema, version 3: measurements with a name, and imported measurements — published
-- results (such as the government's March 2021 measurement) loaded as statuses, so they can be
-- reported on and serve as a baseline. An imported measurement has no tasks or observations.

ALTER TABLE measurements ADD COLUMN name text CHECK (name <> '' AND name !~ '^[0-9]+$');
CREATE UNIQUE INDEX measurements_name ON measurements (name) WHERE name IS NOT NULL;
ALTER TABLE measurements ADD COLUMN imported boolean NOT NULL DEFAULT false;
-- Imported: the day the results were measured, the rule set their statuses follow, and the
-- set they were published for (its members' layers are the published ones).
ALTER TABLE measurements ADD COLUMN measured_on date;
ALTER TABLE measurements ADD COLUMN rule_set text;
ALTER TABLE measurements ADD COLUMN source_set text;
ALTER TABLE measurements ADD CONSTRAINT measurements_imported_shape
    CHECK (NOT imported OR (name IS NOT NULL AND measured_on IS NOT NULL AND rule_set IS NOT NULL));

-- One published row: a domain's status words for one test, by bulk column name.
CREATE TABLE imported_results (
    measurement_id   bigint NOT NULL REFERENCES measurements (id) ON DELETE CASCADE,
    domain_id        bigint NOT NULL REFERENCES domains (id),
    test             text NOT NULL CHECK (test IN ('web', 'mail')),
    host             text NOT NULL,
    layer            text NOT NULL CHECK (layer IN ('rijk', 'uitvoerders', 'provincies', 'waterschappen',
                                                    'gemeenten', 'gemeenschappelijke_regelingen', 'overige')),
    formal_reaction  boolean NOT NULL,
    statuses         jsonb NOT NULL CHECK (
        jsonb_typeof(statuses) = 'object'
        AND NOT jsonb_path_exists(statuses, '$.* ? (!(@ == "passed" || @ == "failed" || @ == "warning" || @ == "info"
            || @ == "no_mx" || @ == "unreachable" || @ == "not_testable" || @ == "not_applicable" || @ == "error"
            || @ == "not_tested"))')),
    PRIMARY KEY (measurement_id, test, domain_id)
);
