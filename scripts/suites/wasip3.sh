#!/usr/bin/env bash
# Suite `wasip3`: the WASI 0.3 backend (feature `wasip3`). The behaviour suite as 0.3 components
# (wasmtime run -S p3), the command example (one fetch, and a fan-out of five that must wait
# together), and the service example under wasmtime serve -S p3, several requests at once.
source "$(dirname "$0")/../lib.sh"

step "toolchain: wasm32-wasip2, wasmtime $WASMTIME_VERSION"
need_wasmtime
start_testserver

step "behaviour suite and WASI tests, as 0.3 components (tests/wasip3/run.sh)"
CARGO_TARGET_DIR="$target_dir" tests/wasip3/run.sh

step "build the examples (release-small)"
for ex in examples/wasip3-fetch examples/wasip3-service; do
  CARGO_TARGET_DIR="$target_dir" cargo build --locked --manifest-path "$ex/Cargo.toml" \
    --target wasm32-wasip2 --profile release-small
done
fetch3_wasm="$target_dir/wasm32-wasip2/release-small/anyfetch_wasip3_fetch.wasm"
service3_wasm="$target_dir/wasm32-wasip2/release-small/anyfetch_wasip3_service.wasm"
ls -l "$fetch3_wasm" "$service3_wasm"

step "the command example fetches, and fans out 5 one-second requests at once"
wasmtime run -S p3 -S http "$fetch3_wasm" "$ANYFETCH_TEST_SERVER/get?from=wasip3-fetch" >"$work/fetch3.out"
expect "$work/fetch3.out" '"from": *"wasip3-fetch"'
wasmtime run -S p3 -S http "$fetch3_wasm" --fan-out 5 "$ANYFETCH_TEST_SERVER/delay/1" >"$work/fan3.out"
cat "$work/fan3.out"
# Together, not one after another: well under the 5 s that waiting in turn would take.
awk '/^5 requests in/ { exit !($4 >= 1.0 && $4 < 2.5) } END { if (NR == 0) exit 1 }' "$work/fan3.out" \
  || fail "the five requests did not wait together"
echo "ok: the body came from the test server; the five requests waited together"

step "the service example answers under wasmtime serve -S p3, several requests at once"
port=$(free_port)
spawn wasmtime serve -S p3 -S cli --env "UPSTREAM=$ANYFETCH_TEST_SERVER" --addr "127.0.0.1:$port" \
  "$service3_wasm" >"$work/serve3.out" 2>&1
wait_for_http "http://127.0.0.1:$port/get?via=service" -D "$work/service3.head" -o "$work/service3.out" \
  || { cat "$work/serve3.out"; exit 1; }
expect "$work/service3.head" -i '^x-proxied-by: anyfetch-wasip3-service'
expect "$work/service3.out" "\"url\": *\"$ANYFETCH_TEST_SERVER/get?via=service\""
start=$(date +%s.%N)
curls=()
for i in 1 2 3 4 5; do
  curl -sf -o /dev/null "http://127.0.0.1:$port/delay/1" &
  curls+=("$!")
done
for c in "${curls[@]}"; do wait "$c"; done
took=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }')
echo "5 one-second requests through the service: $took s"
awk -v t="$took" 'BEGIN { exit !(t < 2.5) }' || fail "the service did not serve the five requests at once"
echo "ok: the service answered with the upstream's body, and served five requests at once"
