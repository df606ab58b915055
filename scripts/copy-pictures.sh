#!/usr/bin/env bash
# Copies the easy-read pictures the app uses (style/pictures.txt) from the OpenMoji package into the
# build, with OpenMoji's licence, and writes pictures/index.txt: the list the service worker keeps for
# offline use. Trunk runs it as a build hook (Trunk.toml), with TRUNK_STAGING_DIR set.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
from="$root/style/node_modules/openmoji"
to="${TRUNK_STAGING_DIR:?run by trunk build (Trunk.toml hooks)}/pictures"
[ -d "$from/color/svg" ] || { echo "copy-pictures: $from is missing: run scripts/setup.sh (npm ci in style/)" >&2; exit 1; }
mkdir -p "$to"
: >"$to/index.txt"
while read -r code _; do
  case "$code" in ''|'#'*) continue ;; esac
  cp "$from/color/svg/$code.svg" "$to/$code.svg"
  echo "/pictures/$code.svg" >>"$to/index.txt"
done <"$root/style/pictures.txt"
cp "$from/LICENSE.txt" "$to/LICENSE.txt"
