-- Peil schema, version 12: where `peil import` streams a list (COPY) before merging it into a
-- set. An import's rows are inserted and deleted inside its own transaction, so no other
-- transaction ever sees them; unlogged, as nothing in it outlives a crash.
CREATE UNLOGGED TABLE set_import_staging (
    seq           bigint NOT NULL,
    domain        text NOT NULL,
    layer         text,
    organisation  text,
    web_host      text,
    tests_web     boolean NOT NULL,
    tests_mail    boolean NOT NULL,
    tags          jsonb NOT NULL
);
