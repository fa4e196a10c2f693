// The dashboard's charts, drawn by Chart.js (from its WebJar, served at /assets/chart.umd.js), each
// with its numbers as a table under "Numbers" for anyone who cannot see the chart.
import {count, countryName, duration, keyName, shortDay} from './format.js';

const COLORS = {views: '#2563eb', impressions: '#d97706', unique: '#059669', watch: '#7c3aed'};
/** One colour per device class, the same whatever the range; a class VTS may add later is grey. */
const DEVICE_COLORS = {desktop: '#2563eb', mobile: '#d97706', tablet: '#059669', player: '#7c3aed', tv: '#db2777'};
const OTHER_DEVICE = '#64748b';
/** Steps of a time axis, in seconds: whole seconds, minutes, hours or days. */
const TIME_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];
/** More countries than this and the rest are one "Other" bar; the numbers table lists them all. */
const MOST_COUNTRIES = 10;

Chart.defaults.animation = false; // numbers, not motion (and a screenshot shows the finished chart)
Chart.defaults.maintainAspectRatio = false;
Chart.defaults.color = '#5b6472';
Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;

function draw(id, config, description) {
  const canvas = document.getElementById(id);
  Chart.getChart(canvas)?.destroy();
  new Chart(canvas, config);
  canvas.setAttribute('aria-label', description);
}

/** The chart's figures as a table: a heading row and rows whose figures are right-aligned, written by {@code format}. */
function numbers(id, headings, rows, format = count) {
  const table = document.createElement('table');
  const head = table.createTHead().insertRow();
  headings.forEach((text, i) => {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = text;
    th.className = i > 0 ? 'num' : '';
    head.append(th);
  });
  const body = table.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    row.forEach((value, i) => {
      const cell = tr.insertCell();
      cell.textContent = i > 0 ? format(value) : value;
      cell.className = i > 0 ? 'num' : '';
    });
  }
  document.getElementById(id).replaceChildren(table);
}

/** A breakdown's entries, largest first. */
function largestFirst(breakdown) {
  return Object.entries(breakdown ?? {}).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

function line(label, data, color) {
  return {label, data, borderColor: color, backgroundColor: color, borderWidth: 2, pointRadius: 2, tension: 0.25};
}

const countAxis = {beginAtZero: true, ticks: {precision: 0}};

/** An axis of seconds up to {@code max}, ticked at whole seconds, minutes or hours (about six ticks), labelled "1 h 30 min". */
function timeAxis(max) {
  const step = TIME_STEPS.find(s => max / s <= 6) ?? Math.ceil(max / 6 / 86400) * 86400;
  return {beginAtZero: true, ticks: {stepSize: step, callback: value => duration(value)}};
}

/** The x axis of a chart by day: "Nov 21". */
function dayAxis(days) {
  return {ticks: {callback: i => shortDay(days[i]), maxRotation: 0, autoSkipPadding: 16}};
}

/** The title of a chart by day's tooltips. */
function dayTitle(days) {
  return items => shortDay(days[items[0].dataIndex]);
}

export function drawDaily(daily) {
  const days = daily.map(d => d.date);
  draw('daily-chart', {
    type: 'line',
    data: {labels: days, datasets: [
      line('Views', daily.map(d => d.views), COLORS.views),
      line('Impressions', daily.map(d => d.impressions), COLORS.impressions),
      line('Unique viewers', daily.map(d => d.unique_viewers), COLORS.unique)]},
    options: {
      interaction: {mode: 'index', intersect: false},
      scales: {x: dayAxis(days), y: countAxis},
      plugins: {legend: {align: 'end'}, tooltip: {callbacks: {title: dayTitle(days)}}},
    },
  }, `Views, impressions and unique viewers per day, ${days[0]} to ${days[days.length - 1]}`);
  numbers('daily-numbers', ['Day', 'Views', 'Impressions', 'Unique viewers'],
      daily.map(d => [d.date, d.views, d.impressions, d.unique_viewers]));
}

/** Watch time per day, in seconds as the API gives it (players' screen time included). */
export function drawWatchTime(daily) {
  const days = daily.map(d => d.date);
  const seconds = daily.map(d => d.watch_time_s ?? 0);
  draw('watch-chart', {
    type: 'line',
    data: {labels: days, datasets: [line('Watch time', seconds, COLORS.watch)]},
    options: {
      interaction: {mode: 'index', intersect: false},
      scales: {x: dayAxis(days), y: timeAxis(Math.max(...seconds))},
      plugins: {legend: {display: false},
                tooltip: {callbacks: {title: dayTitle(days), label: item => `Watch time: ${duration(item.raw)}`}}},
    },
  }, `Watch time per day, ${days[0]} to ${days[days.length - 1]}, ${duration(seconds.reduce((sum, s) => sum + s, 0))} in all`);
  numbers('watch-numbers', ['Day', 'Watch time', 'Average'],
      daily.map(d => [d.date, d.watch_time_s, d.avg_watch_time_s]), duration);
}

export function drawCountries(viewsByCountry) {
  const all = largestFirst(viewsByCountry).map(([code, views]) => [countryName(code), views]);
  const shown = all.length > MOST_COUNTRIES ? all.slice(0, MOST_COUNTRIES - 1) : all;
  if (shown.length < all.length) {
    const rest = all.slice(shown.length);
    shown.push([`Other (${rest.length} countries)`, rest.reduce((sum, [, views]) => sum + views, 0)]);
  }
  draw('country-chart', {
    type: 'bar',
    data: {labels: shown.map(([name]) => name),
           datasets: [{label: 'Views', data: shown.map(([, views]) => views), backgroundColor: COLORS.views}]},
    options: {indexAxis: 'y', scales: {x: countAxis}, plugins: {legend: {display: false}}},
  }, `Views by country: ${all.map(([name, views]) => `${name} ${views}`).join(', ')}`);
  numbers('country-numbers', ['Country', 'Views'], all);
}

export function drawDevices(viewsByDevice) {
  const devices = largestFirst(viewsByDevice);
  draw('device-chart', {
    type: 'doughnut',
    data: {labels: devices.map(([key]) => keyName(key)),
           datasets: [{label: 'Views', data: devices.map(([, views]) => views),
                       backgroundColor: devices.map(([key]) => DEVICE_COLORS[key] ?? OTHER_DEVICE)}]},
    options: {plugins: {legend: {position: 'right'}}},
  }, `Views by device: ${devices.map(([key, views]) => `${keyName(key)} ${views}`).join(', ')}`);
  numbers('device-numbers', ['Device', 'Views'], devices.map(([key, views]) => [keyName(key), views]));
}

export function drawChannels(viewsByChannel, impressionsByChannel) {
  const views = viewsByChannel ?? {};
  const impressions = impressionsByChannel ?? {};
  const channels = [...new Set([...Object.keys(impressions), ...Object.keys(views)])]
      .sort((a, b) => ((impressions[b] ?? 0) + (views[b] ?? 0)) - ((impressions[a] ?? 0) + (views[a] ?? 0)) || a.localeCompare(b));
  draw('channel-chart', {
    type: 'bar',
    data: {labels: channels.map(keyName), datasets: [
      {label: 'Impressions', data: channels.map(c => impressions[c] ?? 0), backgroundColor: COLORS.impressions},
      {label: 'Views', data: channels.map(c => views[c] ?? 0), backgroundColor: COLORS.views}]},
    options: {scales: {y: countAxis}, plugins: {legend: {align: 'end'}}},
  }, `Impressions and views by channel: ${channels.map(c => `${keyName(c)} ${impressions[c] ?? 0} and ${views[c] ?? 0}`).join(', ')}`);
  numbers('channel-numbers', ['Channel', 'Impressions', 'Views'],
      channels.map(c => [keyName(c), impressions[c] ?? 0, views[c] ?? 0]));
}
