-- Repeatable: evolves here (V4 made the first version; versioned files are never edited).
-- Makes a day's per-artist rows from its per-post rows; returns how many. Breakdown maps are summed
-- by expanding every map once into (key, count) pairs and grouping them: linear in the pairs.
create or replace function vts_roll_up_artists(the_day date) returns integer
language sql as $$
    with totals as (
        select artist_id, sum(views) as views, sum(impressions) as impressions,
               min(first_view_at) as first_view_at, max(last_view_at) as last_view_at,
               sum(watch_time_ms) as watch_time_ms, sum(watched_appearances) as watched_appearances,
               sum(appearance_watch_time_ms) as appearance_watch_time_ms, sum(watch_starts) as watch_starts,
               sum(completions) as completions
        from daily_post_stats where day = the_day
        group by artist_id
    ), pairs as (
        select p.artist_id, d.name, kv.key, sum(kv.value::bigint) as total
        from daily_post_stats p
        cross join lateral (values ('views_by_country', p.views_by_country), ('views_by_device', p.views_by_device),
            ('views_by_source', p.views_by_source), ('views_by_channel', p.views_by_channel),
            ('impressions_by_channel', p.impressions_by_channel), ('views_by_play_order', p.views_by_play_order),
            ('impressions_by_play_order', p.impressions_by_play_order), ('watch_time_by_source', p.watch_time_by_source))
            as d(name, m)
        cross join lateral jsonb_each_text(d.m) as kv
        where p.day = the_day
        group by p.artist_id, d.name, kv.key
    ), maps as (
        select artist_id, jsonb_object_agg(name, counts) as all_maps
        from (select artist_id, name, jsonb_object_agg(key, total) as counts from pairs group by artist_id, name) per_name
        group by artist_id
    ), made as (
        insert into daily_artist_stats (artist_id, day, views, impressions, views_by_country, views_by_device,
            views_by_source, views_by_channel, impressions_by_channel, views_by_play_order, impressions_by_play_order,
            first_view_at, last_view_at, watch_time_ms, watched_appearances, watch_time_by_source,
            appearance_watch_time_ms, watch_starts, completions)
        select t.artist_id, the_day, t.views, t.impressions,
               coalesce(m.all_maps -> 'views_by_country', '{}'), coalesce(m.all_maps -> 'views_by_device', '{}'),
               coalesce(m.all_maps -> 'views_by_source', '{}'), coalesce(m.all_maps -> 'views_by_channel', '{}'),
               coalesce(m.all_maps -> 'impressions_by_channel', '{}'), coalesce(m.all_maps -> 'views_by_play_order', '{}'),
               coalesce(m.all_maps -> 'impressions_by_play_order', '{}'), t.first_view_at, t.last_view_at,
               t.watch_time_ms, t.watched_appearances, coalesce(m.all_maps -> 'watch_time_by_source', '{}'),
               t.appearance_watch_time_ms, t.watch_starts, t.completions
        from totals t left join maps m on m.artist_id = t.artist_id
        returning 1)
    select count(*)::integer from made
$$;
