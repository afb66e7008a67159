#!/usr/bin/env bash
# `cwsec 2fa verify` on the accept path (one sealed read, one sealed write, one
# audit record, one commit) against a program that opens a bbolt file and
# commits one write; and verify with 100,000 enrolled users against 10.
#
# A code is accepted once, so each timed run starts from a fresh copy of the
# store and a code computed for the current time (in --prepare, not timed).
# The code arrives on stdin, so every command runs through sh, whose start-up
# hyperfine measures and subtracts.
# Usage: bench/verify.sh [USERS]   (default 100000)
source "$(dirname "$0")/lib.sh"
install_tools
build
machine
USERS=${1:-100000}
C="$BENCH_OUT/cwsec"

# make_store NAME N: a store with N pending users plus one active user "bench".
make_store() {
  local home="$BENCH_OUT/$1" n=$2
  "$C" --home "$home" init >/dev/null
  seq 1 "$n" | sed 's/^/user/' > "$BENCH_OUT/$1.csv"
  "$C" --home "$home" 2fa enroll --batch "$BENCH_OUT/$1.csv" --show-secret -o json >/dev/null
  local secret
  secret=$("$C" --home "$home" 2fa enroll bench --show-secret -o json | sed -n 's/.*"secret": "\(.*\)".*/\1/p')
  "$C" --home "$home" 2fa confirm bench "$(oathtool --totp -b "$secret")" >/dev/null
  echo "$secret" > "$home/secret"
  cp "$home/cwsec.db" "$home/base.db"
}
[ -f "$BENCH_OUT/small/base.db" ] || make_store small 10
[ -f "$BENCH_OUT/large/base.db" ] || make_store large "$USERS"
ls -l "$BENCH_OUT/small/cwsec.db" "$BENCH_OUT/large/cwsec.db" | awk '{print $5, $9}'

prep() { # restore the store and write a code for now
  echo "cp $BENCH_OUT/$1/base.db $BENCH_OUT/$1/cwsec.db && oathtool --totp -b \$(cat $BENCH_OUT/$1/secret) > $BENCH_OUT/$1/code"
}
touch "$BENCH_OUT/min.db"
hyperfine --shell sh --warmup 10 --runs 200 --export-markdown "$BENCH_OUT/verify.md" \
  --prepare true --prepare "$(prep small)" --prepare "$(prep large)" \
  --command-name "minbolt (open, one write, commit)" "$BENCH_OUT/minbolt $BENCH_OUT/min.db" \
  --command-name "cwsec 2fa verify, 10 users" "$C --home $BENCH_OUT/small 2fa verify bench - < $BENCH_OUT/small/code" \
  --command-name "cwsec 2fa verify, $USERS users" "$C --home $BENCH_OUT/large 2fa verify bench - < $BENCH_OUT/large/code"
