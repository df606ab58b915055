# shellcheck shell=bash
# Installs what building and testing need, only what is missing, so it is quick the second time.
# Sourced by scripts/run.sh and scripts/test.sh; see ../shared/handbook/toolchain.md for why each step
# is done this way (the machines reach the package registries and nothing else).

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
export PATH="$CARGO_BIN:$ROOT/style/node_modules/.bin:$PATH"

TRUNK_VERSION="0.21.14"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
fail() { printf 'error: %s\n' "$*" >&2; exit 1; }

# The wasm-bindgen version that Cargo.lock resolved; the CLI must match it exactly.
wasm_bindgen_locked() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock"
}

ensure_wasm_target() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "Adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
}

ensure_trunk() {
  if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
    say "Installing trunk $TRUNK_VERSION (a few minutes, once)"
    cargo install trunk --version "$TRUNK_VERSION" --locked
  fi
}

ensure_wasm_bindgen() {
  local locked pinned
  locked="$(wasm_bindgen_locked)"
  [ -n "$locked" ] || fail "Cargo.lock names no wasm-bindgen version"
  pinned="$(sed -n 's/^wasm_bindgen = "\([^"]*\)".*/\1/p' "$ROOT/Trunk.toml")"
  [ "$pinned" = "$locked" ] ||
    fail "Trunk.toml pins wasm-bindgen '$pinned' but Cargo.lock has '$locked': make them equal"
  if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $locked" ]; then
    say "Installing wasm-bindgen-cli $locked (a few minutes, once)"
    # Not --locked: its own lock file names a version the registry does not serve.
    cargo install wasm-bindgen-cli --version "$locked" --force
  fi
}

# style/: the NHS design system CSS, binaryen's wasm-opt and the OpenMoji pictures, pinned by package-lock.json.
ensure_npm_packages() {
  local stamp="$ROOT/style/node_modules/.dsr-lock-sha256" want
  want="$(sha256sum "$ROOT/style/package-lock.json" | cut -d' ' -f1)"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    command -v npm >/dev/null || fail "npm is needed for style/ (Node.js 20 or later)"
    say "Installing the front-end packages of style/ (npm ci)"
    (cd "$ROOT/style" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$want" >"$stamp"
  fi
}

ensure_build_tools() {
  ensure_wasm_target
  ensure_trunk
  ensure_wasm_bindgen
  ensure_npm_packages
}

# Debian's Chromium and ChromeDriver, for the end-to-end tests. Each apt-get waits (up to 10 minutes)
# for another one to finish, as when two test commands start at once on a fresh machine.
ensure_browser() {
  if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
    return
  fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "Installing Debian's chromium and chromium-driver"
    apt-get -o DPkg::Lock::Timeout=600 update -qq
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq chromium chromium-driver >/dev/null
  else
    fail "the end-to-end tests need Chromium and ChromeDriver: install Debian's packages with
    sudo apt-get install chromium chromium-driver
then run this again"
  fi
}

# The app's WebAssembly builds in a target folder of its own: cargo locks a target folder while it
# builds, and the test command builds the native tests beside the app.
WASM_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}/wasm"

# Builds the app in release mode into dist/ (with a brotli and a gzip copy of each file).
build_app() {
  say "Building the app (trunk build --release)"
  (cd "$ROOT" && CARGO_TARGET_DIR="$WASM_TARGET_DIR" trunk build --release)
}

# cargo-nextest runs the tests of every crate side by side (the machines come with it).
ensure_nextest() {
  if ! cargo nextest --version >/dev/null 2>&1; then
    say "Installing cargo-nextest (a few minutes, once)"
    cargo install cargo-nextest --locked
  fi
}

# Prints the size of the app's two WebAssembly builds: raw, and as sent (the brotli and gzip copies the
# build wrote). The door is what a first visit downloads; the rest of the app comes when it is needed.
report_app_size() {
  local wasm part
  for part in dsr-door dsr-app; do
    wasm="$(ls "$ROOT"/dist/"$part"-*_bg.wasm 2>/dev/null | head -n 1)"
    [ -n "$wasm" ] || continue
    printf '%s wasm: %s bytes raw, %s bytes gzipped, %s bytes brotli (%s)\n' "$part" \
      "$(wc -c <"$wasm")" "$(wc -c 2>/dev/null <"$wasm.gz" || gzip -9 -c "$wasm" | wc -c)" \
      "$(wc -c 2>/dev/null <"$wasm.br" || echo '?')" "$(basename "$wasm")"
  done
}

# PostgreSQL's programs (initdb, pg_ctl, postgres): Debian's package, installed when missing.
postgres_bin() {
  local bin
  bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  [ -n "$bin" ] && [ -x "$bin/initdb" ] && echo "$bin"
}

ensure_postgres() {
  if ! postgres_bin >/dev/null; then
    [ "$(id -u)" = 0 ] || fail "PostgreSQL is missing: install Debian's postgresql package (as root: apt-get install postgresql)"
    say "Installing PostgreSQL (Debian's postgresql package, once)"
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends postgresql >/dev/null
  fi
}

# Runs a PostgreSQL program as the postgres user when we are root (initdb refuses root).
as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Starts a throw-away PostgreSQL cluster in a temporary folder, listening on 127.0.0.1 on a free port,
# and exports DSR_TEST_POSTGRES (its URL, to which the server's tests add a database of their own).
# stop_test_postgres stops it and deletes the folder.
start_test_postgres() {
  local bin port
  bin="$(postgres_bin)" || fail "PostgreSQL is missing (ensure_postgres)"
  TEST_POSTGRES_DIR="$(mktemp -d /tmp/dsr-postgres.XXXXXX)"
  [ "$(id -u)" != 0 ] || chown postgres: "$TEST_POSTGRES_DIR"
  as_postgres "$bin/initdb" -D "$TEST_POSTGRES_DIR/data" -U postgres --auth=trust -E UTF8 --no-sync >/dev/null
  # A port nothing listens on.
  for _ in $(seq 1 50); do
    port=$(( 20000 + RANDOM % 20000 ))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || break
  done
  as_postgres "$bin/pg_ctl" -D "$TEST_POSTGRES_DIR/data" -l "$TEST_POSTGRES_DIR/log" -w -t 60 \
    -o "-p $port -k $TEST_POSTGRES_DIR -c listen_addresses=127.0.0.1 -c max_connections=400" start >/dev/null \
    || { cat "$TEST_POSTGRES_DIR/log" >&2; fail "the test PostgreSQL did not start"; }
  export DSR_TEST_POSTGRES="postgres://postgres@127.0.0.1:$port"
  # Where pg_dump and pg_restore are, for the backup test.
  export DSR_TEST_POSTGRES_BIN="$bin"
  say "A throw-away PostgreSQL for the tests at $DSR_TEST_POSTGRES ($TEST_POSTGRES_DIR)"
}

stop_test_postgres() {
  if [ -n "${TEST_POSTGRES_DIR:-}" ] && [ -d "$TEST_POSTGRES_DIR" ]; then
    as_postgres "$(postgres_bin)/pg_ctl" -D "$TEST_POSTGRES_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$TEST_POSTGRES_DIR"
  fi
  TEST_POSTGRES_DIR=""
}
