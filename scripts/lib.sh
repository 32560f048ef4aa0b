# Helpers for scripts/test.sh and the suites in scripts/suites/ (sourced, never run).
#
# A suite sources this file and then: says what it does (`step`), installs what the machine
# lacks (`need_*`: each checks first, so a second run installs nothing), starts what it needs
# (`start_testserver`, `spawn`), and checks what it got (`expect`). Whatever a suite started
# is stopped, and its scratch directory `$work` removed, when the suite exits, however it exits.
#
# Pinned tool versions live here, once.
set -euo pipefail

WASMTIME_VERSION=48.0.8
GECKODRIVER_VERSION=0.37.1

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# No incremental caches: a test run compiles each crate once, and the caches would take gigabytes
# of a disk that these machines share (CI once failed with "No space left on device").
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
# One target directory for the crate and the packages of its own beside it (examples/*,
# tests/idna-ascii, tests/wasip3): they share most dependencies.
target_dir="${CARGO_TARGET_DIR:-$root/target}"
# Tools that `cargo install` puts in CARGO_HOME/bin are found even when that is not on PATH.
PATH="$PATH:${CARGO_HOME:-$HOME/.cargo}/bin"

work=$(mktemp -d "${TMPDIR:-/tmp}/anyfetch-test.XXXXXX")
_pids=()
_cleanup() {
  local p
  for p in "${_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${_pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap _cleanup EXIT

# step TEXT: a heading in the log.
step() { printf '\n==> %s\n' "$*"; }

# fail TEXT: says why on stderr and stops the suite.
fail() { echo "FAILED: $*" >&2; exit 1; }

# expect FILE GREP-ARGS...: FILE matches (grep -q GREP-ARGS), or the suite fails showing FILE.
expect() {
  local file=$1; shift
  grep -q "$@" "$file" || { cat -v "$file" >&2; fail "$file does not match: $*"; }
}

# spawn COMMAND...: runs COMMAND in the background until the suite exits.
spawn() { "$@" & _pids+=("$!"); }

# free_port: a TCP port on 127.0.0.1 where nothing listens now.
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# wait_for_http URL [CURL-ARGS...]: retries URL for up to 30 s until it answers 2xx; returns 1
# if it never does.
wait_for_http() {
  local url=$1 i; shift
  for i in $(seq 150); do
    curl -sf "$@" "$url" && return 0
    sleep 0.2
  done
  echo "no answer from $url in 30 s" >&2
  return 1
}

# start_testserver: builds and starts the project's test server (testserver/), and exports its
# URL as ANYFETCH_TEST_SERVER.
start_testserver() {
  cargo build --locked -q -p anyfetch-testserver --bin anyfetch-testserver
  spawn "$target_dir/debug/anyfetch-testserver" >"$work/server.out" 2>"$work/server.err"
  local line="" i
  for i in $(seq 300); do
    if [ -s "$work/server.out" ] && IFS= read -r line <"$work/server.out"; then break; fi
    sleep 0.1
  done
  ANYFETCH_TEST_SERVER="${line##* }"
  case "$ANYFETCH_TEST_SERVER" in
  http://127.0.0.1:*) ;;
  *) cat "$work/server.err" >&2; fail "the test server did not start (it printed: $line)" ;;
  esac
  export ANYFETCH_TEST_SERVER
  echo "test server: $ANYFETCH_TEST_SERVER"
}

# as_root COMMAND...: COMMAND as root (sudo unless we are root already).
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# need_apt PACKAGE=PATH...: installs each Debian PACKAGE whose PATH (a file, or a command on
# PATH) is missing, with one `apt-get update` for all of them.
_apt_updated=""
need_apt() {
  local missing=() pair pkg path
  for pair in "$@"; do
    pkg=${pair%%=*} path=${pair#*=}
    if [ "${path#/}" != "$path" ]; then [ -e "$path" ] || missing+=("$pkg")
    else command -v "$path" >/dev/null || missing+=("$pkg"); fi
  done
  [ "${#missing[@]}" -gt 0 ] || return 0
  echo "installing from Debian: ${missing[*]}"
  [ -n "$_apt_updated" ] || { as_root apt-get update -q; _apt_updated=1; }
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# need_target TRIPLE...: the Rust standard library for each target.
need_target() {
  local t
  for t in "$@"; do
    rustup target list --installed | grep -qx "$t" || rustup target add "$t"
  done
}

# need_component NAME...: rustup components (rustfmt, clippy, rust-src).
need_component() {
  local c
  for c in "$@"; do
    rustup component list --installed 2>/dev/null | grep -q "^$c" || rustup component add "$c"
  done
}

# need_cargo_tool COMMAND VERSION CRATE [INSTALL-ARGS...]: `cargo install` CRATE at VERSION
# unless COMMAND --version already prints that version as its second word.
need_cargo_tool() {
  local cmd=$1 version=$2 crate=$3; shift 3
  if [ "$("$cmd" --version 2>/dev/null | awk 'NR == 1 { print $2 }')" != "$version" ]; then
    cargo install "$crate" --version "$version" "$@"
  fi
}

# need_wasmtime: wasmtime at $WASMTIME_VERSION (a 10 to 17 minute build, once).
need_wasmtime() {
  need_target wasm32-wasip2
  need_cargo_tool wasmtime "$WASMTIME_VERSION" wasmtime-cli --locked
  wasmtime --version
}

# need_wasm_bindgen: wasm-bindgen's CLI and test runner at exactly the version in Cargo.lock.
need_wasm_bindgen() {
  need_target wasm32-unknown-unknown
  local v
  v=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)
  # Without --locked: the CLI's lock file names a crate version the registry lacks.
  need_cargo_tool wasm-bindgen "$v" wasm-bindgen-cli
  wasm-bindgen --version
}

# need_chromium: Debian's headless Chromium and its driver; exports CHROMEDRIVER and the
# capabilities wasm-bindgen-test-runner gives it (webdriver.json: --no-sandbox, headless).
need_chromium() {
  need_apt chromium=/usr/bin/chromium chromium-driver=/usr/bin/chromedriver
  export CHROMEDRIVER=/usr/bin/chromedriver
  export WASM_BINDGEN_TEST_WEBDRIVER_JSON="$root/webdriver.json"
}

# need_firefox: Debian's Firefox ESR and geckodriver; sets $geckodriver_bin (not GECKODRIVER,
# which wasm-bindgen-test-runner would prefer over CHROMEDRIVER everywhere).
need_firefox() {
  need_apt firefox-esr=/usr/lib/firefox-esr/firefox-esr
  need_cargo_tool geckodriver "$GECKODRIVER_VERSION" geckodriver --locked
  geckodriver_bin=$(command -v geckodriver)
  /usr/lib/firefox-esr/firefox-esr --version
  geckodriver --version | awk 'NR == 1' # awk reads it all: geckodriver panics on a closed pipe
}

# need_npm DIR: DIR's node_modules exactly as DIR/package-lock.json says (`npm ci`), unless
# they were installed from this very package.json and lock already. `npm ci` never writes the
# lock, and refuses one that is out of date with package.json. The locks list every platform's
# optional packages (workerd's, deno's, esbuild's...), so what a registry serves for other
# platforms changes nothing here.
need_npm() {
  local dir=$1 stamp
  stamp=$(cat "$dir/package.json" "$dir/package-lock.json" | sha256sum | cut -c1-64)
  if [ "$(cat "$dir/node_modules/.anyfetch-stamp" 2>/dev/null)" != "$stamp" ]; then
    (cd "$dir" && npm ci --no-audit --no-fund)
    echo "$stamp" >"$dir/node_modules/.anyfetch-stamp"
  fi
}

# need_npm_package: the npm package built (js/pkg) and installed as users get it, from its
# tarball, into the scratch app js/test/installed (its bin as node_modules/.bin/anyfetch).
# Done once per run of scripts/test.sh (the npm and cli suites both need it): a marker holds the
# run's id, so another run always builds afresh.
need_npm_package() {
  local marker=js/test/installed/.anyfetch-run
  if [ -n "${ANYFETCH_TEST_RUN:-}" ] && [ "$(cat "$marker" 2>/dev/null)" = "$ANYFETCH_TEST_RUN" ]; then
    echo "the npm package was built and installed earlier in this run"
    return 0
  fi
  need_wasm_bindgen
  need_npm js
  (cd js && npm run build)
  echo "js/pkg/anyfetch_bg.wasm: $(wc -c <js/pkg/anyfetch_bg.wasm) bytes, $(gzip -9 <js/pkg/anyfetch_bg.wasm | wc -c) gzip -9"
  (cd js && node scripts/install-packed.mjs)
  if [ -n "${ANYFETCH_TEST_RUN:-}" ]; then echo "$ANYFETCH_TEST_RUN" >"$marker"; fi
}

# timed COMMAND...: runs COMMAND, then says how long it took.
timed() { local t=$SECONDS; "$@"; echo "(took $((SECONDS - t)) s)"; }
