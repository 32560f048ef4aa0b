#!/usr/bin/env bash
# Side-by-side benchmark: anyfetch (native) vs raw hyper (hyper-util legacy pooled client) vs
# reqwest, against the local anyfetch-testserver (started by the benchmark itself, in its own
# process, on 127.0.0.1). Prints a Markdown table on stdout; progress goes to stderr.
#
# Usage: scripts/bench.sh [anyfetch-bench options]
#   e.g. scripts/bench.sh --rounds 7
#        scripts/bench.sh --only anyfetch,anyfetch-ka64,hyper,reqwest --scenarios conc
#
# The benchmark is its own cargo package and workspace (benches/), with its own lock file and
# target directory (benches/target), so the root workspace never builds reqwest.
set -euo pipefail
if [ "${1:-}" = wasm ]; then shift; exec "$(dirname "$0")/bench-wasm.sh" "$@"; fi # the wasm size and WASI tables
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

echo "==> building benches/ (release)" >&2
t0=$(date +%s)
cargo build --release --manifest-path benches/Cargo.toml >&2
t1=$(date +%s)
echo "==> built in $((t1 - t0)) s" >&2

echo "==> running" >&2
cargo run --quiet --release --manifest-path benches/Cargo.toml -- "$@"
t2=$(date +%s)

versions=$(awk '
  /^name = / { gsub(/"/, "", $3); name = $3 }
  /^version = / && (name == "anyfetch" || name == "hyper" || name == "hyper-util" || name == "reqwest" || name == "tokio") {
    gsub(/"/, "", $3); printf "%s%s %s", sep, name, $3; sep = ", "
  }' benches/Cargo.lock)
echo "- toolchain: $(rustc -V); crates: ${versions}"
echo "- build: $((t1 - t0)) s, run: $((t2 - t1)) s"
