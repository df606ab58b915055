#!/usr/bin/env bash
# Runs every test: installs what is missing (Chromium too, as root), builds the app, then runs the
# tests of every crate, the end-to-end tests in headless Chromium among them. Prints how long each
# phase took at the end.
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$ROOT"
started=$(date +%s)
phases=()
mark=$started
# Ends a phase: remembers its name and how long it took.
phase() {
  local now
  now=$(date +%s)
  phases+=("$1: $(( now - mark )) s")
  mark=$now
}

ensure_build_tools
ensure_browser
phase "tools"
build_app
report_app_size
phase "app build"
say "Building the server for the end-to-end tests"
cargo build -p dsr-server
phase "server build"
say "Lints (cargo clippy, warnings are errors)"
cargo clippy --workspace --all-targets -- -D warnings
cargo clippy -p dsr-app --target wasm32-unknown-unknown -- -D warnings
phase "lints"
say "Running every test (cargo test --workspace)"
cargo test --workspace
phase "tests (with their build)"
say "Phases: $(IFS=';'; echo "${phases[*]}" | sed 's/;/, /g')"
say "All tests passed in $(( $(date +%s) - started )) s"
