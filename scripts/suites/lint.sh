#!/usr/bin/env bash
# Suite `lint`: format, clippy and docs on every target the crate builds for (native, WASI 0.2
# and 0.3, the browser and the npm package's `js` feature), the packages beside it included; and
# the vendored WASI WIT matches its pinned bindings; the layering of docs/architecture.md holds.
source "$(dirname "$0")/../lib.sh"

step "toolchain: rustfmt, clippy, the wasm targets"
need_component rustfmt clippy
need_target wasm32-wasip2 wasm32-unknown-unknown

step "format (the workspace and the packages of their own)"
cargo fmt --all -- --check
for m in examples/wasi-fetch examples/wasi-proxy examples/wasip3-fetch examples/wasip3-service tests/wasip3 tests/idna-ascii js/crate js/cli; do
  cargo fmt --manifest-path "$m/Cargo.toml" -- --check
done

step "clippy: native"
cargo clippy --locked --workspace --all-targets --features blocking,tracing -- -D warnings

step "docs: missing docs and broken links are errors"
RUSTDOCFLAGS="-D warnings" cargo doc --locked --no-deps --features blocking,tracing

step "clippy: WASI 0.2 and 0.3 (library, tests, the CLI, the examples)"
cargo clippy --locked --target wasm32-wasip2 --lib --features blocking -- -D warnings
cargo clippy --locked -p anyfetch-cli --target wasm32-wasip2 -- -D warnings
cargo clippy --locked --target wasm32-wasip2 --features blocking --test behaviour --test wasi -- -D warnings
cargo clippy --locked --target wasm32-wasip2 --lib --features wasip3 -- -D warnings
for m in examples/wasi-fetch examples/wasi-proxy examples/wasip3-fetch examples/wasip3-service tests/wasip3; do
  CARGO_TARGET_DIR="$target_dir" cargo clippy --locked --manifest-path "$m/Cargo.toml" --target wasm32-wasip2 -- -D warnings
done

step "clippy: browser and Node (the fetch backend, the behaviour suite, the npm package's js feature and its command)"
cargo clippy --locked --target wasm32-unknown-unknown --lib -- -D warnings
cargo clippy --locked --target wasm32-unknown-unknown --lib --no-default-features -- -D warnings
cargo clippy --locked --target wasm32-unknown-unknown --test behaviour -- -D warnings
cargo clippy --locked --target wasm32-unknown-unknown --features js --lib -- -D warnings
cargo clippy --locked --target wasm32-unknown-unknown --no-default-features --features js --lib -- -D warnings
cargo clippy --locked -p anyfetch-cli --lib --target wasm32-unknown-unknown -- -D warnings

step "structure: no import cycle outside the engine, and docs/architecture.md names every file of src/"
python3 scripts/structure.py --check | tail -1

step "WASI: the vendored WIT and the bindings are wasi 0.2.0 (wit/deps) and 0.3.0 (wit/p3/deps)"
scripts/vendor-wit.sh --check
