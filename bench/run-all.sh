#!/usr/bin/env bash
# Every benchmark of issue 8, one after another on the same machine, into one
# $BENCH_OUT; the summary tables gather in $BENCH_OUT/results.md, from which
# docs/performance.md is written. Takes about 15 minutes on 2 cores, most of
# it sslscan and generating the million-event audit trail.
#
#   bench/run-all.sh                 # everything
#   BENCH_ROUNDS=5 bench/run-all.sh  # more rounds where the machine is noisy
#   bench/run-all.sh startup verify  # some of them
#
# Everything it starts (tlsfarm, openssl s_server) listens on 127.0.0.1 only
# and stops by itself.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
export BENCH_OUT=${BENCH_OUT:-$(mktemp -d /tmp/cwsec-bench.XXXXXX)}
ALL=(startup depcost zlint verify check certreq audit enroll)
if [ $# -gt 0 ]; then ALL=("$@"); fi
: > "$BENCH_OUT/results.md"
for b in "${ALL[@]}"; do
  echo "=== bench/$b.sh"
  bash "$HERE/$b.sh"
done
echo
echo "summary tables: $BENCH_OUT/results.md"
