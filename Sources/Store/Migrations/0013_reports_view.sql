-- Peil schema, version 13: a completed report that became its task's result is stored once,
-- as its `results` row (task, attempt, agent, observation), with no `observations` row beside
-- it. Until now each such report also had an `observations` row with a NULL observation that
-- only repeated the result's task, attempt and agent: a heap row and two index entries per
-- result on the ingest path (docs/SCALE.md, "Ingest"). `observations` keeps every other
-- accepted report: failures, lost contact, and a completed report that another became the
-- result of (with its observation).
--
-- `reports` is every accepted report, as `observations` was before: what an operator or a
-- test counts when it asks which reports were kept.

DELETE FROM observations o
USING results r
WHERE o.outcome = 'completed' AND o.observation IS NULL
  AND r.task_id = o.task_id AND r.attempt = o.attempt AND r.agent_id = o.agent_id;

CREATE VIEW reports AS
    SELECT task_id, attempt, agent_id, outcome, detail, observation, received_at
    FROM observations
    UNION ALL
    SELECT task_id, attempt, agent_id, 'completed', NULL, observation, recorded_at
    FROM results;
