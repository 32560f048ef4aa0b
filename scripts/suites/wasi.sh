#!/usr/bin/env bash
# Suite `wasi`: the WASI 0.2 backend. The behaviour suite and the WASI tests as components in
# wasmtime, the command example under wasmtime and under jco (a second host, on Node), and the
# proxy example under wasmtime serve.
source "$(dirname "$0")/../lib.sh"

step "toolchain: wasm32-wasip2, wasmtime $WASMTIME_VERSION"
need_wasmtime
start_testserver

step "behaviour suite and WASI tests, as components in wasmtime (the cargo runner in .cargo/config.toml)"
cargo test --locked --target wasm32-wasip2 --features blocking --test behaviour --test wasi

step "build the examples (the command with the release-small profile)"
CARGO_TARGET_DIR="$target_dir" cargo build --locked --manifest-path examples/wasi-fetch/Cargo.toml \
  --target wasm32-wasip2 --profile release-small
CARGO_TARGET_DIR="$target_dir" cargo build --locked --manifest-path examples/wasi-proxy/Cargo.toml \
  --target wasm32-wasip2 --release
fetch_wasm="$target_dir/wasm32-wasip2/release-small/anyfetch-wasi-fetch.wasm"
proxy_wasm="$target_dir/wasm32-wasip2/release/anyfetch_wasi_proxy.wasm"
ls -l "$fetch_wasm" "$proxy_wasm"

step "the command example fetches from the test server (wasmtime run -S http)"
wasmtime run -S http "$fetch_wasm" "$ANYFETCH_TEST_SERVER/get?from=wasi-fetch" >"$work/fetch.out"
expect "$work/fetch.out" '"from": *"wasi-fetch"'
echo "ok: the body came from the test server"

step "the proxy example answers under wasmtime serve"
port=$(free_port)
spawn wasmtime serve -S cli --env "UPSTREAM=$ANYFETCH_TEST_SERVER" --addr "127.0.0.1:$port" \
  "$proxy_wasm" >"$work/serve.out" 2>&1
wait_for_http "http://127.0.0.1:$port/get?via=proxy" -D "$work/proxy.head" -o "$work/proxy.out" \
  || { cat "$work/serve.out"; exit 1; }
expect "$work/proxy.head" -i '^x-proxied-by: anyfetch-wasi-proxy'
expect "$work/proxy.out" "\"url\": *\"$ANYFETCH_TEST_SERVER/get?via=proxy\""
echo "ok: the proxy answered with the upstream's body"

step "the command example also runs under jco (a second WASI 0.2 host, on Node)"
need_npm tests/jco
tests/jco/node_modules/.bin/jco run "$fetch_wasm" "$ANYFETCH_TEST_SERVER/get?from=jco" >"$work/jco.out"
expect "$work/jco.out" '"from": *"jco"'
echo "ok: jco $(tests/jco/node_modules/.bin/jco --version) ran the component; the body came from the test server"
