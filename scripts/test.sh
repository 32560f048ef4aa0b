#!/usr/bin/env bash
# Runs every test suite of anyfetch, installing first whatever a fresh machine lacks.
# Usage: scripts/test.sh            (what .ci/run calls)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# No incremental caches: a test run compiles each crate once, and the caches would take gigabytes
# of a disk that these machines share (CI once failed with "No space left on device").
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"

step() { printf '\n==> %s\n' "$*"; }

step "toolchain components (rustfmt, clippy)"
for c in rustfmt clippy; do
  rustup component list --installed 2>/dev/null | grep -q "^$c" || rustup component add "$c"
done

step "format"
cargo fmt --all -- --check

step "lint"
cargo clippy --workspace --all-targets --features blocking,tracing -- -D warnings

step "docs (missing docs and broken links are errors)"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --features blocking,tracing

step "native: real proxies from Debian for the proxy tests (tinyproxy: HTTP and CONNECT; microsocks: SOCKS5; danted: SOCKS4)"
# Installed when missing, and never started as services: each test starts its own on a free port.
native_apt=()
command -v tinyproxy >/dev/null || native_apt+=(tinyproxy)
command -v microsocks >/dev/null || native_apt+=(microsocks)
# Debian puts danted in /usr/sbin, which is not on every user's PATH.
[ -x /usr/sbin/danted ] || command -v danted >/dev/null || native_apt+=(dante-server)
if [ "${#native_apt[@]}" -gt 0 ]; then
  sudo_=""; [ "$(id -u)" = 0 ] || sudo_="sudo"
  $sudo_ apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y --no-install-recommends "${native_apt[@]}"
fi
tinyproxy -v
command -v microsocks
{ [ -x /usr/sbin/danted ] && /usr/sbin/danted -v; } || danted -v

step "native: unit tests, MockTransport suite, integration against the local server and real proxies, doc tests, examples"
proxies_running() { ps -eo stat=,comm= | awk '$1 !~ /Z/ && $2 ~ /^(tinyproxy|microsocks|danted)$/' | wc -l; }
proxies_before=$(proxies_running)
cargo test --workspace --features blocking,tracing
sleep 1
# The tests stop every proxy they started, the shared ones too (when the test process exits).
[ "$(proxies_running)" -le "$proxies_before" ] \
  || { ps -eo pid,ppid,stat,args | grep -E 'tinyproxy|microsocks|danted' >&2; echo "the proxy tests left proxies running" >&2; exit 1; }
echo "ok: no proxy left running"

step "native: a program that pins url's ASCII-only IDNA backend (tests/idna-ascii, its own lock file)"
CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}" cargo test --manifest-path tests/idna-ascii/Cargo.toml

step "native: the token-refresh example (async auth) against the test server it starts"
cargo run -q --example token_refresh >"${TMPDIR:-/tmp}/anyfetch-token-refresh.out"
grep -q 'request 2: 200 OK with token "tok-demo-1"' "${TMPDIR:-/tmp}/anyfetch-token-refresh.out" \
  || { cat "${TMPDIR:-/tmp}/anyfetch-token-refresh.out"; exit 1; }
echo "ok: one refresh on the 401, the second request reused the new token"

step "fuzz: replay the corpus of every target"
scripts/fuzz.sh replay

# ---------------------------------------------------------------------------------------------
# WASI 0.2: the same behaviour suite as components in wasmtime, and the two WASI examples.
WASMTIME_VERSION=48.0.8
target_dir="${CARGO_TARGET_DIR:-$PWD/target}"

step "WASI: toolchain (wasm32-wasip2 target, wasmtime $WASMTIME_VERSION)"
rustup target list --installed | grep -qx wasm32-wasip2 || rustup target add wasm32-wasip2
if [ "$(wasmtime --version 2>/dev/null | awk '{print $2}')" != "$WASMTIME_VERSION" ]; then
  cargo install wasmtime-cli --version "$WASMTIME_VERSION" --locked
fi
wasmtime --version

step "WASI: the vendored WIT and the bindings are wasi 0.2.0 (wit/deps) and 0.3.0 (wit/p3/deps)"
scripts/vendor-wit.sh --check

step "WASI: lint and format (library, tests, examples, the CLI)"
cargo clippy --target wasm32-wasip2 --lib --features blocking -- -D warnings
cargo clippy -p anyfetch-cli --target wasm32-wasip2 -- -D warnings
cargo clippy --target wasm32-wasip2 --features blocking --test behaviour --test wasi -- -D warnings
cargo clippy --target wasm32-wasip2 --lib --features wasip3 -- -D warnings
for ex in examples/wasi-fetch examples/wasi-proxy examples/wasip3-fetch examples/wasip3-service tests/wasip3; do
  cargo fmt --manifest-path "$ex/Cargo.toml" -- --check
  CARGO_TARGET_DIR="$target_dir" cargo clippy --manifest-path "$ex/Cargo.toml" --target wasm32-wasip2 -- -D warnings
done

step "WASI: start the test server"
cargo build -p anyfetch-testserver --bin anyfetch-testserver
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
"$target_dir/debug/anyfetch-testserver" >"$work/server.out" 2>"$work/server.err" &
pids+=("$!")
first_line() { # waits up to 30 s for the first stdout line of a background process
  for _ in $(seq 300); do
    if [ -s "$1" ] && IFS= read -r line <"$1"; then printf '%s\n' "$line"; return 0; fi
    sleep 0.1
  done
  echo "no output in $1" >&2; return 1
}
line=$(first_line "$work/server.out")
ANYFETCH_TEST_SERVER="${line##* }"
case "$ANYFETCH_TEST_SERVER" in http://127.0.0.1:*) ;; *) echo "unexpected: $line" >&2; exit 1 ;; esac
export ANYFETCH_TEST_SERVER
echo "test server: $ANYFETCH_TEST_SERVER"

step "WASI: behaviour suite and WASI tests, as components in wasmtime"
cargo test --target wasm32-wasip2 --features blocking --test behaviour --test wasi

step "WASI: build the examples (the command with the release-small profile)"
CARGO_TARGET_DIR="$target_dir" cargo build --manifest-path examples/wasi-fetch/Cargo.toml \
  --target wasm32-wasip2 --profile release-small
CARGO_TARGET_DIR="$target_dir" cargo build --manifest-path examples/wasi-proxy/Cargo.toml \
  --target wasm32-wasip2 --release
fetch_wasm="$target_dir/wasm32-wasip2/release-small/anyfetch-wasi-fetch.wasm"
proxy_wasm="$target_dir/wasm32-wasip2/release/anyfetch_wasi_proxy.wasm"
ls -l "$fetch_wasm" "$proxy_wasm"

step "WASI: the command example fetches from the test server (wasmtime run -S http)"
wasmtime run -S http "$fetch_wasm" "$ANYFETCH_TEST_SERVER/get?from=wasi-fetch" >"$work/fetch.out"
grep -q '"from": *"wasi-fetch"' "$work/fetch.out" || { cat "$work/fetch.out"; exit 1; }
echo "ok: the body came from the test server"

step "WASI: the proxy example answers under wasmtime serve"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
wasmtime serve -S cli --env "UPSTREAM=$ANYFETCH_TEST_SERVER" --addr "127.0.0.1:$port" \
  "$proxy_wasm" >"$work/serve.out" 2>&1 &
pids+=("$!")
for _ in $(seq 150); do
  curl -sf -D "$work/proxy.head" -o "$work/proxy.out" "http://127.0.0.1:$port/get?via=proxy" && break
  sleep 0.2
done
grep -qi '^x-proxied-by: anyfetch-wasi-proxy' "$work/proxy.head" || { cat "$work/serve.out"; exit 1; }
grep -q "\"url\": *\"$ANYFETCH_TEST_SERVER/get?via=proxy\"" "$work/proxy.out" || { cat "$work/proxy.out"; exit 1; }
echo "ok: the proxy answered with the upstream's body"

step "WASI: the command example also runs under jco (a second WASI 0.2 host, on Node)"
if [ ! -d tests/jco/node_modules ] || ! cmp -s tests/jco/package-lock.json tests/jco/node_modules/.anyfetch-lock; then
  # `npm install`, not `npm ci`: the lock pins every version, but npm leaves other platforms'
  # optional binaries out of it, which `npm ci` refuses.
  (cd tests/jco && npm install --no-audit --no-fund && cp package-lock.json node_modules/.anyfetch-lock)
fi
tests/jco/node_modules/.bin/jco run "$fetch_wasm" "$ANYFETCH_TEST_SERVER/get?from=jco" >"$work/jco.out"
grep -q '"from": *"jco"' "$work/jco.out" || { cat "$work/jco.out"; exit 1; }
echo "ok: jco $(tests/jco/node_modules/.bin/jco --version) ran the component; the body came from the test server"

# ---------------------------------------------------------------------------------------------
# The CLI (cli/, binary `anyfetch`): native, as a WASI command component, and (further down)
# the npm package's bin through npx. The three print the same bytes; only the lines of the
# headers that change from one request to the next (date, x-connection-id) are left out.
step "CLI: the anyfetch command natively and as a WASI command component (release-small)"
cargo build -p anyfetch-cli
CARGO_TARGET_DIR="$target_dir" cargo build -p anyfetch-cli --target wasm32-wasip2 --profile release-small
cli_native="$target_dir/debug/anyfetch"
cli_wasm="$target_dir/wasm32-wasip2/release-small/anyfetch.wasm"
ls -l "$cli_wasm"
unstable_lines() { sed -E $'/^(\e\\[36m)?(date|x-connection-id)(\e\\[0m)?: /d'; }
# Each case: options, then the path on the test server.
cli_cases=("--print hb --pretty all /json" "--print hb --pretty format /json" "--pretty all /xml"
  "--pretty all /html" "--pretty format /encoding/utf8" "/json" "--pretty format /bytes/64?seed=1"
  "--pretty colors /json" "--pretty colors /xml")
cli_run() { # cli_run NAME COMMAND...: every case through COMMAND, into $work/cli-NAME-I.out
  local name=$1 i; shift
  for i in "${!cli_cases[@]}"; do
    local words=(${cli_cases[$i]})
    local path=${words[-1]}
    unset 'words[-1]'
    "$@" "${words[@]}" "$ANYFETCH_TEST_SERVER$path" | unstable_lines >"$work/cli-$name-$i.out"
  done
}
cli_same() { # cli_same NAME: NAME's outputs are the native ones, byte for byte
  local i
  for i in "${!cli_cases[@]}"; do
    cmp -s "$work/cli-native-$i.out" "$work/cli-$1-$i.out" || {
      echo "anyfetch ${cli_cases[$i]}: $1 differs from native:" >&2
      diff <(cat -v "$work/cli-native-$i.out") <(cat -v "$work/cli-$1-$i.out") | head -30 >&2
      exit 1
    }
  done
  echo "ok: $1 printed what the native CLI printed, in all ${#cli_cases[@]} cases"
}
# Mistakes on the command line: the same one line (and usage line) on stderr everywhere, exit 2
# (1 on WASI, whose exit carries only success or failure). None of them reaches the server.
cli_mistakes=("--bogus /get" "" "/get --max-redirects x" "/get --auth u" "/get --timeout -1"
  "/get --timeout 1e300" "/get --retry 1.5" "/get --pretty fancy" "/get --auth u p --bearer t"
  "/get --digest" "GET /get extra" "/get --json" "/get --print X" "GE@T /get"
  "--method PUT GET /get" "/post --json 1 --content x" "/get --digest=x" "/get --cookies a;b 1")
cli_mistakes_run() { # cli_mistakes_run NAME COMMAND...: stderr and exit code of every mistake
  local name=$1 i w words; shift
  for i in "${!cli_mistakes[@]}"; do
    words=()
    for w in ${cli_mistakes[$i]}; do
      case $w in /*) words+=("$ANYFETCH_TEST_SERVER$w") ;; *) words+=("$w") ;; esac
    done
    local rc=0
    "$@" "${words[@]}" >/dev/null 2>"$work/cli-mistake-$name-$i.err" || rc=$?
    echo "$rc" >"$work/cli-mistake-$name-$i.rc"
    # npx's own warnings about the machine's npm configuration are not the bin's.
    sed -i -E '/^npm (warn|WARN|notice) /d' "$work/cli-mistake-$name-$i.err"
  done
}
cli_mistakes_same() { # cli_mistakes_same NAME EXPECTED_RC: NAME's stderr is the native one
  local i
  for i in "${!cli_mistakes[@]}"; do
    if ! cmp -s "$work/cli-mistake-native-$i.err" "$work/cli-mistake-$1-$i.err" \
      || [ "$(cat "$work/cli-mistake-$1-$i.rc")" != "$2" ]; then
      echo "anyfetch ${cli_mistakes[$i]}: $1 differs from native (exit $(cat "$work/cli-mistake-$1-$i.rc"), expected $2):" >&2
      diff "$work/cli-mistake-native-$i.err" "$work/cli-mistake-$1-$i.err" >&2
      exit 1
    fi
  done
  echo "ok: $1 printed the native CLI's message for all ${#cli_mistakes[@]} mistakes, exit $2"
}
cli_run native "$cli_native"
cli_mistakes_run native "$cli_native"
cli_mistakes_same native 2
grep -q '^anyfetch: error: unknown option --bogus$' "$work/cli-mistake-native-0.err" \
  || { cat "$work/cli-mistake-native-0.err"; exit 1; }
grep -q '^HTTP/1.1 200 OK' "$work/cli-native-1.out" && grep -q '^    "slideshow": {$' "$work/cli-native-1.out" \
  || { cat "$work/cli-native-1.out"; exit 1; }
cat "$work/cli-native-1.out"

step "CLI: the WASI command under wasmtime run -S http prints the same, and the same messages for mistakes"
cli_run wasi wasmtime run -S http "$cli_wasm"
cli_same wasi
cli_mistakes_run wasi wasmtime run -S http "$cli_wasm"
cli_mistakes_same wasi 1
wasmtime run -S http "$cli_wasm" :"${ANYFETCH_TEST_SERVER##*:}"/json | cmp - "$work/cli-native-5.out"
echo "ok: the :PORT/path shorthand reaches the test server through localhost"
head -c 100000 /dev/urandom >"$work/cli-stdin.bin"
wasmtime run -S http "$cli_wasm" POST "$ANYFETCH_TEST_SERVER/echo" -c @- <"$work/cli-stdin.bin" | cmp - "$work/cli-stdin.bin"
echo "ok: -c @- sent the component's standard input, byte for byte"
status=0
wasmtime run -S http "$cli_wasm" --check-status "$ANYFETCH_TEST_SERVER/status/404" 2>"$work/cli-wasi.err" || status=$?
# wasi:cli/exit carries success or failure only: every failing exit code reads 1 on the host.
[ "$status" = 1 ] && grep -q '^anyfetch: warning: HTTP 404 Not Found' "$work/cli-wasi.err" \
  || { echo "status $status"; cat "$work/cli-wasi.err"; exit 1; }
echo "ok: --check-status fails the component on a 404"

step "CLI: a 30 MB download as a WASI command: the exact bytes, and a live bar on a terminal (script(1))"
mkdir -p "$work/dl"
wasmtime run -S http --dir "$work/dl::/out" "$cli_wasm" "$ANYFETCH_TEST_SERVER/bytes/30000000?seed=3" \
  --download /out/piped.bin 2>"$work/dl/piped.err"
grep -q '^anyfetch: no progress bar: stderr is not a terminal (the WASI host gives this component none)$' "$work/dl/piped.err" \
  || { cat "$work/dl/piped.err"; exit 1; }
script -q -e -c "wasmtime run -S http --dir '$work/dl::/out' '$cli_wasm' '$ANYFETCH_TEST_SERVER/bytes/30000000?seed=3' --download /out/tty.bin" \
  "$work/dl/tty.log" >/dev/null
"$cli_native" "$ANYFETCH_TEST_SERVER/bytes/30000000?seed=3" >"$work/dl/native.bin"
cmp "$work/dl/native.bin" "$work/dl/piped.bin"
cmp "$work/dl/native.bin" "$work/dl/tty.bin"
frames=$(tr '\r' '\n' <"$work/dl/tty.log" | grep -c '/28.61 MiB .*ETA' || true)
echo "sha256 $(sha256sum <"$work/dl/tty.bin" | cut -c1-16)...; $frames frames of the bar drawn"
[ "$frames" -ge 2 ] || { cat -v "$work/dl/tty.log"; exit 1; }
grep -q 'saved 30000000 bytes to /out/tty.bin' "$work/dl/tty.log"
# Coloured as natively; with NO_COLOR not, and with COLUMNS=30 the bar (about 80 columns) takes
# three rows, which indicatif climbs to redraw (`ESC[2A`; at the default 80 columns it never
# takes three).
grep -aq $'\x1b\\[36m=' "$work/dl/tty.log" || { cat -v "$work/dl/tty.log"; exit 1; }
script -q -e -c "wasmtime run -S http --env NO_COLOR=1 --env COLUMNS=30 --dir '$work/dl::/out' '$cli_wasm' '$ANYFETCH_TEST_SERVER/bytes/30000000?seed=3' --download /out/narrow.bin" \
  "$work/dl/narrow.log" >/dev/null
cmp "$work/dl/native.bin" "$work/dl/narrow.bin"
! grep -aq $'\x1b\\[3[0-9]m' "$work/dl/narrow.log" && grep -aq $'\x1b\\[2A' "$work/dl/narrow.log" \
  || { cat -v "$work/dl/narrow.log"; exit 1; }
rm -f "$work/dl/"*.bin
echo "ok: the same bytes as natively; the host gave a terminal, and the bar was redrawn as bytes came, coloured unless NO_COLOR, as wide as COLUMNS"

# ---------------------------------------------------------------------------------------------
# WASI 0.3 (feature `wasip3`): the same suite as 0.3 components in wasmtime -S p3, and the two
# 0.3 examples.
step "WASI 0.3: behaviour suite and WASI tests, as 0.3 components (wasmtime run -S p3)"
CARGO_TARGET_DIR="$target_dir" tests/wasip3/run.sh

step "WASI 0.3: build the examples (release-small)"
for ex in examples/wasip3-fetch examples/wasip3-service; do
  CARGO_TARGET_DIR="$target_dir" cargo build --manifest-path "$ex/Cargo.toml" \
    --target wasm32-wasip2 --profile release-small
done
fetch3_wasm="$target_dir/wasm32-wasip2/release-small/anyfetch_wasip3_fetch.wasm"
service3_wasm="$target_dir/wasm32-wasip2/release-small/anyfetch_wasip3_service.wasm"
ls -l "$fetch3_wasm" "$service3_wasm"

step "WASI 0.3: the command example fetches, and fans out 5 one-second requests at once"
wasmtime run -S p3 -S http "$fetch3_wasm" "$ANYFETCH_TEST_SERVER/get?from=wasip3-fetch" >"$work/fetch3.out"
grep -q '"from": *"wasip3-fetch"' "$work/fetch3.out" || { cat "$work/fetch3.out"; exit 1; }
wasmtime run -S p3 -S http "$fetch3_wasm" --fan-out 5 "$ANYFETCH_TEST_SERVER/delay/1" >"$work/fan3.out"
cat "$work/fan3.out"
# Together, not one after another: well under the 5 s that waiting in turn would take.
awk '/^5 requests in/ { exit !($4 >= 1.0 && $4 < 2.5) } END { if (NR == 0) exit 1 }' "$work/fan3.out"
echo "ok: the body came from the test server; the five requests waited together"

step "WASI 0.3: the service example answers under wasmtime serve -S p3, several requests at once"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
wasmtime serve -S p3 -S cli --env "UPSTREAM=$ANYFETCH_TEST_SERVER" --addr "127.0.0.1:$port" \
  "$service3_wasm" >"$work/serve3.out" 2>&1 &
pids+=("$!")
for _ in $(seq 150); do
  curl -sf -D "$work/service3.head" -o "$work/service3.out" "http://127.0.0.1:$port/get?via=service" && break
  sleep 0.2
done
grep -qi '^x-proxied-by: anyfetch-wasip3-service' "$work/service3.head" || { cat "$work/serve3.out"; exit 1; }
grep -q "\"url\": *\"$ANYFETCH_TEST_SERVER/get?via=service\"" "$work/service3.out" || { cat "$work/service3.out"; exit 1; }
now() { python3 -c 'import time; print(time.time())'; }
start=$(now)
for i in 1 2 3 4 5; do
  curl -sf -o /dev/null "http://127.0.0.1:$port/delay/1" &
  curls[$i]=$!
done
for i in 1 2 3 4 5; do wait "${curls[$i]}"; done
took=$(python3 -c "print(round($(now) - $start, 3))")
echo "5 one-second requests through the service: $took s"
awk -v t="$took" 'BEGIN { exit !(t < 2.5) }'
echo "ok: the service answered with the upstream's body, and served five requests at once"

# ---------------------------------------------------------------------------------------------
# Browser and Node (Rust API): the fetch backend on wasm32-unknown-unknown. The same behaviour
# suite under wasm-bindgen-test, in Node and in headless Chromium and Firefox, against the test
# server started above (its URL, and a port where nothing listens, are compiled into the tests).
GECKODRIVER_VERSION=0.37.1
step "browser and Node (Rust API): toolchain (wasm32-unknown-unknown, wasm-bindgen-cli, Chromium, Firefox ESR, geckodriver $GECKODRIVER_VERSION)"
rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
wasm_bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$wasm_bindgen_version" ]; then
  # Without --locked: the CLI's lock file names a crate version the registry lacks (TOOLING.md).
  cargo install wasm-bindgen-cli --version "$wasm_bindgen_version"
fi
wasm-bindgen --version
apt_missing=()
[ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] || apt_missing+=(chromium chromium-driver)
[ -x /usr/lib/firefox-esr/firefox-esr ] || apt_missing+=(firefox-esr)
if [ "${#apt_missing[@]}" -gt 0 ]; then
  sudo_=""; [ "$(id -u)" = 0 ] || sudo_="sudo"
  $sudo_ apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y "${apt_missing[@]}"
fi
if [ "$(geckodriver --version 2>/dev/null | awk 'NR == 1 { print $2 }')" != "$GECKODRIVER_VERSION" ]; then
  cargo install geckodriver --version "$GECKODRIVER_VERSION" --locked
fi
export CHROMEDRIVER=/usr/bin/chromedriver
# Firefox runs (below) name geckodriver explicitly; wasm-bindgen-test-runner prefers GECKODRIVER
# over CHROMEDRIVER, so it is set only on those commands.
geckodriver_bin=$(command -v geckodriver)
/usr/lib/firefox-esr/firefox-esr --version
geckodriver --version | awk 'NR == 1' # awk reads it all: geckodriver panics on a closed pipe
# Chromium's flags (--no-sandbox to run as root, headless) for wasm-bindgen-test-runner.
export WASM_BINDGEN_TEST_WEBDRIVER_JSON="$PWD/webdriver.json"
node --version

step "browser and Node (Rust API): lint"
cargo clippy --target wasm32-unknown-unknown --lib -- -D warnings
cargo clippy --target wasm32-unknown-unknown --lib --no-default-features -- -D warnings
cargo clippy --target wasm32-unknown-unknown --test behaviour -- -D warnings

ANYFETCH_DEAD_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export ANYFETCH_DEAD_PORT

step "browser and Node (Rust API): behaviour suite in Node"
cargo test --target wasm32-unknown-unknown --test behaviour

step "browser and Node (Rust API): the ASCII-only IDNA program in Node (the runtime maps the host)"
CARGO_TARGET_DIR="$target_dir" cargo test --manifest-path tests/idna-ascii/Cargo.toml --target wasm32-unknown-unknown

step "browser and Node (Rust API): behaviour suite in headless Chromium"
WASM_BINDGEN_USE_BROWSER=1 cargo test --target wasm32-unknown-unknown --test behaviour

step "browser and Node (Rust API): behaviour suite in headless Firefox ESR (geckodriver)"
# Its capabilities (the binary, quiet prefs) are in webdriver-firefox.json; the runner adds
# -headless. The runner's banner is checked: a run in another browser would not count.
WASM_BINDGEN_USE_BROWSER=1 GECKODRIVER="$geckodriver_bin" \
  WASM_BINDGEN_TEST_WEBDRIVER_JSON="$PWD/webdriver-firefox.json" \
  cargo test --target wasm32-unknown-unknown --test behaviour 2>&1 | tee "$work/firefox.out"
grep -q '^Running headless tests in Firefox' "$work/firefox.out"

# ---------------------------------------------------------------------------------------------
# JS package: the JavaScript API (feature `js`, src/js/) as the npm package in js/, tested in
# Node, by tsc (the .d.ts), and in headless Chromium and Firefox (a page on another origin, and
# a module worker) against the test server started above.
step "JS package: lint (feature js; the npm build leaves default features out)"
cargo clippy --target wasm32-unknown-unknown --features js --lib -- -D warnings
cargo clippy --target wasm32-unknown-unknown --no-default-features --features js --lib -- -D warnings

step "JS package: npm dependencies (playwright-core, typescript; deno, bun, workerd, esbuild, vite, webpack), installed when the lock changed"
# npm install rather than npm ci: the registry reachable here lacks the other platforms'
# optional binaries of deno and workerd (@deno/darwin-arm64...), so they are not in the lock,
# and npm ci refuses a lock without them where npm install skips them. As with npm ci, the
# lock must come out unchanged.
# The install below runs only when the lock changed, so a package.json edited without its lock
# would pass on a machine that has node_modules: compare the lock's root entry every run.
node -e '
  const fs = require("fs");
  const pkg = JSON.parse(fs.readFileSync("js/package.json", "utf8"));
  const root = JSON.parse(fs.readFileSync("js/package-lock.json", "utf8")).packages[""];
  for (const k of ["name", "version", "license", "bin", "dependencies", "devDependencies", "optionalDependencies", "engines"]) {
    let want = pkg[k];
    if (k === "bin" && typeof want === "string") want = { [pkg.name]: want };
    if (JSON.stringify(want) !== JSON.stringify(root[k])) {
      console.error(`js/package-lock.json is out of date with js/package.json (${k}); run: cd js && npm install --package-lock-only`);
      process.exit(1);
    }
  }'
if [ ! -d js/node_modules ] || ! cmp -s js/package-lock.json js/node_modules/.anyfetch-lock; then
  lock_before="$(mktemp)"
  cp js/package-lock.json "$lock_before"
  (cd js && npm install --no-audit --no-fund)
  cmp -s "$lock_before" js/package-lock.json \
    || { git diff -- js/package-lock.json | head -40; echo "js/package-lock.json is out of date with js/package.json" >&2; exit 1; }
  rm -f "$lock_before"
  cp js/package-lock.json js/node_modules/.anyfetch-lock
fi

step "JS package: build js/pkg (js/crate as a cdylib, wasm-bindgen --target web)"
(cd js && npm run build)
echo "js/pkg/anyfetch_bg.wasm: $(wc -c <js/pkg/anyfetch_bg.wasm) bytes, $(gzip -9 <js/pkg/anyfetch_bg.wasm | wc -c) gzip -9"

step "JS package: npm test (Node from the js/ tree, TypeScript declarations, the README's examples)"
(cd js && npm test)

# The package as users get it: npm pack, installed from the tarball into a scratch app
# (js/test/installed/, rebuilt each run), then every check in js/test/checks.js in each runtime
# and bundle, run from that app. The runtimes and bundlers are the pinned devDependencies above.
timed() { local t=$SECONDS; "$@"; echo "(took $((SECONDS - t)) s)"; }

step "JS package: npm pack, npm install ./anyfetch-*.tgz into a scratch app (js/test/installed)"
timed bash -c 'cd js && node scripts/install-packed.mjs'

step "CLI: the installed package's bin (on the JS API) under npx in Node, in Bun and in Deno prints what the native CLI printed, and its messages for mistakes"
cli_npx=(bash -c 'cd js/test/installed && exec npx --no-install anyfetch "$@"' npx)
cli_bun=(bash -c 'cd js/test/installed && exec ../../node_modules/.bin/bun node_modules/.bin/anyfetch "$@"' bun)
cli_deno=(bash -c 'cd js/test/installed && exec ../../node_modules/.bin/deno run -A node_modules/anyfetch/bin/anyfetch.mjs "$@"' deno)
for runtime in npx bun deno; do
  declare -n cli_cmd="cli_$runtime"
  cli_run "$runtime" "${cli_cmd[@]}"
  cli_same "$runtime"
  cli_mistakes_run "$runtime" "${cli_cmd[@]}"
  cli_mistakes_same "$runtime" 2
  unset -n cli_cmd
done

step "JS package: the installed package in Node $(node --version), Deno $(js/node_modules/.bin/deno --version | head -1 | cut -d' ' -f2) and Bun $(js/node_modules/.bin/bun --version): every check"
timed bash -c 'cd js && node --test test/installed.test.mjs'

step "JS package: the installed package in Cloudflare workerd $(js/node_modules/.bin/workerd --version | cut -d' ' -f2) (bundled as wrangler does): every check"
timed bash -c 'cd js && node --test test/workerd.test.mjs'

step "JS package: the installed package unbundled in headless Chromium (a page with an import map, a module worker): every check"
timed bash -c 'cd js && node --test test/browser.test.mjs'

step "JS package: the installed package unbundled in headless Firefox ESR (geckodriver; a page with an import map, a module worker): every check"
timed bash -c "cd js && GECKODRIVER='$geckodriver_bin' node --test test/firefox.test.mjs"

step "JS package: the installed package bundled by Vite $(js/node_modules/.bin/vite --version | cut -d' ' -f1 | cut -d/ -f2), esbuild $(js/node_modules/.bin/esbuild --version) and webpack $(node -p 'require("./js/node_modules/webpack/package.json").version'), in headless Chromium: every check"
timed bash -c 'cd js && node --test test/bundlers.test.mjs'

step "all suites passed"
