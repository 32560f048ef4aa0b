#!/usr/bin/env bash
# Suite `fuzz`: every cargo-fuzz target replays its committed corpus once (long runs:
# scripts/fuzz.sh run).
source "$(dirname "$0")/../lib.sh"

step "fuzz: replay the corpus of every target"
scripts/fuzz.sh replay
