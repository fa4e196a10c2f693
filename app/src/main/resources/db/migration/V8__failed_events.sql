-- Events the database refused for their content (a data error no retry can fix): rejected at once
-- as invalid, and kept here for inspection, as Snowplow keeps its failed events rather than dropping
-- them. The payload is what the client sent (a player's payload, a web event's JSON), as bytes: it may
-- hold the very bytes text columns refuse. No address: only what the event itself says. Dropped with
-- the raw events (VTS_RAW_RETENTION_DAYS).
create table failed_events (
    id        bigint generated always as identity primary key,
    failed_at timestamptz not null,
    door      text        not null,
    kind      text,
    post_id   bigint,
    sqlstate  text        not null,
    error     text        not null,
    payload   bytea
);
create index failed_events_failed_at on failed_events using brin (failed_at);
