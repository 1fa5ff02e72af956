-- Peil schema, version 13: the claim function's two statements planned once per connection.
--
-- PL/pgSQL plans each statement of a function with the values of that call (a "custom" plan)
-- until it judges a generic plan as cheap; for the claim's statements, with their parameters in
-- LIMIT and in the walks' conditions, it kept planning them afresh: about half of a claim's
-- time went to the planner (auto_explain against `peil bench ingest`: 1.6-1.8 ms of execution
-- in a call of 2.9 ms). The generic plan is the one the custom plans were: each family's walk an
-- ordered scan of its partial queue index, whatever the values (docs/SCALE.md, "Claims").
-- `peil bench claim --mix twin` at 10,000, 100,000 and 1,000,000 queued tasks, the same pages
-- per claim: p50 3.00 / 3.15 / 2.92 ms before, 2.16 / 2.69 / 1.58 ms after.
ALTER FUNCTION peil_claim_tasks(text, text, text, text, integer, float8, integer)
    SET plan_cache_mode = force_generic_plan;
