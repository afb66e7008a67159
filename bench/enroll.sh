#!/usr/bin/env bash
# Bulk enrollment of 10,000 users, with and without PNGs.
# Usage: bench/enroll.sh [USERS]   (default 10000)
source "$(dirname "$0")/lib.sh"
install_tools
build
machine
N=${1:-10000}
C="$BENCH_OUT/cwsec"
seq 1 "$N" | sed 's/^/user/' > "$BENCH_OUT/users.csv"
reset="rm -rf $BENCH_OUT/e $BENCH_OUT/qr && mkdir -p $BENCH_OUT/qr && $C --home $BENCH_OUT/e init >/dev/null"
BENCH_ROUNDS=1 hf enroll -base 2 -title "bulk enrollment of $N users" -- --runs 3 --prepare "$reset" \
  --command-name "enroll --batch $N users, PNGs" "$C --home $BENCH_OUT/e 2fa enroll --batch $BENCH_OUT/users.csv --png-dir $BENCH_OUT/qr" \
  --command-name "enroll --batch $N users, no PNGs" "$C --home $BENCH_OUT/e 2fa enroll --batch $BENCH_OUT/users.csv --show-secret -o json"
