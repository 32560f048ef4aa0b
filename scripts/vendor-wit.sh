#!/usr/bin/env bash
# Vendors the WASI 0.2.0 WIT files into wit/deps/, pinned to one version.
#
# The WASI backend's bindings come from the `wasi` crate release generated from wasi 0.2.0
# (Cargo.toml pins it); that crates.io package ships the very WIT files it was generated from,
# so they are copied out of it (no network beyond crates.io is needed).
#
# Usage: scripts/vendor-wit.sh           refresh wit/deps/
#        scripts/vendor-wit.sh --check   fail unless wit/deps/ matches the pinned package and the
#                                        bindings in use are generated from wasi 0.2.0
set -euo pipefail
cd "$(dirname "$0")/.."

CRATE=wasi
VERSION=0.13.1+wasi-0.2.0
WASI=0.2.0
PACKAGES=(cli clocks filesystem http io random sockets)

die() { echo "vendor-wit: $*" >&2; exit 1; }

# The lock file must resolve the bindings crate to the pinned release.
locked=$(awk -v c="$CRATE" '$0 == "name = \"" c "\"" { getline; print }' Cargo.lock |
  sed -n 's/^version = "\(.*\)"$/\1/p' | grep -Fx "$VERSION" || true)
[ "$locked" = "$VERSION" ] || die "Cargo.lock resolves $CRATE to '${locked:-nothing}', expected $VERSION"

# Where cargo keeps that package's sources (downloads it if needed).
cargo fetch --quiet --target wasm32-wasip2
src=$(cargo metadata --format-version 1 --filter-platform wasm32-wasip2 |
  python3 -c '
import json, os, sys
meta = json.load(sys.stdin)
for p in meta["packages"]:
    if p["name"] == sys.argv[1] and p["version"] == sys.argv[2]:
        print(os.path.dirname(p["manifest_path"]))
        break
' "$CRATE" "$VERSION")
[ -d "$src/wit/deps" ] || die "no wit/deps in the $CRATE $VERSION package ($src)"

# The generated bindings import only wasi:*@0.2.0 interfaces.
others=$(grep -ho 'wasm_import_module = "wasi:[^"]*"' "$src/src/bindings.rs" | grep -v "@$WASI\"" || true)
[ -z "$others" ] || die "the bindings import interfaces other than @$WASI: $others"

# Every vendored package is wasi 0.2.0.
for p in "${PACKAGES[@]}"; do
  [ -d "$src/wit/deps/$p" ] || die "$CRATE $VERSION has no wit/deps/$p"
  grep -qx "package wasi:$p@$WASI;" "$src/wit/deps/$p"/*.wit || die "wit/deps/$p is not wasi:$p@$WASI"
done

if [ "${1:-}" = "--check" ]; then
  for p in "${PACKAGES[@]}"; do
    diff -r "$src/wit/deps/$p" "wit/deps/$p" >/dev/null ||
      die "wit/deps/$p differs from $CRATE $VERSION: run scripts/vendor-wit.sh"
  done
  extra=$(comm -13 <(printf '%s\n' "${PACKAGES[@]}" | sort) <(ls wit/deps | sort))
  [ -z "$extra" ] || die "unexpected packages in wit/deps: $extra"
  echo "vendor-wit: wit/deps matches $CRATE $VERSION (wasi $WASI); bindings import only @$WASI"
  exit 0
fi

rm -rf wit/deps
mkdir -p wit/deps
for p in "${PACKAGES[@]}"; do
  cp -R "$src/wit/deps/$p" "wit/deps/$p"
done
echo "vendor-wit: copied ${PACKAGES[*]} (wasi $WASI) from $CRATE $VERSION into wit/deps/"
