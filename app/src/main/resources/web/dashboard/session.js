// The signed-in token and artist, kept for this browser tab only (sessionStorage).

const TOKEN = 'vts:dashboard:token';
const ARTIST = 'vts:dashboard:artist';

export function stored() {
  return {token: sessionStorage.getItem(TOKEN), artist: sessionStorage.getItem(ARTIST)};
}

export function keep(token, artist) {
  sessionStorage.setItem(TOKEN, token);
  if (artist) {
    sessionStorage.setItem(ARTIST, artist);
  }
}

export function forget() {
  sessionStorage.removeItem(TOKEN);
  sessionStorage.removeItem(ARTIST);
}

/**
 * The claims of a JWT, read without verifying it (the server does that), to default the artist id
 * to its `sub`; null for anything that is not a JWT, such as the admin token.
 */
export function claimsOf(token) {
  const parts = token.split('.');
  if (parts.length !== 3) {
    return null;
  }
  try {
    const base64 = parts[1].replace(/-/g, '+').replace(/_/g, '/');
    const padded = base64.padEnd(Math.ceil(base64.length / 4) * 4, '=');
    const bytes = Uint8Array.from(atob(padded), c => c.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder().decode(bytes));
    return claims !== null && typeof claims === 'object' ? claims : null;
  } catch {
    return null;
  }
}
