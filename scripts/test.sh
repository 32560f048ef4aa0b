#!/usr/bin/env bash
# Runs every test suite of anyfetch, installing first whatever a fresh machine lacks.
# Usage: scripts/test.sh            (what .ci/run calls)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

step() { printf '\n==> %s\n' "$*"; }

step "toolchain components (rustfmt, clippy)"
for c in rustfmt clippy; do
  rustup component list --installed 2>/dev/null | grep -q "^$c" || rustup component add "$c"
done

step "format"
cargo fmt --all -- --check

step "lint"
cargo clippy --workspace --all-targets --features blocking -- -D warnings

step "native: unit tests, MockTransport suite, integration against the local server, doc tests, examples"
cargo test --workspace --features blocking

step "all suites passed"
