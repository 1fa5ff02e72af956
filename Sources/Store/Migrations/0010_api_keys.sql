-- Peil schema, version 10: the API keys of `peil serve` and the audit of every write made with them.
-- A key is stored as the SHA-256 of its secret (hex), never the secret. A revoked key stays, so
-- the audit keeps naming it; its name may be given to a new key.
CREATE TABLE api_keys (
    id             bigserial PRIMARY KEY,
    name           text NOT NULL CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
    role           text NOT NULL CHECK (role IN ('read', 'analyst', 'admin')),
    -- A key limited to one organisation's domains: those a set gives this tag with this value.
    tag_name       text CHECK (tag_name ~ '^[a-z0-9_]+$'),
    tag_value      text,
    secret_sha256  text NOT NULL UNIQUE CHECK (secret_sha256 ~ '^[0-9a-f]{64}$'),
    created_at     timestamptz NOT NULL DEFAULT now(),
    revoked_at     timestamptz,
    CHECK ((tag_name IS NULL) = (tag_value IS NULL))
);
CREATE UNIQUE INDEX api_keys_active_name ON api_keys (name) WHERE revoked_at IS NULL;

-- Every write through the API: who (the key), what (method, path, the object it named), when,
-- and the answer's status.
CREATE TABLE api_audit (
    id      bigserial PRIMARY KEY,
    key_id  bigint NOT NULL REFERENCES api_keys (id),
    method  text NOT NULL,
    path    text NOT NULL,
    target  text,
    status  integer NOT NULL,
    at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX api_audit_at ON api_audit (at);
