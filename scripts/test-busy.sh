#!/usr/bin/env bash
# The whole test command, run again and again on a machine kept busy, as CI machines often are: one CPU
# hog (`yes > /dev/null`) per core runs throughout, and the suite must pass every round. A test that
# passes only on a quiet machine fails here.
#   bash scripts/test-busy.sh            # three rounds, one hog per core
#   ROUNDS=5 HOGS=4 bash scripts/test-busy.sh -m "not stress"   # arguments go to pytest
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-3}
hogs=${HOGS:-$(nproc)}
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
for _ in $(seq "$hogs"); do
  yes > /dev/null &
  pids+=($!)
done
for round in $(seq "$rounds"); do
  echo "==> round $round of $rounds, beside $hogs CPU hogs"
  bash scripts/test.sh "$@"
done
echo "==> $rounds rounds passed beside $hogs CPU hogs"
