-- @tiqology/elite: formerly get_ab_test_results, now defined (with windows read from the timelines)
-- in 20261210000006_windowed_results. Kept so that databases which applied it, and the Supabase
-- CLI's history, keep the same migration names.
select 1;
