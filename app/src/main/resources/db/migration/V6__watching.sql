-- Watching (contract §5): watch reports, each signed-in viewer's progress and history, completions.

-- Per signed-in viewer and post: where they are, how long the media is, what they played in all,
-- when their watching first had a duration (a start, for completion rates) and when it first reached
-- VTS_COMPLETE_AT_PERCENT (completed stays completed). Progress is derived: position ÷ duration.
create table watch_progress (
    viewer_id        text        not null,
    post_id          bigint      not null,
    artist_id        text        not null,
    position_ms      bigint      not null,
    duration_ms      bigint,
    played_ms        bigint      not null,
    started_at       timestamptz,
    completed_at     timestamptz,
    first_watched_at timestamptz not null,
    last_watched_at  timestamptz not null,
    primary key (viewer_id, post_id)
);
-- continue watching: a viewer's rows, most recently watched first
create index watch_progress_viewer_recent on watch_progress (viewer_id, last_watched_at desc);

-- Per signed-in viewer, UTC day and post: what they watched (views' watched_ms, watch reports'
-- played time), for "you watched N hours" over any range.
create table viewer_watch_days (
    viewer_id  text   not null,
    day        date   not null,
    post_id    bigint not null,
    watched_ms bigint not null,
    primary key (viewer_id, day, post_id)
);

-- Per signed-in viewer: the posts they viewed lately, one row per post, trimmed to
-- VTS_RECENTLY_VIEWED_MAX by the writer. watched_ms: that view's watched time, or for a watch
-- report the viewer's total played time of the post.
create table recently_viewed (
    viewer_id  text        not null,
    post_id    bigint      not null,
    viewed_at  timestamptz not null,
    watched_ms bigint,
    primary key (viewer_id, post_id)
);
create index recently_viewed_viewer_recent on recently_viewed (viewer_id, viewed_at desc, post_id desc);

-- Watch reports are not raw events: a player of a video reports every 10 s, so the writer adds each
-- batch's reports into one row per post and UTC day (what they add to the artists' watch time, and
-- the signed-in viewers' starts and completions of that day), which vts_day_stats reads with the
-- raw events. Nothing here names a viewer, so forgetting one changes no artist's figure.
create table daily_watch (
    day           date   not null,
    post_id       bigint not null,
    artist_id     text   not null,
    watch_time_ms bigint not null,
    starts        bigint not null,
    completions   bigint not null,
    primary key (day, post_id)
);
create index daily_watch_artist_day on daily_watch (artist_id, day);

-- The daily tables gain: the watch time of views and impressions alone (what avg_watch_time_s
-- averages; until now all watch time was), and signed-in viewers' starts and completions.
alter table daily_post_stats
    add column appearance_watch_time_ms bigint not null default 0,
    add column watch_starts             bigint not null default 0,
    add column completions              bigint not null default 0;
update daily_post_stats set appearance_watch_time_ms = watch_time_ms;
alter table daily_artist_stats
    add column appearance_watch_time_ms bigint not null default 0,
    add column watch_starts             bigint not null default 0,
    add column completions              bigint not null default 0;
update daily_artist_stats set appearance_watch_time_ms = watch_time_ms;
