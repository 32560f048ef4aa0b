#!/usr/bin/env bash
# The wasm side of the benchmark: the same small program (GET a URL, read the body, parse it as
# JSON, print one field) written with anyfetch and with its peers, kept in benches/wasm/:
#
#   WASI 0.2 command components (wasm32-wasip2, `wasmtime run -S http`):
#     anyfetch (json only), anyfetch-p3 (json only, the WASI 0.3 backend: a command exporting
#     an async `run`, run with -S p3), anyfetch-ascii (json only, the program pins url's ASCII-only IDNA
#     backend, idna_adapter 1.0), anyfetch (default features), wstd 0.6, waki 0.5, and the
#     floor: a raw client on the `wasip2` bindings;
#   web (wasm32-unknown-unknown, `wasm-bindgen --target web`, run in Node's global fetch):
#     anyfetch (json only), anyfetch-ascii (the same with the pin) and reqwest 0.13.
#
# Every program is built with the root crate's `release-small` profile (opt-level z, LTO, one
# codegen unit, strip, panic=abort), then run against the local test server: each must print
# the right field of a 200 response, or the script stops (a broken client must not look small
# or fast). Prints on stdout:
#   1. a size table (raw and gzip -9 bytes; with --wasm-opt, also after `wasm-opt -Oz`);
#   2. a WASI timing table: COUNT sequential GETs of a 14-byte JSON body in one
#      `wasmtime run -S http`, ROUNDS alternating rounds (the order rotates every round, one
#      warm-up round not counted): wall and CPU time of the whole process, medians and min–max,
#      and the ratio to wstd's run of the same round (its median and spread).
#
# Usage: scripts/bench-wasm.sh [--rounds N] [--count N] [--wasm-opt] [--no-time]
# Needs: rustup targets wasm32-wasip2 and wasm32-unknown-unknown, wasmtime, wasm-bindgen (the
# version pinned in benches/wasm/web-*/Cargo.toml), node >= 18, python3, curl; --wasm-opt
# installs binaryen from npm into benches/wasm/node_modules (once).
# CARGO_TARGET_DIR defaults to benches/wasm/target (one directory for every program).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/benches/wasm/target}"

# wasmtime 48 captures a backtrace on every WASI 0.3 task's fiber disposal when RUST_BACKTRACE
# is set (docs/wasi.md): that would time the environment, not the runtimes.
unset RUST_BACKTRACE RUST_LIB_BACKTRACE

rounds=9
count=500
wasm_opt=0
timing=1
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --count) count=$2; shift 2 ;;
    --wasm-opt) wasm_opt=1; shift ;;
    --no-time) timing=0; shift ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done

wasi_programs=(anyfetch-json anyfetch-p3 anyfetch-ascii anyfetch-default wstd waki raw)
web_programs=(anyfetch anyfetch-ascii reqwest)
harness="python3 $root/benches/wasm/harness.py"

for tool in wasmtime wasm-bindgen node python3 curl gzip; do
  command -v "$tool" >/dev/null || { echo "missing: $tool (see docs in $0)" >&2; exit 1; }
done

echo "==> building the test server and the programs (release-small)" >&2
cargo build --release -p anyfetch-testserver --bin anyfetch-testserver >&2
for p in "${wasi_programs[@]}"; do
  cargo build --manifest-path "benches/wasm/wasi-$p/Cargo.toml" --target wasm32-wasip2 \
    --profile release-small >&2
done
for p in "${web_programs[@]}"; do
  cargo build --manifest-path "benches/wasm/web-$p/Cargo.toml" --target wasm32-unknown-unknown \
    --profile release-small >&2
done
wasi_dir="$CARGO_TARGET_DIR/wasm32-wasip2/release-small"
# The 0.3 program is a cdylib (its file name has underscores), run with WASI 0.3 on.
if [ -f "$wasi_dir/bench_wasi_anyfetch_p3.wasm" ]; then
  cp "$wasi_dir/bench_wasi_anyfetch_p3.wasm" "$wasi_dir/bench-wasi-anyfetch-p3.wasm"
fi
wasi_flags() { case "$1" in *p3*) echo "-S p3 -S http" ;; *) echo "-S http" ;; esac; }
web_dir="$CARGO_TARGET_DIR/wasm32-unknown-unknown/release-small"
out=$(mktemp -d)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$out"
}
trap cleanup EXIT
for p in "${web_programs[@]}"; do
  wasm-bindgen --target web --out-dir "$out/web-$p" "$web_dir/bench_web_${p//-/_}.wasm" 2>/dev/null
done

if [ "$wasm_opt" = 1 ]; then
  if [ ! -x benches/wasm/node_modules/.bin/wasm-opt ]; then
    (cd benches/wasm && npm install --no-audit --no-fund >&2)
  fi
  # Rust's default wasm features: the input has no target_features section (strip removed it).
  opt() {
    benches/wasm/node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-sign-ext \
      --enable-nontrapping-float-to-int --enable-mutable-globals --enable-reference-types \
      --enable-multivalue "$1" -o "$2"
  }
  echo "==> wasm-opt -Oz (the component's core module, swapped back in)" >&2
  for p in "${wasi_programs[@]}"; do
    $harness core "$wasi_dir/bench-wasi-$p.wasm" "$out/core-$p.wasm"
    opt "$out/core-$p.wasm" "$out/core-$p-oz.wasm"
    $harness swap-core "$wasi_dir/bench-wasi-$p.wasm" "$out/core-$p-oz.wasm" "$out/wasi-$p-oz.wasm"
  done
  for p in "${web_programs[@]}"; do
    opt "$out/web-$p/bench_web_${p//-/_}_bg.wasm" "$out/web-$p-oz.wasm"
  done
fi

echo "==> starting the test server" >&2
"$CARGO_TARGET_DIR/release/anyfetch-testserver" >"$out/server.out" 2>"$out/server.err" &
server_pid=$!
for _ in $(seq 300); do
  [ -s "$out/server.out" ] && break
  sleep 0.1
done
server=$(sed -n '1s/.* //p' "$out/server.out")
case "$server" in http://127.0.0.1:*) ;; *) echo "no test server: $(cat "$out/server.out" "$out/server.err")" >&2; exit 1 ;; esac

# What each program must print: the field of the server's own JSON, read here with Python.
doc_url="$server/json"
doc_field=$(curl -sf "$doc_url" | python3 -c 'import json, sys; print(json.dumps(json.load(sys.stdin)["slideshow"]["title"]))')
tiny_url="$server/base64/eyJuIjoxMjM0NTY3OH0="  # {"n":12345678}: 14 bytes
tiny_field=$(curl -sf "$tiny_url" | python3 -c 'import json, sys; print(json.dumps(json.load(sys.stdin)["n"]))')

check() { # name expected command...
  local name=$1 expected=$2 got
  shift 2
  got=$("$@" 2>"$out/check.err") || { echo "$name failed: $(cat "$out/check.err")" >&2; exit 1; }
  [ "$got" = "$expected" ] || { echo "$name printed '$got', expected '$expected'" >&2; exit 1; }
  echo "ok: $name" >&2
}
echo "==> checking every program against the test server" >&2
for p in "${wasi_programs[@]}"; do
  check "wasi-$p" "status=200 count=1 field=$doc_field" \
    wasmtime run $(wasi_flags "$p") "$wasi_dir/bench-wasi-$p.wasm" "$doc_url"
  [ "$wasm_opt" = 1 ] && check "wasi-$p (wasm-opt)" "status=200 count=1 field=$doc_field" \
    wasmtime run $(wasi_flags "$p") "$out/wasi-$p-oz.wasm" "$doc_url"
done
cat >"$out/run.mjs" <<'EOF'
import { readFileSync } from "node:fs";
const [js, wasm, url, pointer] = process.argv.slice(2);
const mod = await import(js);
await mod.default({ module_or_path: readFileSync(wasm) });
try { console.log(await mod.run(url, pointer)); } catch (e) { console.error(e?.message ?? e); process.exit(1); }
EOF
for p in "${web_programs[@]}"; do
  check "web-$p" "status=200 field=$doc_field" node "$out/run.mjs" \
    "$out/web-$p/bench_web_${p//-/_}.js" "$out/web-$p/bench_web_${p//-/_}_bg.wasm" "$doc_url" /slideshow/title
  [ "$wasm_opt" = 1 ] && check "web-$p (wasm-opt)" "status=200 field=$doc_field" node "$out/run.mjs" \
    "$out/web-$p/bench_web_${p//-/_}.js" "$out/web-$p-oz.wasm" "$doc_url" /slideshow/title
done

echo
echo "### Size: GET + JSON program, release-small"
echo
pairs=()
for p in "${wasi_programs[@]}"; do
  pairs+=("WASI component: $p=$wasi_dir/bench-wasi-$p.wasm")
  [ "$wasm_opt" = 1 ] && pairs+=("WASI component: $p, wasm-opt -Oz=$out/wasi-$p-oz.wasm")
done
for p in "${web_programs[@]}"; do
  pairs+=("web .wasm: $p=$out/web-$p/bench_web_${p//-/_}_bg.wasm")
  [ "$wasm_opt" = 1 ] && pairs+=("web .wasm: $p, wasm-opt -Oz=$out/web-$p-oz.wasm")
done
$harness sizes "${pairs[@]}"

if [ "$timing" = 1 ]; then
  echo
  echo "### WASI: $count sequential GETs of a 14-byte JSON body, one \`wasmtime run -S http\`"
  echo
  cmds=()
  for p in "${wasi_programs[@]}"; do
    cmds+=("$p=wasmtime run $(wasi_flags "$p") $wasi_dir/bench-wasi-$p.wasm $tiny_url $count /n")
  done
  $harness time "$rounds" wstd "status=200 count=$count field=$tiny_field" "${cmds[@]}"
  echo
  echo "$rounds alternating rounds (order rotated each round, one warm-up round); wall and CPU (user + system) time of the whole \`wasmtime run\` process; paired ratios are taken within each round."
fi
echo
echo "- toolchain: $(rustc -V); $(wasmtime --version); $(wasm-bindgen --version); node $(node --version)"
