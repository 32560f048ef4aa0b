#!/usr/bin/env bash
# Suite `web`: the fetch backend through the Rust API (wasm32-unknown-unknown). The behaviour
# suite under wasm-bindgen-test in Node, headless Chromium and headless Firefox ESR, and the
# ASCII-only IDNA program in Node. The test server's URL, and a port where nothing listens, are
# compiled into the tests.
source "$(dirname "$0")/../lib.sh"

step "toolchain: wasm32-unknown-unknown, wasm-bindgen's test runner, Chromium, Firefox ESR, geckodriver $GECKODRIVER_VERSION"
need_wasm_bindgen
need_chromium
need_firefox
node --version
start_testserver
ANYFETCH_DEAD_PORT=$(free_port)
export ANYFETCH_DEAD_PORT

step "behaviour suite in Node"
cargo test --locked --target wasm32-unknown-unknown --test behaviour

step "the ASCII-only IDNA program in Node (the runtime maps the host)"
CARGO_TARGET_DIR="$target_dir" cargo test --locked --manifest-path tests/idna-ascii/Cargo.toml --target wasm32-unknown-unknown

step "behaviour suite in headless Chromium"
WASM_BINDGEN_USE_BROWSER=1 cargo test --locked --target wasm32-unknown-unknown --test behaviour

step "behaviour suite in headless Firefox ESR (geckodriver)"
# Its capabilities (the binary, quiet prefs) are in webdriver-firefox.json; the runner adds
# -headless. The runner's banner is checked: a run in another browser would not count.
WASM_BINDGEN_USE_BROWSER=1 GECKODRIVER="$geckodriver_bin" \
  WASM_BINDGEN_TEST_WEBDRIVER_JSON="$root/webdriver-firefox.json" \
  cargo test --locked --target wasm32-unknown-unknown --test behaviour 2>&1 | tee "$work/firefox.out"
expect "$work/firefox.out" '^Running headless tests in Firefox'
