-- What the enrichment stages learn about an event (the raw address is never stored: only its keyed hash).
alter table view_events
    add column country         text,
    add column device          text,
    add column ip_hash         text,
    add column referrer_domain text,
    add column local_time      timestamp;

-- One row per viewer who counted a view of a post on a UTC day. The writer inserts here in the same
-- statement that stores the view: the view counts only if this row is new, so "once per visitor per
-- post per day" holds across nodes, batches, restarts and retries. It is also the exact daily set
-- of unique viewers.
create table daily_viewers (
    day       date   not null,
    post_id   bigint not null,
    viewer_id text   not null,
    primary key (day, post_id, viewer_id)
);
