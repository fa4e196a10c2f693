-- Which write started a viewer's watching of a post, and which completed it: the writer counts a
-- start (or a completion) for the artists only in the write whose id is stored here. Comparing the
-- times instead counted twice when two writes carried reports of the same instant.
alter table watch_progress
    add column started_in   uuid,
    add column completed_in uuid;
