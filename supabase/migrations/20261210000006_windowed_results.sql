-- @tiqology/elite: formerly get_ab_test_results and get_metric_stats over the timelines, now defined
-- (reading one row per exposed user) in 20261210000008_window_rows. Kept so that databases which
-- applied it, and the Supabase CLI's history, keep the same migration names.
select 1;
