-- Players that may connect: a secret (stored only as a slow salted hash) and/or a client certificate.
create table players (
    player_key       text primary key,
    owner_id         text,
    secret_hash      text,
    registered_at    timestamptz not null default now(),
    updated_at       timestamptz not null default now(),
    revoked_at       timestamptz,
    status           text not null default 'never_seen',
    last_seen_at     timestamptz,
    current_post_id  bigint,
    firmware_version text
);

-- Artworks that may be viewed, and whose they are.
create table posts (
    post_id    bigint primary key,
    artist_id  text not null,
    title      text,
    duration_s integer,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create index posts_artist on posts (artist_id);

-- Raw events, one partition per UTC day of arrival (created ahead by the server; whole
-- partitions are dropped for retention once rolled up).
create table view_events (
    received_at     timestamptz not null,
    event_key       uuid,
    post_id         bigint not null,
    artist_id       text not null,
    door            text not null,
    kind            text not null,
    counted         boolean not null,
    viewer_id       text,
    player_key      text,
    client_time     timestamptz,
    timezone        text,
    channel         text,
    channel_context text,
    play_order      smallint,
    playlist_id     text,
    dwell_ms        integer
) partition by range (received_at);

-- The dedupe keys of stored events, in one unpartitioned table: a unique key on a partitioned
-- table must include the partition key, so it could not catch a resend that arrives after midnight.
-- The writer inserts the key and the event in one statement; a conflict means "already stored".
create table event_keys (
    event_key   uuid primary key,
    received_at timestamptz not null
);
create index event_keys_received_at on event_keys using brin (received_at);

-- Creates the daily partitions of view_events from first_day to last_day (UTC) that are missing.
create function vts_ensure_view_event_partitions(first_day date, last_day date) returns integer
language plpgsql as $$
declare
    d date := first_day;
    made integer := 0;
    part text;
begin
    -- several nodes may run this at once
    perform pg_advisory_xact_lock(hashtext('vts_ensure_view_event_partitions'));
    while d <= last_day loop
        part := 'view_events_' || to_char(d, 'YYYYMMDD');
        if to_regclass(part) is null then
            execute format('create table %I partition of view_events for values from (%L) to (%L)',
                           part, d::timestamp at time zone 'UTC', (d + 1)::timestamp at time zone 'UTC');
            made := made + 1;
        end if;
        d := d + 1;
    end loop;
    return made;
end $$;
