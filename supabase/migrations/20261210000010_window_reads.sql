-- @tiqology/elite: nothing any more. get_ab_test_results, get_metric_stats and
-- feature_flag_metric_quantity, defined here until the exposure timelines stored their variants as
-- codes, are defined in 20261210000012_narrow_reads; the file is kept so applied names stay the same.
select 1;
