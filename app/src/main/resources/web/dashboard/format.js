// How the dashboard writes numbers, days and breakdown keys. Days are UTC days, as the API counts them.

const numbers = new Intl.NumberFormat('en');
const regions = new Intl.DisplayNames(['en'], {type: 'region', fallback: 'none'});
const shortDays = new Intl.DateTimeFormat('en', {month: 'short', day: 'numeric', timeZone: 'UTC'});

export function count(n) {
  return numbers.format(n);
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
