// The per-post table: one page of rows, the sorted column marked, and the pager under it.
import {count, NONE, percent, showDuration} from './format.js';

const headers = [...document.querySelectorAll('#posts-table th[data-sort]')];
const columns = document.querySelectorAll('#posts-table thead th').length;

/**
 * The sort after a click on a column: the other direction if it is the sorted one, else the
 * column's natural one (most first for counts, lowest first for post ids). "-" means descending.
 */
export function nextSort(current, column) {
  const descending = current.startsWith('-');
  if ((descending ? current.slice(1) : current) === column) {
    return descending ? column : `-${column}`;
  }
  return column === 'post_id' ? column : `-${column}`;
}

export function onSortClick(handler) {
  for (const th of headers) {
    th.querySelector('button').addEventListener('click', () => handler(th.dataset.sort));
  }
}

function cell(row, text, className) {
  const td = row.insertCell();
  td.textContent = text;
  if (className) {
    td.className = className;
  }
}

/** A watch time: the words, and the exact seconds for machines. */
function durationCell(row, seconds) {
  const time = document.createElement('time');
  showDuration(time, seconds);
  const td = row.insertCell();
  td.className = 'num';
  td.append(time);
}

/** Shows an artist-stats answer's page of posts, its sort and where the page is. */
export function renderPosts(answer) {
  const body = document.getElementById('posts-rows');
  body.replaceChildren();
  for (const post of answer.posts) {
    const row = body.insertRow();
    row.dataset.postId = post.post_id;
    cell(row, post.post_id);
    cell(row, post.title ?? 'Untitled', post.title == null ? 'untitled' : '');
    cell(row, count(post.views), 'num');
    cell(row, count(post.impressions), 'num');
    cell(row, count(post.unique_viewers), 'num');
    durationCell(row, post.watch_time_s ?? 0);
    // "—" for a post with nothing started (null), and while the API does not give these fields yet
    cell(row, post.completions == null ? NONE : count(post.completions), 'num');
    cell(row, percent(post.completion_rate), 'num');
  }
  if (answer.posts.length === 0) {
    const row = body.insertRow();
    const td = row.insertCell();
    td.colSpan = columns;
    td.textContent = answer.total_posts === 0 ? 'This artist has no posts.' : 'No posts on this page.';
  }

  const column = answer.sort.replace(/^-/, '');
  for (const th of headers) {
    if (th.dataset.sort === column) {
      th.setAttribute('aria-sort', answer.sort.startsWith('-') ? 'descending' : 'ascending');
    } else {
      th.removeAttribute('aria-sort');
    }
  }

  const pages = Math.max(1, Math.ceil(answer.total_posts / answer.per_page));
  document.getElementById('page-info').textContent =
      `Page ${answer.page} of ${pages} · ${count(answer.total_posts)} ${answer.total_posts === 1 ? 'post' : 'posts'}`;
  document.getElementById('previous-page').disabled = answer.page <= 1;
  document.getElementById('next-page').disabled = answer.page >= pages;
}
