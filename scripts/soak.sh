#!/usr/bin/env bash
# Soak: 100,000 requests (by default) through one anyfetch client with default settings, a
# fan-out of 32, against the local test server in its own process. Prints the client's resident
# memory and open descriptors after 10% of the requests and after all of them, and fails when
# memory grows by more than 10% or descriptors grow at all.
#
# Usage: scripts/soak.sh [TOTAL] [FAN_OUT]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --manifest-path benches/Cargo.toml >&2
exec benches/target/release/anyfetch-bench soak "${1:-100000}" "${2:-32}"
