#!/usr/bin/env bash
# Vendors the WASI WIT files the two WASI backends are generated from, each pinned to one
# version, and checks the pins:
#
#   wit/deps/     wasi 0.2.0, from the `wasi` crate 0.13.1+wasi-0.2.0 (the 0.2 backend)
#   wit/p3/deps/  wasi 0.3.0, from the `wasip3` crate 0.9.0+wasi-0.3.0 (feature `wasip3`): the
#                 version wasmtime 48 links (its p3 WIT is the same text)
#
# Each bindings crate ships the very WIT files it was generated from, so they are copied out of
# it (no network beyond crates.io is needed).
#
# Usage: scripts/vendor-wit.sh           refresh wit/deps/ and wit/p3/deps/
#        scripts/vendor-wit.sh --check   fail unless both match their pinned packages and the
#                                        bindings in use import only that WASI version
set -euo pipefail
cd "$(dirname "$0")/.."

die() { echo "vendor-wit: $*" >&2; exit 1; }
check=0
[ "${1:-}" = "--check" ] && check=1

cargo fetch --quiet --target wasm32-wasip2
metadata=$(cargo metadata --format-version 1 --filter-platform wasm32-wasip2 --features wasip3)

# pin CRATE VERSION WASI DEST BINDINGS PACKAGE...: BINDINGS are the crate's generated sources
# (a glob under its src/); a package is a directory (0.2) or a single .wit file (0.3).
pin() {
  local crate=$1 version=$2 wasi=$3 dest=$4 bindings=$5
  shift 5
  local packages=("$@")

  # The lock file must resolve the bindings crate to the pinned release.
  local locked
  locked=$(awk -v c="$crate" '$0 == "name = \"" c "\"" { getline; print }' Cargo.lock |
    sed -n 's/^version = "\(.*\)"$/\1/p' | grep -Fx "$version" || true)
  [ "$locked" = "$version" ] || die "Cargo.lock resolves $crate to '${locked:-nothing}', expected $version"

  # Where cargo keeps that package's sources.
  local src
  src=$(printf '%s' "$metadata" | python3 -c '
import json, os, sys
meta = json.load(sys.stdin)
for p in meta["packages"]:
    if p["name"] == sys.argv[1] and p["version"] == sys.argv[2]:
        print(os.path.dirname(p["manifest_path"]))
        break
' "$crate" "$version")
  [ -d "$src/wit/deps" ] || die "no wit/deps in the $crate $version package ($src)"

  # The generated bindings import only wasi:*@$wasi interfaces.
  local others
  # shellcheck disable=SC2086 # the glob is meant to expand
  others=$(cd "$src/src" && grep -ho 'wasm_import_module = "wasi:[^"]*"' $bindings | grep -v "@$wasi\"" || true)
  [ -z "$others" ] || die "the $crate bindings import interfaces other than @$wasi: $others"

  # Every vendored package is wasi $wasi.
  local p name
  for p in "${packages[@]}"; do
    name=${p%.wit}
    [ -e "$src/wit/deps/$p" ] || die "$crate $version has no wit/deps/$p"
    grep -qx "package wasi:$name@$wasi;" $(find "$src/wit/deps/$p" -name '*.wit') ||
      die "wit/deps/$p of $crate is not wasi:$name@$wasi"
  done

  if [ "$check" = 1 ]; then
    for p in "${packages[@]}"; do
      diff -r "$src/wit/deps/$p" "$dest/$p" >/dev/null ||
        die "$dest/$p differs from $crate $version: run scripts/vendor-wit.sh"
    done
    local extra
    extra=$(comm -13 <(printf '%s\n' "${packages[@]}" | sort) <(ls "$dest" | sort))
    [ -z "$extra" ] || die "unexpected packages in $dest: $extra"
    echo "vendor-wit: $dest matches $crate $version (wasi $wasi); bindings import only @$wasi"
  else
    rm -rf "$dest"
    mkdir -p "$dest"
    for p in "${packages[@]}"; do
      cp -R "$src/wit/deps/$p" "$dest/$p"
    done
    echo "vendor-wit: copied ${packages[*]} (wasi $wasi) from $crate $version into $dest/"
  fi
}

pin wasi 0.13.1+wasi-0.2.0 0.2.0 wit/deps bindings.rs \
  cli clocks filesystem http io random sockets
pin wasip3 0.9.0+wasi-0.3.0 0.3.0 wit/p3/deps '*.rs' \
  cli.wit clocks.wit filesystem.wit http.wit random.wit sockets.wit
