-- Repeatable: Flyway runs this again whenever it changes, after the versioned migrations, so the
-- definition of the daily numbers evolves here (V3 made the first version; versioned files are never
-- edited). A change to the columns it returns must drop the function first.
-- The one definition of every daily number, used by the rollup (all posts of a day) and by readers
-- of the days after the watermark (one artist, optionally one post). Counted events only, but for
-- watch time: every stored event's credit (CreditWatchTime gives none to events that may not count),
-- also of the views that were not a viewer's first of the day, plus the watch reports' credit, starts
-- and completions of daily_watch (reports are summed there, not kept as events). A watched appearance
-- is an event with watch time that does not continue a player's appearance already begun; what
-- appearances carried (appearance_watch_time_ms) is what an average watch time averages.
drop function if exists vts_day_stats(date, date, text, bigint);
create function vts_day_stats(first_day date, last_day date, only_artist text default null, only_post bigint default null)
returns table (day date, post_id bigint, artist_id text, views bigint, impressions bigint, unique_viewers bigint,
               views_by_country jsonb, views_by_device jsonb, views_by_source jsonb, views_by_channel jsonb,
               impressions_by_channel jsonb, views_by_play_order jsonb, impressions_by_play_order jsonb,
               first_view_at timestamptz, last_view_at timestamptz, raw_events bigint,
               watch_time_ms bigint, watched_appearances bigint, watch_time_by_source jsonb,
               appearance_watch_time_ms bigint, watch_starts bigint, completions bigint)
language sql stable as $$
    with e as materialized (
        select (v.received_at at time zone 'UTC')::date as day, v.post_id, v.artist_id, v.kind, v.counted, v.viewer_id,
               coalesce(v.country, 'unknown') as country, coalesce(v.device, 'unknown') as device,
               case when v.player_key is not null then 'player' else 'web' end as source,
               coalesce(v.channel, 'none') as channel, coalesce(v.play_order::text, 'none') as play_order, v.received_at,
               v.watch_time_ms, v.continues_appearance
        from view_events v
        where v.received_at >= first_day::timestamp at time zone 'UTC'
          and v.received_at < (last_day + 1)::timestamp at time zone 'UTC'
          and (only_artist is null or v.artist_id = only_artist)
          and (only_post is null or v.post_id = only_post)
    ), w as materialized (
        select d.day, d.post_id, d.artist_id, d.watch_time_ms, d.starts, d.completions
        from daily_watch d
        where d.day between first_day and last_day
          and (only_artist is null or d.artist_id = only_artist)
          and (only_post is null or d.post_id = only_post)
    ), event_totals as (
        select e.day, e.post_id, min(e.artist_id) as artist_id,
               count(*) filter (where e.counted and e.kind = 'view') as views,
               count(*) filter (where e.counted and e.kind = 'impression') as impressions,
               count(distinct e.viewer_id) filter (where e.counted and e.kind = 'view') as unique_viewers,
               min(e.received_at) filter (where e.counted and e.kind = 'view') as first_view_at,
               max(e.received_at) filter (where e.counted and e.kind = 'view') as last_view_at,
               count(*) as raw_events,
               coalesce(sum(e.watch_time_ms), 0) as watch_time_ms,
               count(*) filter (where e.watch_time_ms is not null and not e.continues_appearance) as watched_appearances
        from e group by e.day, e.post_id
    ), totals as (
        select coalesce(t.day, w.day) as day, coalesce(t.post_id, w.post_id) as post_id,
               coalesce(t.artist_id, w.artist_id) as artist_id,
               coalesce(t.views, 0) as views, coalesce(t.impressions, 0) as impressions,
               coalesce(t.unique_viewers, 0) as unique_viewers, t.first_view_at, t.last_view_at,
               coalesce(t.raw_events, 0) as raw_events,
               coalesce(t.watch_time_ms, 0) + coalesce(w.watch_time_ms, 0) as watch_time_ms,
               coalesce(t.watched_appearances, 0) as watched_appearances,
               coalesce(t.watch_time_ms, 0) as appearance_watch_time_ms,
               coalesce(w.starts, 0) as watch_starts, coalesce(w.completions, 0) as completions
        from event_totals t
        full join w on w.day = t.day and w.post_id = t.post_id
    ), counts as (
        -- each breakdown: which events it sums, and what each adds (1 for a count, or milliseconds)
        select day, post_id, dimension, value, sum(amount) as n from (
        select e.day, e.post_id, x.dimension, x.value, x.amount
        from e
        cross join lateral (values
            ('views_by_country', e.country, e.counted and e.kind = 'view', 1),
            ('views_by_device', e.device, e.counted and e.kind = 'view', 1),
            ('views_by_source', e.source, e.counted and e.kind = 'view', 1),
            ('views_by_channel', e.channel, e.counted and e.kind = 'view', 1),
            ('impressions_by_channel', e.channel, e.counted and e.kind = 'impression', 1),
            ('views_by_play_order', e.play_order, e.counted and e.kind = 'view', 1),
            ('impressions_by_play_order', e.play_order, e.counted and e.kind = 'impression', 1),
            ('watch_time_by_source', e.source, e.watch_time_ms is not null, e.watch_time_ms)) as x(dimension, value, applies, amount)
        where x.applies
        union all -- watch reports come from browsers and apps: the web
        select w.day, w.post_id, 'watch_time_by_source', 'web', w.watch_time_ms from w where w.watch_time_ms > 0
        ) as amounts
        group by day, post_id, dimension, value
    ), maps as (
        select c.day, c.post_id, jsonb_object_agg(c.dimension, c.counts) as all_maps
        from (select day, post_id, dimension, jsonb_object_agg(value, n) as counts
              from counts group by day, post_id, dimension) c
        group by c.day, c.post_id
    )
    select t.day, t.post_id, t.artist_id, t.views, t.impressions, t.unique_viewers,
           coalesce(m.all_maps -> 'views_by_country', '{}'),
           coalesce(m.all_maps -> 'views_by_device', '{}'),
           coalesce(m.all_maps -> 'views_by_source', '{}'),
           coalesce(m.all_maps -> 'views_by_channel', '{}'),
           coalesce(m.all_maps -> 'impressions_by_channel', '{}'),
           coalesce(m.all_maps -> 'views_by_play_order', '{}'),
           coalesce(m.all_maps -> 'impressions_by_play_order', '{}'),
           t.first_view_at, t.last_view_at, t.raw_events,
           t.watch_time_ms, t.watched_appearances, coalesce(m.all_maps -> 'watch_time_by_source', '{}'),
           t.appearance_watch_time_ms, t.watch_starts, t.completions
    from totals t
    left join maps m on m.day = t.day and m.post_id = t.post_id
$$;
