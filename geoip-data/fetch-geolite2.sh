#!/usr/bin/env bash
# Downloads MaxMind's GeoLite2 Country database into geoip-data/GeoLite2-Country.mmdb.
# Needs a (free) MaxMind account and its licence key in MAXMIND_LICENSE_KEY; see README.md here.
set -euo pipefail

edition=GeoLite2-Country
: "${MAXMIND_LICENSE_KEY:?set MAXMIND_LICENSE_KEY to a MaxMind licence key (see geoip-data/README.md)}"
command -v curl >/dev/null || { echo "fetch-geolite2: curl is needed" >&2; exit 1; }

here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

download() { # $1 = suffix, $2 = output file
  # The URL goes to curl on stdin, so the licence key shows in no process list.
  printf 'url = "https://download.maxmind.com/app/geoip_download?edition_id=%s&license_key=%s&suffix=%s"\n' \
    "$edition" "$MAXMIND_LICENSE_KEY" "$1" | curl --fail --silent --show-error --location --config - --output "$2"
}

download tar.gz "$work/$edition.tar.gz"
download tar.gz.sha256 "$work/$edition.tar.gz.sha256"

# The .sha256 file names the dated tarball, not ours: compare the hashes alone.
expected="$(cut -d ' ' -f 1 "$work/$edition.tar.gz.sha256")"
actual="$(sha256sum "$work/$edition.tar.gz" | cut -d ' ' -f 1)"
if [ "$expected" != "$actual" ]; then
  echo "fetch-geolite2: checksum mismatch, nothing changed" >&2
  exit 1
fi

# The tarball holds GeoLite2-Country_YYYYMMDD/GeoLite2-Country.mmdb (plus licence files).
tar -xzf "$work/$edition.tar.gz" -C "$work"
mmdb="$(find "$work" -name "$edition.mmdb" -print -quit)"
[ -n "$mmdb" ] || { echo "fetch-geolite2: no $edition.mmdb in the download" >&2; exit 1; }

# Copy next to the target, then rename: a running VTS never sees half a file.
cp "$mmdb" "$here/.$edition.mmdb.partial"
mv -f "$here/.$edition.mmdb.partial" "$here/$edition.mmdb"
echo "$here/$edition.mmdb"
echo "start VTS with VTS_GEOIP_DB=$here/$edition.mmdb (restart it to use a newer file)" >&2
