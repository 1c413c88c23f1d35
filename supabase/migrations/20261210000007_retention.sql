-- @tiqology/elite: a BRIN index on occurred_at, so that retention finds a month of events to delete
-- without scanning the rest. Idempotent. feature_flag_events_retention(p_keep_months, p_now,
-- p_batch), first defined here, is defined (with the monthly partitions) in 20261210000009_partitions.

create index if not exists feature_flag_events_occurred_brin on feature_flag_events using brin (occurred_at);
