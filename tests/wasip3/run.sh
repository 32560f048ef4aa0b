#!/usr/bin/env bash
# Runs the behaviour suite (and the WASI tests that apply) as a WASI 0.3 component in wasmtime
# with -S p3. Each case runs in its own `wasmtime run` (a failed assertion aborts a component,
# so one run per case lets the others go on), from one precompiled artifact; prints
# `test NAME ... ok|FAILED` per case and `N passed, M failed`, and fails unless all passed.
#
# Usage: ANYFETCH_TEST_SERVER=http://127.0.0.1:PORT tests/wasip3/run.sh [CASE...]
# CARGO_TARGET_DIR is honoured (default: this package's target/).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${ANYFETCH_TEST_SERVER:?the URL of a running anyfetch-testserver}"
export ANYFETCH_TEST_SERVER
target="${CARGO_TARGET_DIR:-$here/target}"

cargo build --quiet --manifest-path "$here/Cargo.toml" --target wasm32-wasip2
wasm="$target/wasm32-wasip2/debug/anyfetch_wasip3_suite.wasm"
cwasm="$target/wasm32-wasip2/debug/anyfetch_wasip3_suite.cwasm"
if [ ! -f "$cwasm" ] || [ "$wasm" -nt "$cwasm" ]; then
  wasmtime compile -W component-model-async=y -o "$cwasm" "$wasm"
fi
run() { wasmtime run -S p3 -S http --allow-precompiled --env ANYFETCH_TEST_SERVER "$cwasm" "$@"; }

if [ $# -gt 0 ]; then cases=("$@"); else mapfile -t cases < <(run --list); fi
[ "${#cases[@]}" -gt 0 ] || { echo "no cases listed" >&2; exit 1; }
passed=0
failed=()
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for case in "${cases[@]}"; do
  if run "$case" >"$log" 2>&1 && grep -q "^1 passed$" "$log"; then
    echo "test $case ... ok"
    passed=$((passed + 1))
  else
    echo "test $case ... FAILED"
    sed 's/^/    /' "$log"
    failed+=("$case")
  fi
done
echo "WASI 0.3 suite: $passed passed, ${#failed[@]} failed"
[ "${#failed[@]}" -eq 0 ] || { printf 'failed: %s\n' "${failed[@]}"; exit 1; }
