#!/usr/bin/env bash
# Runs every test: installs what is missing (Chromium too, as root), builds the app, then runs the
# tests of every crate, the end-to-end tests in headless Chromium among them. Prints how long each
# phase took at the end.
#
# Built once, run side by side: the app's WebAssembly builds (in its own target folder) while the
# native lints and tests build beside it, since its long optimising link leaves a core idle, and the
# tests that need no browser run beside it too; then cargo-nextest runs the end-to-end tests, three
# browsers at a time (.config/nextest.toml).
# The server's tests run twice: on SQLite files, then on a throw-away PostgreSQL cluster (initdb in a
# temporary folder, stopped and deleted at the end).
# The benchmarks are not built (scripts/bench.sh builds and runs them).
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$ROOT"
started=$(date +%s)
# The server's tests choose SQLite unless told of a PostgreSQL: the cluster started below tells them.
unset DSR_TEST_POSTGRES
phases=()
mark=$started
# Ends a phase: remembers its name and how long it took.
phase() {
  local now
  now=$(date +%s)
  phases+=("$1: $(( now - mark )) s")
  mark=$now
}
print_phases() {
  say "Phases: $(IFS=';'; echo "${phases[*]}" | sed 's/;/, /g')"
}

# A fresh target/ (CI's): incremental compilation only costs time when there is nothing to reuse.
if [ ! -d "${CARGO_TARGET_DIR:-$ROOT/target}/debug" ]; then
  export CARGO_INCREMENTAL=0
fi

ensure_build_tools
ensure_nextest
ensure_browser
ensure_postgres
phase "tools"

app_log="$(mktemp)"
app_started=$(date +%s)
(
  build_app
  report_app_size
  say "Lints of the app and its tests for WebAssembly (cargo clippy, warnings are errors)"
  CARGO_TARGET_DIR="$WASM_TARGET_DIR" cargo clippy -p dsr-app --target wasm32-unknown-unknown --all-targets -- -D warnings
  echo "app built in $(( $(date +%s) - app_started )) s"
) >"$app_log" 2>&1 &
app_pid=$!
# Whatever happens here, neither the app's build nor the test PostgreSQL outlives the script.
trap 'kill "$app_pid" 2>/dev/null || true; rm -f "$app_log"; stop_test_postgres' EXIT
say "Building the app (and linting it) beside the native build; its output comes when it ends"

# Lints and the test build in one pass: clippy's driver compiles the workspace's own crates (linting
# them; warnings are errors) into the very artefacts the tests run, so the dependencies are compiled
# once rather than checked once and built again. Every native cargo command here has the same
# settings, so none rebuilds what another built. (CLIPPY_ARGS is how `cargo clippy` itself passes its
# arguments to the driver.) The app is linted for WebAssembly, what it is built for, beside its build.
native() {
  RUSTC_WORKSPACE_WRAPPER="$(rustup which clippy-driver)" \
    CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__" \
    cargo nextest run --workspace --all-features "$@"
}
say "Building every test and the server, linted (clippy's driver: warnings are errors)"
native --no-run
phase "native lints and test build"

# The tests that need no browser run while the app is still building: its long optimising link
# leaves a core idle.
say "Running the tests that need no browser, beside the app's build (every crate but the end-to-end tests)"
native_ok=0
native -E 'not package(dsr-e2e-tests)' || native_ok=$?
phase "tests without a browser"

# The server's tests again, each on a new database of a throw-away PostgreSQL cluster (the runs above
# use SQLite files); the end-to-end crash test uses it too.
start_test_postgres
say "Running the server's tests on PostgreSQL"
postgres_ok=0
native -E 'package(dsr-server) and kind(test)' || postgres_ok=$?
phase "the server's tests on PostgreSQL"

app_ok=0
wait "$app_pid" || app_ok=$?
cat "$app_log"
[ "$app_ok" = 0 ] || { print_phases; fail "the app did not build, or its lints failed (above)"; }
phase "waiting for the app ($(tail -n 1 "$app_log"))"

say "Running the end-to-end tests (the dsr-e2e-tests crate)"
e2e_ok=0
native -E 'package(dsr-e2e-tests)' || e2e_ok=$?
phase "end-to-end tests"
print_phases
[ "$native_ok" = 0 ] || fail "some tests without a browser failed (above)"
[ "$postgres_ok" = 0 ] || fail "some of the server's tests failed on PostgreSQL (above)"
[ "$e2e_ok" = 0 ] || fail "some end-to-end tests failed (above)"
say "All tests passed in $(( $(date +%s) - started )) s"
