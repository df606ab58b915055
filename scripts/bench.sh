#!/usr/bin/env bash
# Benchmarks: prints figures (sync throughput and latency, draft autosave, many devices at once),
# asserts no timings.
# Uses a release build of the server and the release build of the app.
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$ROOT"

ensure_build_tools
ensure_browser
ensure_postgres
# The load benchmark runs against SQLite, then against a throw-away PostgreSQL cluster.
start_test_postgres
trap stop_test_postgres EXIT
build_app
report_app_size
cargo build --release -p dsr-server
DSR_SERVER_BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/dsr-server" \
  cargo test --release -p dsr-e2e-tests --features bench --test bench_sync --test bench_live --test bench_load -- --ignored --nocapture 2>&1 | grep -E '^bench|test result|panicked'
DSR_SIM_CASES=10000 cargo test --release -p dsr-shared --test sync_simulation -- --nocapture 2>&1 | grep -E '^sync simulation|test result'
