-- Peil schema, version 5: comply or explain, and tags.
--
-- An explanation is an organisation's reason for not applying a standard on a domain
-- (`peil explain`): one bulk column (test and name: web and mail both have ipv6_nameserver),
-- who recorded it and when, and the last day it holds (NULL: no end). Reports mark a failed
-- cell explained when the explanation was recorded by report time and the measurement is
-- dated on or before `until` (docs/REPORTS.md).
CREATE TABLE explanations (
    id           bigserial PRIMARY KEY,
    domain_id    bigint NOT NULL REFERENCES domains (id),
    test         text NOT NULL CHECK (test IN ('web', 'mail')),
    column_name  text NOT NULL CHECK (column_name ~ '^[a-z0-9_]+$'),
    text         text NOT NULL CHECK (btrim(text) <> ''),
    explained_by text NOT NULL CHECK (btrim(explained_by) <> ''),
    created_at   timestamptz NOT NULL DEFAULT now(),
    until        date
);
CREATE INDEX explanations_domain ON explanations (domain_id);

-- Tags: the extra columns of an imported list (agency, province, supplier, contract), per set
-- member, as an object of tag name to value. A re-import replaces them with the membership.
ALTER TABLE set_members ADD COLUMN tags jsonb NOT NULL DEFAULT '{}'
    CHECK (jsonb_typeof(tags) = 'object' AND NOT jsonb_path_exists(tags, '$.* ? (@.type() != "string")'));
