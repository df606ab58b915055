#!/usr/bin/env bash
# Runs the product: installs what is missing, builds the app and the server in release mode, and
# serves on http://127.0.0.1:8080 with the SQLite database in ./data/.
# Arguments go to the server: --demo loads a fictional demo area; --help lists the rest.
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$ROOT"

ensure_build_tools
build_app
say "Building the server (cargo build --release)"
cargo build --release -p dsr-server
say "Starting; stop with Ctrl-C"
exec "${CARGO_TARGET_DIR:-$ROOT/target}/release/dsr-server" "$@"
