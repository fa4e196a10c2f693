// How the dashboard writes numbers, days and breakdown keys. Days are UTC days, as the API counts them.

const numbers = new Intl.NumberFormat('en');
const regions = new Intl.DisplayNames(['en'], {type: 'region', fallback: 'none'});
const shortDays = new Intl.DateTimeFormat('en', {month: 'short', day: 'numeric', timeZone: 'UTC'});
const percents = new Intl.NumberFormat('en', {style: 'percent', maximumFractionDigits: 0});

/** What a figure the API left out or had none for (null) is shown as. */
export const NONE = '—';

export function count(n) {
  return numbers.format(n);
}

/** "3 h 12 min", "4 min 5 s" or "12 s" for a number of seconds, rounded to its smaller unit; NONE for null. */
export function duration(seconds) {
  if (seconds == null) {
    return NONE;
  }
  const s = Math.round(seconds);
  if (s < 60) {
    return `${s} s`;
  }
  if (s < 3600) {
    return twoUnits(Math.floor(s / 60), 'min', s % 60, 's');
  }
  const minutes = Math.round(s / 60);
  return twoUnits(Math.floor(minutes / 60), 'h', minutes % 60, 'min');
}

function twoUnits(big, bigUnit, small, smallUnit) {
  return `${count(big)} ${bigUnit}` + (small ? ` ${small} ${smallUnit}` : '');
}

/**
 * Writes a duration into a <time> element: the words for people, the exact seconds in its datetime
 * (an HTML duration, "PT11532.345S") for machines.
 */
export function showDuration(time, seconds) {
  time.textContent = duration(seconds);
  if (seconds == null) {
    time.removeAttribute('datetime');
  } else {
    time.dateTime = `PT${seconds.toFixed(3)}S`;
  }
}

/** "67%" for a share from 0 to 1; NONE for null or absent. */
export function percent(share) {
  return share == null ? NONE : percents.format(share);
}

/** Today as YYYY-MM-DD in UTC. */
export function todayUtc() {
  return new Date().toISOString().slice(0, 10);
}

/** The UTC day {@code n} days before {@code day} (both YYYY-MM-DD). */
export function daysBefore(day, n) {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - n);
  return d.toISOString().slice(0, 10);
}

/** "Nov 21" for a YYYY-MM-DD day. */
export function shortDay(day) {
  return shortDays.format(new Date(`${day}T00:00:00Z`));
}

/** "Germany (DE)" for a country code; the API says "unknown" when GeoIP had no answer. */
export function countryName(code) {
  if (code === 'unknown') {
    return 'Unknown';
  }
  let name;
  try {
    name = regions.of(code);
  } catch {
    name = undefined; // not a region code Intl knows
  }
  return name ? `${name} (${code})` : code;
}

/** Channels and devices are lower-case keys such as "by_user"; "none" is an event without a channel. */
export function keyName(key) {
  if (key === 'none') {
    return 'No channel';
  }
  const words = key.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}
