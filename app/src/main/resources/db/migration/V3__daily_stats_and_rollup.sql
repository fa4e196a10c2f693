-- The artist's viewers of a day, for artist-wide unique viewers of today (raw) and the rollup's sketches.
alter table daily_viewers add column artist_id text;
create index daily_viewers_artist_day on daily_viewers (artist_id, day);

-- Stats of one post or one artist over today's raw events, without scanning everyone's.
create index view_events_artist_post on view_events (artist_id, post_id);

-- One row per post and UTC day, made by the rollup from that day's raw events. Breakdowns are maps
-- of counted views (or impressions) by value; viewer_sketch is an HLL sketch of the viewers with a
-- counted view, so unique viewers over any range is the union of the days' sketches.
create table daily_post_stats (
    day                       date   not null,
    post_id                   bigint not null,
    artist_id                 text   not null,
    views                     bigint not null,
    impressions               bigint not null,
    unique_viewers            bigint not null,
    views_by_country          jsonb  not null,
    views_by_device           jsonb  not null,
    views_by_source           jsonb  not null,
    views_by_channel          jsonb  not null,
    impressions_by_channel    jsonb  not null,
    views_by_play_order       jsonb  not null,
    impressions_by_play_order jsonb  not null,
    first_view_at             timestamptz,
    last_view_at              timestamptz,
    viewer_sketch             bytea,
    primary key (post_id, day)
);
create index daily_post_stats_artist_day on daily_post_stats (artist_id, day);

-- Unique viewers of all of an artist's posts on a day, so an artist's range is a union of one
-- sketch per day rather than one per post and day.
create table daily_artist_viewers (
    artist_id      text   not null,
    day            date   not null,
    unique_viewers bigint not null,
    viewer_sketch  bytea  not null,
    primary key (artist_id, day)
);

-- The last UTC day rolled up (inclusive). Readers take daily rows up to it and raw events after it.
create table rollup_state (
    singleton boolean primary key default true check (singleton),
    watermark date not null,
    updated_at timestamptz not null default now()
);

-- What each rolled-up day was made from: a later difference in the raw count means late events,
-- and the day is rolled up again while its raw partition exists.
create table rollup_days (
    day        date primary key,
    raw_events bigint not null,
    rolled_at  timestamptz not null
);

-- The one definition of every daily number, used by the rollup (all posts of a day) and by readers
-- of the days after the watermark (one artist, optionally one post). Counted events only.
create function vts_day_stats(first_day date, last_day date, only_artist text default null, only_post bigint default null)
returns table (day date, post_id bigint, artist_id text, views bigint, impressions bigint, unique_viewers bigint,
               views_by_country jsonb, views_by_device jsonb, views_by_source jsonb, views_by_channel jsonb,
               impressions_by_channel jsonb, views_by_play_order jsonb, impressions_by_play_order jsonb,
               first_view_at timestamptz, last_view_at timestamptz, raw_events bigint)
language sql stable as $$
    with e as materialized (
        select (v.received_at at time zone 'UTC')::date as day, v.post_id, v.artist_id, v.kind, v.counted, v.viewer_id,
               coalesce(v.country, 'unknown') as country, coalesce(v.device, 'unknown') as device,
               case when v.player_key is not null then 'player' else 'web' end as source,
               coalesce(v.channel, 'none') as channel, coalesce(v.play_order::text, 'none') as play_order, v.received_at
        from view_events v
        where v.received_at >= first_day::timestamp at time zone 'UTC'
          and v.received_at < (last_day + 1)::timestamp at time zone 'UTC'
          and (only_artist is null or v.artist_id = only_artist)
          and (only_post is null or v.post_id = only_post)
    ), totals as (
        select e.day, e.post_id, min(e.artist_id) as artist_id,
               count(*) filter (where e.counted and e.kind = 'view') as views,
               count(*) filter (where e.counted and e.kind = 'impression') as impressions,
               count(distinct e.viewer_id) filter (where e.counted and e.kind = 'view') as unique_viewers,
               min(e.received_at) filter (where e.counted and e.kind = 'view') as first_view_at,
               max(e.received_at) filter (where e.counted and e.kind = 'view') as last_view_at,
               count(*) as raw_events
        from e group by e.day, e.post_id
    ), counts as (
        select e.day, e.post_id, x.dimension, x.value, count(*) as n
        from e
        cross join lateral (values
            ('views_by_country', e.country, e.kind = 'view'),
            ('views_by_device', e.device, e.kind = 'view'),
            ('views_by_source', e.source, e.kind = 'view'),
            ('views_by_channel', e.channel, e.kind = 'view'),
            ('impressions_by_channel', e.channel, e.kind = 'impression'),
            ('views_by_play_order', e.play_order, e.kind = 'view'),
            ('impressions_by_play_order', e.play_order, e.kind = 'impression')) as x(dimension, value, applies)
        where e.counted and x.applies
        group by e.day, e.post_id, x.dimension, x.value
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
           t.first_view_at, t.last_view_at, t.raw_events
    from totals t
    left join maps m on m.day = t.day and m.post_id = t.post_id
$$;

-- Drops the daily partitions of view_events for days before cutoff (retention, after the rollup).
create function vts_drop_view_event_partitions_before(cutoff date) returns integer
language plpgsql as $$
declare
    part record;
    dropped integer := 0;
begin
    for part in
        select c.relname from pg_inherits i
        join pg_class c on c.oid = i.inhrelid
        join pg_class p on p.oid = i.inhparent
        where p.relname = 'view_events' and c.relname ~ '^view_events_[0-9]{8}$'
          and to_date(substr(c.relname, 13), 'YYYYMMDD') < cutoff
    loop
        execute format('drop table %I', part.relname);
        dropped := dropped + 1;
    end loop;
    return dropped;
end $$;
