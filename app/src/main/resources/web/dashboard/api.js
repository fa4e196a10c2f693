// The stats API (contract §2), called with the signed-in token.

/** A refused or failed call: the HTTP status (0: no answer) and the server's {error, code}. */
export class ApiFailure extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function get(path, token) {
  let response;
  try {
    response = await fetch(path, {headers: {Authorization: `Bearer ${token}`}, cache: 'no-store'});
  } catch {
    throw new ApiFailure(0, 'unreachable', 'The server could not be reached.');
  }
  if (!response.ok) {
    let body = {};
    try {
      body = await response.json();
    } catch {
      // not a JSON error: the status says enough
    }
    throw new ApiFailure(response.status, body.code ?? `http_${response.status}`, body.error ?? response.statusText);
  }
  return response;
}

function artistPath(artist, file) {
  return `/v1/artists/${encodeURIComponent(artist)}/${file}`;
}

/** Totals, breakdowns, days and one page of per-post rows. */
export async function artistStats(token, {artist, from, to, page, perPage, sort}) {
  const query = new URLSearchParams({from, to, page, per_page: perPage, sort});
  return (await get(`${artistPath(artist, 'stats')}?${query}`, token)).json();
}

/** Every per-post row as CSV: the file's contents and the name the server suggests. */
export async function artistCsv(token, {artist, from, to, sort}) {
  const response = await get(`${artistPath(artist, 'stats.csv')}?${new URLSearchParams({from, to, sort})}`, token);
  const disposition = response.headers.get('Content-Disposition') ?? '';
  const suggested = /filename="([^"]+)"/.exec(disposition);
  return {blob: await response.blob(), filename: suggested ? suggested[1] : `${artist}-${from}-${to}.csv`};
}
