#!/usr/bin/env bash
# Side-by-side benchmark matrix: anyfetch (native) vs raw hyper (hyper-util legacy pooled
# client, hyper-rustls) vs reqwest vs curl (the command line tool), over HTTP/1.1 and HTTP/2,
# plain and TLS, x sequential, 64 in flight and 100 MiB stream. The server is Debian's nginx,
# started by the benchmark as the current user with its own configuration and a CA made at run
# time in a temporary directory (and, for `--protos h1t`, the project's anyfetch-testserver).
# Prints Markdown tables on stdout; progress goes to stderr.
#
# Usage: scripts/bench.sh [anyfetch-bench options]
#   --protos h1,h1s,h2,h2s[,h1t]   protocols (default: the four against nginx)
#   --scenarios seq,conc,stream    scenarios (default: all)
#   --only anyfetch,hyper,reqwest,curl[,anyfetch-ka64,anyfetch-lean,anyfetch-str]
#   --rounds N (default 5), --seq N, --conc-total N, --conc N, --stream-mib N, --stream-reps N
#   e.g. scripts/bench.sh --rounds 7
#        scripts/bench.sh --protos h2s --scenarios stream --only anyfetch,reqwest,curl --rounds 9
#        scripts/bench.sh --protos h1t --only anyfetch,anyfetch-ka64,hyper,reqwest --scenarios conc
#
# nginx, curl and openssl are installed with apt-get when missing (needs root).
#
# The benchmark is its own cargo package and workspace (benches/), with its own lock file and
# target directory (benches/target), so the root workspace never builds reqwest.
set -euo pipefail
if [ "${1:-}" = wasm ]; then shift; exec "$(dirname "$0")/bench-wasm.sh" "$@"; fi # the wasm size and WASI tables
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

missing=()
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
command -v curl >/dev/null || missing+=(curl)
command -v openssl >/dev/null || missing+=(openssl)
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> installing ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >&2
fi
# nginx lives in /usr/sbin, which a non-root PATH may lack.
export PATH="$PATH:/usr/sbin"

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
  /^version = / && (name == "anyfetch" || name == "hyper" || name == "hyper-util" || name == "h2" || name == "reqwest" || name == "rustls" || name == "tokio") {
    gsub(/"/, "", $3); printf "%s%s %s", sep, name, $3; sep = ", "
  }' benches/Cargo.lock)
echo "- toolchain: $(rustc -V); crates: ${versions}"
echo "- servers and tools: $(/usr/sbin/nginx -v 2>&1 | sed 's/^nginx version: //'), $(curl -V | head -1 | cut -d' ' -f1-2), $(openssl version | cut -d' ' -f1-2)"
echo "- build: $((t1 - t0)) s, run: $((t2 - t1)) s"
