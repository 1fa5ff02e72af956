-- Peil schema, version 8: attempts the agent's own network cost a task.
-- An agent that lost contact with the coordinator while a probe ran reports `contact_lost`, and
-- an agent that is gone has its leases released: either way what happened says nothing about
-- the target, so the task is queued again without using one of its attempts. `contact_lost`
-- counts those, and the attempts a task has used are `attempt - contact_lost`; the count is
-- bounded, so a task cannot be retried forever.
ALTER TABLE tasks ADD COLUMN contact_lost integer NOT NULL DEFAULT 0 CHECK (contact_lost >= 0);
