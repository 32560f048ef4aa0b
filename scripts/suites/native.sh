#!/usr/bin/env bash
# Suite `native`: the hyper backend. Unit tests, the MockTransport suite, the behaviour suite and
# the native tests against the local test server and real proxies from Debian, doc tests, the
# CLI's own tests, the ASCII-only IDNA program, and the token-refresh example.
source "$(dirname "$0")/../lib.sh"

step "real proxies from Debian (tinyproxy: HTTP and CONNECT; microsocks: SOCKS5; danted: SOCKS4)"
# Never started as services: each test starts its own on a free port.
need_apt tinyproxy=tinyproxy microsocks=microsocks dante-server=/usr/sbin/danted
tinyproxy -v
command -v microsocks
/usr/sbin/danted -v

step "cargo test: the workspace (library, testserver, CLI), every test file, doc tests, examples"
proxies_running() { ps -eo stat=,comm= | awk '$1 !~ /Z/ && $2 ~ /^(tinyproxy|microsocks|danted)$/' | wc -l; }
proxies_before=$(proxies_running)
cargo test --locked --workspace --features blocking,tracing
sleep 1
# The tests stop every proxy they started, the shared ones too (when the test process exits).
[ "$(proxies_running)" -le "$proxies_before" ] \
  || { ps -eo pid,ppid,stat,args | grep -E 'tinyproxy|microsocks|danted' >&2; fail "the proxy tests left proxies running"; }
echo "ok: no proxy left running"

step "a program that pins url's ASCII-only IDNA backend (tests/idna-ascii, its own lock file)"
CARGO_TARGET_DIR="$target_dir" cargo test --locked --manifest-path tests/idna-ascii/Cargo.toml

step "the token-refresh example (async auth) against the test server it starts"
cargo run --locked -q --example token_refresh >"$work/token-refresh.out"
expect "$work/token-refresh.out" 'request 2: 200 OK with token "tok-demo-1"'
echo "ok: one refresh on the 401, the second request reused the new token"
