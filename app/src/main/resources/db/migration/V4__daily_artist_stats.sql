-- Sums count maps ({"DE": 3} + {"DE": 1, "FR": 2} = {"DE": 4, "FR": 2}): how breakdowns of several
-- days, posts or artists add up, in the rollup and in readers alike.
create function vts_add_counts(a jsonb, b jsonb) returns jsonb
language sql immutable as $$
    select coalesce(jsonb_object_agg(key, total), '{}'::jsonb)
    from (select key, sum(value::bigint) as total
          from (select * from jsonb_each_text(a) union all select * from jsonb_each_text(b)) both_maps
          group by key) summed
$$;

create aggregate vts_sum_counts(jsonb) (sfunc = vts_add_counts, stype = jsonb, initcond = '{}');

-- One row per artist and UTC day, summed from the day's per-post rows: an artist's range reads one
-- row per day instead of one per post and day. unique_viewers is exact (the day's distinct viewers
-- of all the artist's posts); viewer_sketch unites into unique viewers over ranges.
create table daily_artist_stats (
    artist_id                 text   not null,
    day                       date   not null,
    views                     bigint not null,
    impressions               bigint not null,
    unique_viewers            bigint not null default 0,
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
    primary key (artist_id, day)
);

-- Makes a day's per-artist rows from its per-post rows; returns how many.
create function vts_roll_up_artists(the_day date) returns integer
language sql as $$
    with made as (
        insert into daily_artist_stats (artist_id, day, views, impressions, views_by_country, views_by_device,
            views_by_source, views_by_channel, impressions_by_channel, views_by_play_order, impressions_by_play_order,
            first_view_at, last_view_at)
        select artist_id, day, sum(views), sum(impressions), vts_sum_counts(views_by_country),
               vts_sum_counts(views_by_device), vts_sum_counts(views_by_source), vts_sum_counts(views_by_channel),
               vts_sum_counts(impressions_by_channel), vts_sum_counts(views_by_play_order),
               vts_sum_counts(impressions_by_play_order), min(first_view_at), max(last_view_at)
        from daily_post_stats where day = the_day
        group by artist_id, day
        returning 1)
    select count(*)::integer from made
$$;

-- Carry over what earlier rollups made, then retire the viewers-only table.
select vts_roll_up_artists(day) from (select distinct day from daily_post_stats) rolled;
update daily_artist_stats s set unique_viewers = v.unique_viewers, viewer_sketch = v.viewer_sketch
from daily_artist_viewers v where v.artist_id = s.artist_id and v.day = s.day;
drop table daily_artist_viewers;
