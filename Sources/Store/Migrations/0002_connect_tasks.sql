-- Peil schema, version 2: connect tasks. A resolved domain plans connect tasks (reach, web,
-- nameserver) for the endpoints it found; an endpoint has one task per measurement however
-- many domains share it, and task_links says which domains rely on which connect tasks.

ALTER TABLE tasks ALTER COLUMN domain_id DROP NOT NULL;       -- NULL for connect tasks
ALTER TABLE tasks ADD COLUMN address text;                    -- the target address (connect tasks)
ALTER TABLE tasks ADD COLUMN endpoint_key text;               -- dedup key (connect tasks)
ALTER TABLE tasks ADD COLUMN target jsonb;                    -- the ConnectTarget (connect tasks)
ALTER TABLE tasks ADD CONSTRAINT tasks_connect_shape
    CHECK ((endpoint_key IS NULL) = (domain_id IS NOT NULL)
           AND (endpoint_key IS NULL) = (address IS NULL));

ALTER TABLE tasks DROP CONSTRAINT tasks_measurement_id_kind_domain_id_key;
CREATE UNIQUE INDEX tasks_domain_unique ON tasks (measurement_id, kind, domain_id) WHERE endpoint_key IS NULL;
CREATE UNIQUE INDEX tasks_endpoint_unique ON tasks (measurement_id, endpoint_key) WHERE endpoint_key IS NOT NULL;
-- The per-address politeness cap counts leased tasks per address.
CREATE INDEX tasks_leased_address ON tasks (address) WHERE state = 'leased';

CREATE TABLE task_links (
    measurement_id  bigint NOT NULL REFERENCES measurements (id) ON DELETE CASCADE,
    domain_id       bigint NOT NULL REFERENCES domains (id),
    task_id         bigint NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    PRIMARY KEY (task_id, domain_id)
);
CREATE INDEX task_links_domain ON task_links (measurement_id, domain_id);
