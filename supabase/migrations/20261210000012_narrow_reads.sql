-- @tiqology/elite: feature_flag_metric_quantity, defined here in its final form; get_ab_test_results,
-- defined here until 20261210000014_parallel_reads, and get_metric_stats, defined here until
-- 20261210000013_metric_sums, are described as they were. Idempotent.
--
-- They read the exposure timelines in their narrower form (20261210000011_narrow_rows): the
-- variant of an exposure is `variant_names[variant_codes[k]]`. Otherwise as they were defined in
-- 20261210000010_window_reads:
--
-- get_metric_stats reads each exposed user's timeline row once for all its metrics. The query of
-- 20261210000008_window_rows joined every user to every metric (a lateral join per user, then a
-- binary search per metric for each of its events, its denominator's and their pre-exposure
-- windows, on a slice copied per metric): three metrics of one event cost three times one. The
-- query is now written for the metrics asked (dynamic SQL): one row per exposed user, one column
-- per value, each event name's slice and positions computed once whatever the number of metrics
-- reading it, and no join. Same answers (the same positions and running sums).
--
-- get_ab_test_results answers a window that ends after every event (until now, say) without its
-- end, so that one that also starts before every first exposure is all time, read from the
-- per-user pre-aggregates instead of the timelines. For one event name it slices the user's
-- conversion times once (the former query sliced them twice, and the running sums once more).

-- get_ab_test_results, defined here until its per-user steps ran in the parallel workers, is defined
-- in 20261210000014_parallel_reads (with who may call it).

-- The SQL of one per-user quantity of a metric, for get_metric_stats below: p_mode 2 (1 when the
-- user has at least one event), 1 (their count) or 0 (their value sum) of the events of name
-- number p_name (no name: a ratio's missing denominator, 0) between the positions p_from and p_to
-- (columns of the subquery p); 0 when the user has no event of that name.
create or replace function feature_flag_metric_quantity(p_mode integer, p_name integer, p_to text, p_from text) returns text
language sql immutable set search_path = pg_catalog, public, pg_temp as $$
  select case
    when p_name is null then '0::double precision'
    when p_mode = 2 then format('coalesce((p.%s > p.%s)::integer, 0)::double precision', p_to, p_from)
    when p_mode = 1 then format('coalesce(p.%s - p.%s, 0)::double precision', p_to, p_from)
    else format('coalesce(coalesce(p.c_cum[p.s%1$s - 1 + nullif(p.%2$s, 0)], 0) - coalesce(p.c_cum[p.s%1$s - 1 + nullif(p.%3$s, 0)], 0), 0)::double precision',
                p_name, p_to, p_from)
  end;
$$;

-- get_metric_stats, defined here until its sums left out the ones that are zero by construction, is
-- defined in 20261210000013_metric_sums.
