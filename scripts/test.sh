#!/usr/bin/env bash
# Runs every test: installs what is missing (Chromium too, as root), builds the app, then runs the
# tests of every crate, the end-to-end tests in headless Chromium among them.
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$ROOT"
started=$(date +%s)

ensure_build_tools
ensure_browser
build_app
report_app_size
say "Building the server for the end-to-end tests"
cargo build -p dsr-server
say "Lints (cargo clippy, warnings are errors)"
cargo clippy --workspace --all-targets -- -D warnings
cargo clippy -p dsr-app --target wasm32-unknown-unknown -- -D warnings
say "Running every test (cargo test --workspace)"
cargo test --workspace
say "All tests passed in $(( $(date +%s) - started )) s"
