package club.makapix.vts.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * Loads raw events straight into {@code view_events} and {@code daily_viewers}, generated inside
 * PostgreSQL (one statement per UTC day, nothing crosses the wire), shaped like what the writer
 * stores: players (55 %, mostly impressions, device "player") and web visitors (mostly views; 40 %
 * anonymous), skewed post popularity and viewer activity, countries, devices, channels, play
 * orders. A view counts once per (day, post, viewer), exactly as the writer decides it: the first
 * countable one, which also gets the day's {@code daily_viewers} row; the artist's own events
 * never count. Event keys are set but not put in {@code event_keys}: nothing downstream reads them.
 */
final class RawEventLoader {
    /** Posts {@code first .. first + count - 1}, already in {@code posts}; lower ids are viewed more. */
    record Posts(long first, int count) {}

    /** What a load stored: events, and views that counted. */
    record Loaded(long events, long countedViews) {}

    /** Registered users who view (logged in, or own players) and anonymous addresses. */
    static final int USERS = 300_000;
    static final int ANONYMOUS = 200_000;
    static final int PLAYERS = 5_000;

    private static final String LOAD = """
            with draws as (
                select random() as r_post, random() as r_door, random() as r_kind, random() as r_who,
                       random() as r_country, random() as r_device, random() as r_channel, random() as r_misc, random() as r_anon,
                       ?::timestamptz + make_interval(secs => random() * ?) as received_at
                from generate_series(1, ?)
            ), shaped as (
                select *, r_door < 0.55 as by_player,
                       case when r_door < 0.55 then r_kind < 0.15 else r_kind < 0.7 end as is_view,
                       floor(%1$d * r_who ^ 1.5)::int as user_n, floor(%3$d * r_who ^ 1.2)::int as player_n,
                       floor(? + ? * r_post ^ 2.5)::bigint as post_id
                from draws
            ), events as (
                select s.received_at, p.post_id, p.artist_id, s.by_player, s.is_view, s.r_misc < 0.005 as own,
                       case when s.r_misc < 0.005 then p.artist_id
                            when s.by_player then 'user-' || (s.player_n * 59 %% %1$d)
                            when s.r_anon < 0.4 then 'anon:' || substr(md5('ip' || s.user_n %% %2$d), 1, 22)
                            else 'user-' || s.user_n end as viewer_id,
                       case when s.by_player then md5('player' || s.player_n)::uuid::text end as player_key,
                       case when s.r_country < 0.96 then (array['US','DE','GB','FR','JP','BR','CA','NL','ES','IT','PL','SE',
                            'AU','KR','MX','IN','CH','AT','BE','DK','FI','NO','PT','AR'])[1 + floor(24 * (s.r_country / 0.96) ^ 2)::int]
                            end as country,
                       (array['America/New_York','Europe/Berlin','Europe/London','Asia/Tokyo','America/Sao_Paulo',
                              'America/Los_Angeles'])[1 + floor(6 * s.r_country)::int] as timezone,
                       case when s.by_player and s.is_view then 'artwork'
                            when s.by_player then (array['all','promoted','hashtag','user','by_user','reactions','sdcard'])
                                                  [1 + floor(7 * s.r_channel ^ 2)::int]
                            when s.is_view then case when s.r_channel < 0.5 then 'artwork' end
                            else case when s.r_channel < 0.6 then 'feed' else 'carousel' end end as channel,
                       s.r_channel, s.r_device, s.r_misc, s.user_n
                from shaped s join posts p on p.post_id = s.post_id
            ), decided as (
                select e.*, (case when e.is_view then 'view' else 'impression' end) as kind,
                       not e.own and (not e.is_view or row_number() over (
                           partition by e.is_view, e.own, e.post_id, e.viewer_id order by e.received_at) = 1) as counted
                from events e
            ), first_views as (
                insert into daily_viewers (day, post_id, viewer_id, artist_id)
                select (received_at at time zone 'UTC')::date, post_id, viewer_id, artist_id from decided
                where counted and is_view
            ), stored as (
                insert into view_events (received_at, event_key, post_id, artist_id, door, kind, counted, viewer_id,
                    player_key, client_time, timezone, channel, channel_context, play_order, playlist_id, dwell_ms,
                    country, device, ip_hash, referrer_domain, local_time)
                select received_at, gen_random_uuid(), post_id, artist_id, case when by_player then 'mqtt' else 'http' end,
                       kind, counted, viewer_id, player_key,
                       case when by_player then received_at - make_interval(secs => r_device * 2) end, timezone, channel,
                       case when channel = 'hashtag' then (array['pixelart','gameboy','8bit','cats'])[1 + floor(4 * r_misc)::int]
                            when channel in ('user', 'by_user') then 'sqid-' || floor(r_misc * 1000)::int end,
                       case when by_player then floor(3 * r_device)::smallint end,
                       case when by_player and r_misc < 0.1 then 'playlist-' || floor(r_misc * 10000)::int end,
                       case when not by_player and is_view then 2000 + floor(28000 * r_device)::int end,
                       country,
                       case when by_player then 'player' when r_device < 0.5 then 'desktop' when r_device < 0.9 then 'mobile'
                            when r_device < 0.97 then 'tablet' else 'tv' end,
                       substr(md5('ip' || user_n %% %2$d), 1, 22),
                       case when not by_player and r_misc < 0.5 then 'makapix.club' when not by_player and r_misc < 0.6 then 'reddit.com' end,
                       received_at at time zone timezone
                from decided
                order by received_at  -- a partition fills in arrival order
                returning kind, counted
            )
            select count(*), count(*) filter (where counted and kind = 'view') from stored
            """.formatted(USERS, ANONYMOUS, PLAYERS);

    private RawEventLoader() {}

    /** Loads {@code events} events received during the whole UTC {@code day}. */
    static Loaded day(Connection c, LocalDate day, long events, Posts posts) throws SQLException {
        Instant start = day.atStartOfDay(ZoneOffset.UTC).toInstant();
        return between(c, start, start.plusSeconds(86_400), events, posts);
    }

    /** Loads {@code events} events received between {@code from} and {@code to} (the same UTC day). */
    static Loaded between(Connection c, Instant from, Instant to, long events, Posts posts) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(LOAD)) {
            ps.setObject(1, from.atOffset(ZoneOffset.UTC));
            ps.setDouble(2, (to.toEpochMilli() - from.toEpochMilli()) / 1000.0 * 0.999_999);
            ps.setLong(3, events);
            ps.setLong(4, posts.first());
            ps.setInt(5, posts.count());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Loaded(rs.getLong(1), rs.getLong(2));
            }
        }
    }
}
