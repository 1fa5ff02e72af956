-- Peil schema, version 1: sets of domains, measurements, the task queue with leases,
-- agents, raw observations and final results.
-- Applied by Store's Migrations in one transaction and recorded in schema_migrations.

-- Every domain Peil knows, shared by all sets (normalised: lower case, A-labels, no final dot).
CREATE TABLE domains (
    id          bigserial PRIMARY KEY,
    name        text NOT NULL UNIQUE,
    first_seen  timestamptz NOT NULL DEFAULT now()
);

-- A named list of domains ("primary", "broad", …). Re-importing replaces its membership.
CREATE TABLE sets (
    id           bigserial PRIMARY KEY,
    name         text NOT NULL UNIQUE CHECK (name <> ''),
    imported_at  timestamptz NOT NULL DEFAULT now()
);

-- What a set says about a domain: the same domain may have another layer in another set.
CREATE TABLE set_members (
    set_id        bigint NOT NULL REFERENCES sets (id) ON DELETE CASCADE,
    domain_id     bigint NOT NULL REFERENCES domains (id),
    layer         text CHECK (layer IN ('rijk', 'uitvoerders', 'provincies', 'waterschappen',
                                        'gemeenten', 'gemeenschappelijke_regelingen', 'overige')),
    organisation  text,
    web_host      text,           -- NULL: www.<domain>
    tests_web     boolean NOT NULL,
    tests_mail    boolean NOT NULL,
    PRIMARY KEY (set_id, domain_id)
);
CREATE INDEX set_members_domain ON set_members (domain_id);

CREATE TABLE measurements (
    id          bigserial PRIMARY KEY,
    sets        text[] NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- The task queue. A task is queued, then leased to one agent at a time (attempt counts the
-- leases), and ends done (it has a row in results) or not_testable (attempts used up).
CREATE TABLE tasks (
    id                bigserial PRIMARY KEY,
    measurement_id    bigint NOT NULL REFERENCES measurements (id) ON DELETE CASCADE,
    kind              text NOT NULL,
    domain_id         bigint NOT NULL REFERENCES domains (id),
    domain            text NOT NULL,
    web_host          text NOT NULL,
    family            text CHECK (family IN ('ipv4', 'ipv6')),   -- NULL: any agent
    state             text NOT NULL DEFAULT 'queued'
                      CHECK (state IN ('queued', 'leased', 'done', 'not_testable')),
    attempt           integer NOT NULL DEFAULT 0,
    leased_by         text,
    lease_expires_at  timestamptz,
    last_error        text,
    finished_at       timestamptz,
    UNIQUE (measurement_id, kind, domain_id),
    CHECK ((state = 'leased') = (lease_expires_at IS NOT NULL))
);
CREATE INDEX tasks_queued ON tasks (measurement_id, id) WHERE state = 'queued';
CREATE INDEX tasks_leased ON tasks (lease_expires_at) WHERE state = 'leased';
CREATE INDEX tasks_measurement_state ON tasks (measurement_id, state);

CREATE TABLE agents (
    id             text PRIMARY KEY,
    public_key     text NOT NULL,
    families       text[] NOT NULL,
    concurrency    integer NOT NULL,
    version        text NOT NULL,
    registered_at  timestamptz NOT NULL DEFAULT now(),
    last_seen_at   timestamptz NOT NULL DEFAULT now()
);

-- Every report as it arrived, raw; a resend of the same (task, attempt) is a duplicate.
CREATE TABLE observations (
    id           bigserial PRIMARY KEY,
    task_id      bigint NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    attempt      integer NOT NULL,
    agent_id     text NOT NULL,
    outcome      text NOT NULL,
    detail       text,
    observation  jsonb,
    received_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (task_id, attempt)
);

-- The one final result of a task: the first completed report wins.
CREATE TABLE results (
    task_id         bigint PRIMARY KEY REFERENCES tasks (id) ON DELETE CASCADE,
    measurement_id  bigint NOT NULL REFERENCES measurements (id) ON DELETE CASCADE,
    domain          text NOT NULL,
    attempt         integer NOT NULL,
    agent_id        text NOT NULL,
    observation     jsonb NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX results_measurement ON results (measurement_id);
