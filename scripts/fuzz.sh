#!/usr/bin/env bash
# cargo-fuzz (libFuzzer) targets of fuzz/: the parsers that read what a hostile server sends.
# Installs what it lacks: cargo-fuzz from crates.io, a nightly toolchain through rustup (or, if
# nightly cannot be had, stable with RUSTC_BOOTSTRAP=1).
#
# Usage: scripts/fuzz.sh replay              every target over its committed corpus, once
#        scripts/fuzz.sh run [seconds] [t..] fuzz each target (default: all) for `seconds`
#                                            (default 600); prints executions and corpus size
#        scripts/fuzz.sh merge [t..]         fold what `run` found (fuzz/work/, ignored by git)
#                                            into the committed corpus, keeping only inputs that
#                                            reach new edges (hit counts ignored: a small corpus)
#        scripts/fuzz.sh list                the target names
#
# The committed corpus (fuzz/corpus/<target>/) holds the hand-written seeds and a minimized
# set of inputs found by earlier runs; `run` writes what it finds to fuzz/work/corpus/<target>/
# and a crashing input to fuzz/artifacts/<target>/ (reproduce it with
# `cargo +nightly fuzz run <target> fuzz/artifacts/<target>/<file>`).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

CARGO_FUZZ_VERSION=0.13.2

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "==> installing cargo-fuzz $CARGO_FUZZ_VERSION" >&2
  cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked
fi

# libFuzzer's instrumentation (-Zsanitizer) is a nightly flag.
fuzz=(cargo +nightly fuzz)
if ! rustup run nightly rustc --version >/dev/null 2>&1; then
  echo "==> installing a nightly toolchain" >&2
  if ! rustup toolchain install nightly --profile minimal; then
    echo "==> no nightly: stable with RUSTC_BOOTSTRAP=1" >&2
    export RUSTC_BOOTSTRAP=1
    fuzz=(cargo fuzz)
  fi
fi

targets() { "${fuzz[@]}" list --fuzz-dir fuzz; }

mode="${1:-replay}"
case "$mode" in
list)
  targets
  ;;
replay)
  t0=$(date +%s)
  "${fuzz[@]}" build --fuzz-dir fuzz
  t1=$(date +%s)
  for t in $(targets); do
    # -runs=0: run every input of the corpus once, then stop.
    if ! out=$("${fuzz[@]}" run --fuzz-dir fuzz "$t" "fuzz/corpus/$t" -- -runs=0 2>&1); then
      printf '%s\n' "$out" >&2
      echo "FAILED: $t (its crash input is under fuzz/artifacts/$t/)" >&2
      exit 1
    fi
    echo "ok: $t ($(ls "fuzz/corpus/$t" | wc -l) inputs)"
  done
  echo "replayed every corpus: built in $((t1 - t0)) s, ran in $(($(date +%s) - t1)) s"
  ;;
run)
  secs="${2:-600}"
  shift $(($# < 2 ? $# : 2))
  list=("$@")
  [ ${#list[@]} -gt 0 ] || mapfile -t list < <(targets)
  "${fuzz[@]}" build --fuzz-dir fuzz
  mkdir -p fuzz/work/logs
  summary=()
  for t in "${list[@]}"; do
    mkdir -p "fuzz/work/corpus/$t"
    log="fuzz/work/logs/$t.log"
    echo "==> $t: fuzzing for $secs s (log: $log)" >&2
    status=0
    start=$(date +%s)
    # New inputs go to the first directory (fuzz/work), never into the committed corpus.
    "${fuzz[@]}" run --fuzz-dir fuzz "$t" "fuzz/work/corpus/$t" "fuzz/corpus/$t" -- \
      -max_total_time="$secs" -timeout=30 -rss_limit_mb=2048 -print_final_stats=1 \
      >"$log" 2>&1 || status=$?
    took=$(($(date +%s) - start))
    execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | awk '{print $2}' | tail -1)
    corp=$(grep -o 'corp: [0-9]*/[0-9A-Za-z]*' "$log" | tail -1 | awk '{print $2}')
    result=ok
    if [ "$status" -ne 0 ]; then
      result="CRASH (exit $status; see $log and fuzz/artifacts/$t/)"
    fi
    line="$t: ${took} s, ${execs:-?} executions, corpus ${corp:-?} (inputs/bytes), $result"
    echo "$line"
    summary+=("$line")
  done
  echo
  echo "==> summary"
  printf '%s\n' "${summary[@]}"
  ! printf '%s\n' "${summary[@]}" | grep -q CRASH
  ;;
merge)
  shift
  list=("$@")
  [ ${#list[@]} -gt 0 ] || mapfile -t list < <(targets)
  for t in "${list[@]}"; do
    [ -d "fuzz/work/corpus/$t" ] || continue
    "${fuzz[@]}" run --fuzz-dir fuzz "$t" "fuzz/corpus/$t" "fuzz/work/corpus/$t" -- -merge=1 \
      -use_counters=0 >"fuzz/work/logs/$t.merge.log" 2>&1
    echo "$t: $(ls "fuzz/corpus/$t" | wc -l) inputs, $(du -sb "fuzz/corpus/$t" | cut -f1) bytes"
  done
  ;;
*)
  echo "usage: $0 replay | run [seconds] [target...] | merge [target...] | list" >&2
  exit 2
  ;;
esac
