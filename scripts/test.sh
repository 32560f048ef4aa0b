#!/usr/bin/env bash
# Runs anyfetch's test suites, installing first whatever a fresh machine lacks.
#
# Usage: scripts/test.sh             every suite, in the order below (what .ci/run calls)
#        scripts/test.sh SUITE...    only these (each installs and starts what it needs)
#        scripts/test.sh --list      the suites, one line each
#
# The suites are scripts/suites/NAME.sh; tests/README.md says what each proves and where it runs.
# A run must leave `git status` as it found it: no lock file or tracked file rewritten.
set -euo pipefail
cd "$(dirname "$0")/.."

suites=(lint native fuzz wasi wasip3 web npm cli)

if [ "${1:-}" = "--list" ]; then
  # The first sentence of each suite's heading comment.
  for s in "${suites[@]}"; do
    awk -v s="$s" 'NR > 1 && /^#/ { sub(/^# ?/, ""); t = t " " $0; next } NR > 1 { exit }
      END { sub(/^ Suite `[a-z0-9]*`: /, "", t); sub(/\. .*/, ".", t); printf "%-7s %s\n", s, t }' "scripts/suites/$s.sh"
  done
  exit 0
fi
[ $# -gt 0 ] || set -- "${suites[@]}"
for s in "$@"; do
  [ -f "scripts/suites/$s.sh" ] || { echo "no suite '$s' (the suites: ${suites[*]})" >&2; exit 2; }
done

# What `git status` said before the run (a developer's own edits are theirs).
tree_state() { git status --porcelain=v1 --untracked-files=all 2>/dev/null; git diff 2>/dev/null | sha256sum; }
before=$(tree_state)

# Names this run, for what suites share within it (the npm package, built once: scripts/lib.sh).
export ANYFETCH_TEST_RUN="$$-$(date +%s%N)"
times=()
for s in "$@"; do
  printf '\n######## suite %s ########\n' "$s"
  t=$SECONDS
  bash "scripts/suites/$s.sh" || {
    echo "FAILED: suite $s (after $((SECONDS - t)) s)" >&2
    echo "suites: ${#times[@]} passed, 1 failed"
    exit 1
  }
  times+=("$s $((SECONDS - t)) s")
done

after=$(tree_state)
if [ "$before" != "$after" ]; then
  diff <(echo "$before") <(echo "$after") >&2 || true
  echo "FAILED: the run changed the work tree (above: git status before and after)" >&2
  echo "suites: ${#times[@]} passed, 1 failed"
  exit 1
fi
printf '\ngit status is as it was; each suite took: %s\n' "$(IFS=,; echo "${times[*]}" | sed 's/,/, /g')"
echo "suites: ${#times[@]} passed, 0 failed"
