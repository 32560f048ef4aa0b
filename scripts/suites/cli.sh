#!/usr/bin/env bash
# Suite `cli`: the command-line client (cli/, binary `anyfetch`), one program on every host it
# runs on: natively, as a WASI command component in wasmtime, and compiled into the npm package
# (js/cli, run by its bin) under npx in Node, in Bun and in Deno. Each host prints the native bytes for the same requests and the same
# message for the same command-line mistakes; only the headers that change from one request to
# the next (date, x-connection-id) are left out. Then a 30 MB download as a WASI command: the
# exact bytes, and a live progress bar when the host gives it a terminal.
source "$(dirname "$0")/../lib.sh"

step "toolchain: wasmtime $WASMTIME_VERSION; the CLI natively and as a WASI command (release-small)"
need_wasmtime
start_testserver
cargo build --locked -p anyfetch-cli
CARGO_TARGET_DIR="$target_dir" cargo build --locked -p anyfetch-cli --target wasm32-wasip2 --profile release-small
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
      diff <(cat -v "$work/cli-native-$i.out") <(cat -v "$work/cli-$1-$i.out") | head -30 >&2
      fail "anyfetch ${cli_cases[$i]}: $1 differs from native"
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
      diff "$work/cli-mistake-native-$i.err" "$work/cli-mistake-$1-$i.err" >&2
      fail "anyfetch ${cli_mistakes[$i]}: $1 differs from native (exit $(cat "$work/cli-mistake-$1-$i.rc"), expected $2)"
    fi
  done
  echo "ok: $1 printed the native CLI's message for all ${#cli_mistakes[@]} mistakes, exit $2"
}

step "natively: the reference output"
cli_run native "$cli_native"
cli_mistakes_run native "$cli_native"
cli_mistakes_same native 2
expect "$work/cli-mistake-native-0.err" '^anyfetch: error: unknown option --bogus$'
expect "$work/cli-native-1.out" '^HTTP/1.1 200 OK'
expect "$work/cli-native-1.out" '^    "slideshow": {$'
cat "$work/cli-native-1.out"

step "the WASI command under wasmtime run -S http prints the same, and the same messages for mistakes"
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
[ "$status" = 1 ] || fail "--check-status on a 404: exit $status, expected 1"
expect "$work/cli-wasi.err" '^anyfetch: warning: HTTP 404 Not Found'
echo "ok: --check-status fails the component on a 404"

step "a 30 MB download as a WASI command: the exact bytes, and a live bar on a terminal (script(1))"
mkdir -p "$work/dl"
url="$ANYFETCH_TEST_SERVER/bytes/30000000?seed=3"
wasmtime run -S http --dir "$work/dl::/out" "$cli_wasm" "$url" --download /out/piped.bin 2>"$work/dl/piped.err"
expect "$work/dl/piped.err" '^anyfetch: no progress bar: stderr is not a terminal (the WASI host gives this component none)$'
script -q -e -c "wasmtime run -S http --dir '$work/dl::/out' '$cli_wasm' '$url' --download /out/tty.bin" \
  "$work/dl/tty.log" >/dev/null
"$cli_native" "$url" >"$work/dl/native.bin"
cmp "$work/dl/native.bin" "$work/dl/piped.bin"
cmp "$work/dl/native.bin" "$work/dl/tty.bin"
frames=$(tr '\r' '\n' <"$work/dl/tty.log" | grep -c '/28.61 MiB .*ETA' || true)
echo "sha256 $(sha256sum <"$work/dl/tty.bin" | cut -c1-16)...; $frames frames of the bar drawn"
[ "$frames" -ge 2 ] || { cat -v "$work/dl/tty.log"; fail "fewer than 2 frames of the bar"; }
expect "$work/dl/tty.log" 'saved 30000000 bytes to /out/tty.bin'
# Coloured as natively; with NO_COLOR not, and with COLUMNS=30 the bar (about 80 columns) takes
# three rows, which indicatif climbs to redraw (`ESC[2A`; at the default 80 columns it never
# takes three).
expect "$work/dl/tty.log" -a $'\x1b\\[36m='
script -q -e -c "wasmtime run -S http --env NO_COLOR=1 --env COLUMNS=30 --dir '$work/dl::/out' '$cli_wasm' '$url' --download /out/narrow.bin" \
  "$work/dl/narrow.log" >/dev/null
cmp "$work/dl/native.bin" "$work/dl/narrow.bin"
! grep -aq $'\x1b\\[3[0-9]m' "$work/dl/narrow.log" || { cat -v "$work/dl/narrow.log"; fail "coloured under NO_COLOR"; }
expect "$work/dl/narrow.log" -a $'\x1b\\[2A'
rm -f "$work/dl/"*.bin
echo "ok: the same bytes as natively; the host gave a terminal, and the bar was redrawn as bytes came, coloured unless NO_COLOR, as wide as COLUMNS"

step "the same program in the npm package, under npx in Node, in Bun and in Deno, prints what the native CLI printed, and its messages for mistakes"
need_npm_package
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
