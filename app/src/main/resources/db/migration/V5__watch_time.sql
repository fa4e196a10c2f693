-- Watch time (contract §5). Per event: what it adds to the artists' watch time (a client's capped
-- watched_ms, or a player's screen time; null: nothing), and whether it is a player's next event of
-- an appearance already begun (so an appearance is counted once when averaging).
alter table view_events
    add column watch_time_ms        bigint,
    add column continues_appearance boolean not null default false;

-- Per post and per artist and UTC day: the watch time, the appearances it came from, and the watch
-- time by source ("player": screen time, "web": browsers' watched_ms). Days rolled up before carried none.
alter table daily_post_stats
    add column watch_time_ms        bigint not null default 0,
    add column watched_appearances  bigint not null default 0,
    add column watch_time_by_source jsonb  not null default '{}';
alter table daily_artist_stats
    add column watch_time_ms        bigint not null default 0,
    add column watched_appearances  bigint not null default 0,
    add column watch_time_by_source jsonb  not null default '{}';
