// The dashboard: sign in with a token, choose an artist and a range of UTC days, and see their
// numbers from the stats API (contract §2): totals, watching (§5), charts, and a sortable page of posts.
import {artistCsv, artistStats} from './api.js';
import {drawChannels, drawCountries, drawDaily, drawDevices, drawWatchTime} from './charts.js';
import {count, daysBefore, showDuration, todayUtc} from './format.js';
import {nextSort, onSortClick, renderPosts} from './posts-table.js';
import {claimsOf, forget, keep, stored} from './session.js';

const $ = id => document.getElementById(id);
const DEFAULT_DAYS = 30;
const presets = [...document.querySelectorAll('.presets button')];

/** What is shown: the signed-in token and the table's sort and page (the rest lives in the form). */
const view = {token: null, sort: '-views', page: 1};
/** Only the answer to the latest request is shown. */
let latestRequest = 0;

/** The page's state for people (the notice) and for tests (data-state, data-renders). */
function setState(state) {
  document.body.dataset.state = state;
}

function notify(text, kind = 'info') {
  const notice = $('notice');
  notice.hidden = !text;
  notice.textContent = text ?? '';
  notice.dataset.kind = kind;
}

function showSignIn() {
  view.token = null;
  $('sign-in').hidden = false;
  $('controls').hidden = true;
  $('who').hidden = true;
  $('report').hidden = true;
  setState('signed-out');
  $('token').focus();
}

function enter(token, artist) {
  view.token = token;
  const claims = claimsOf(token);
  $('who-name').textContent = claims?.sub ? `${claims.sub}${claims.role === 'admin' ? ' (admin)' : ''}` : 'the admin token';
  $('artist').value = artist ?? claims?.sub ?? '';
  $('sign-in').hidden = true;
  $('controls').hidden = false;
  $('who').hidden = false;
  setState('signed-in');
  if ($('artist').value) {
    load();
  } else {
    notify('Enter the id of the artist whose numbers you want to see.');
    $('artist').focus();
  }
}

function choosePreset(days) {
  $('to').value = todayUtc();
  $('from').value = daysBefore($('to').value, days - 1);
  markPreset();
}

/** A preset button is pressed while the dates are exactly its range. */
function markPreset() {
  const today = todayUtc();
  for (const button of presets) {
    const matches = $('to').value === today && $('from').value === daysBefore(today, button.dataset.days - 1);
    button.setAttribute('aria-pressed', String(matches));
  }
}

function query() {
  return {artist: $('artist').value.trim(), from: $('from').value, to: $('to').value,
          page: view.page, perPage: $('per-page').value, sort: view.sort};
}

/** Fetches and shows the numbers; {@code postsOnly} when only the table's sort or page changed. */
async function load(postsOnly = false) {
  if (!$('controls').reportValidity()) {
    return;
  }
  const q = query();
  if (q.from > q.to) {
    notify('The first day must not be after the last.', 'error');
    return;
  }
  const request = ++latestRequest;
  $('report').setAttribute('aria-busy', 'true');
  setState('loading');
  try {
    const answer = await artistStats(view.token, q);
    if (request === latestRequest) {
      show(answer, postsOnly);
    }
  } catch (failure) {
    if (request === latestRequest) {
      failed(failure, q.artist);
    }
  } finally {
    $('report').removeAttribute('aria-busy');
  }
}

function show(answer, postsOnly) {
  keep(view.token, answer.artist_id);
  if (answer.views === 0 && answer.impressions === 0) {
    $('report').hidden = true;
    notify(`No views or impressions for ${answer.artist_id} from ${answer.from} to ${answer.to}. Try a longer range.`);
    setState('empty');
    return;
  }
  notify(null);
  $('report').hidden = false;
  if (!postsOnly) {
    $('total-views').textContent = count(answer.views);
    $('total-impressions').textContent = count(answer.impressions);
    $('total-unique').textContent = count(answer.unique_viewers);
    const sources = Object.entries(answer.views_by_source).map(([source, views]) => `${count(views)} from ${source}`);
    $('range-note').textContent = `${answer.artist_id}, ${answer.from} to ${answer.to} (UTC days)`
        + (sources.length ? ` · views: ${sources.join(', ')}` : '');
    showWatching(answer);
    drawDaily(answer.daily);
    drawWatchTime(answer.daily);
    drawCountries(answer.views_by_country);
    drawDevices(answer.views_by_device);
    drawChannels(answer.views_by_channel, answer.impressions_by_channel);
  }
  renderPosts(answer);
  document.body.dataset.renders = Number(document.body.dataset.renders) + 1;
  setState('ready');
}

/** All watch time, the players' part of it (screen time), and the average per view or impression that carried some. */
function showWatching(answer) {
  showDuration($('total-watch-time'), answer.watch_time_s ?? 0);
  showDuration($('total-screen-time'), answer.watch_time_by_source?.player ?? 0);
  showDuration($('average-watch-time'), answer.avg_watch_time_s ?? null);
}

function failed(failure, artist) {
  if (failure.status === 401) {
    forget();
    showSignIn();
    notify(`Your token was not accepted (${failure.message}). Please sign in again.`, 'error');
    setState('unauthorized');
    return;
  }
  $('report').hidden = true;
  if (failure.status === 403) {
    notify(`These numbers are not yours to see: “${artist}” is another artist. You can see your own numbers only.`, 'error');
    setState('forbidden');
  } else if (failure.status === 400) {
    notify(`The server did not accept this request: ${failure.message}`, 'error');
    setState('error');
  } else {
    notify(failure.status ? `Something went wrong (${failure.status}): ${failure.message}` : failure.message, 'error');
    setState('error');
  }
}

/** Fetches the CSV with the token (a plain link could not send it) and saves it as a file. */
async function downloadCsv() {
  const q = query();
  try {
    const {blob, filename} = await artistCsv(view.token, q);
    const url = URL.createObjectURL(blob);
    const link = Object.assign(document.createElement('a'), {href: url, download: filename});
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000); // the download reads it after this task
  } catch (failure) {
    failed(failure, q.artist);
  }
}

$('sign-in-form').addEventListener('submit', event => {
  event.preventDefault();
  const token = $('token').value.trim();
  keep(token, claimsOf(token)?.sub);
  $('token').value = '';
  notify(null);
  enter(token, null);
});
$('sign-out').addEventListener('click', () => {
  forget();
  showSignIn();
  notify('Signed out.');
});
$('controls').addEventListener('submit', event => {
  event.preventDefault();
  view.page = 1;
  load();
});
for (const button of presets) {
  button.addEventListener('click', () => {
    choosePreset(Number(button.dataset.days));
    view.page = 1;
    load();
  });
}
$('from').addEventListener('change', markPreset);
$('to').addEventListener('change', markPreset);
onSortClick(column => {
  view.sort = nextSort(view.sort, column);
  view.page = 1;
  load(true);
});
$('previous-page').addEventListener('click', () => {
  view.page -= 1;
  load(true);
});
$('next-page').addEventListener('click', () => {
  view.page += 1;
  load(true);
});
$('per-page').addEventListener('change', () => {
  view.page = 1;
  load(true);
});
$('download-csv').addEventListener('click', downloadCsv);

choosePreset(DEFAULT_DAYS);
const session = stored();
if (session.token) {
  enter(session.token, session.artist);
} else {
  showSignIn();
}
