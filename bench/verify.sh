#!/usr/bin/env bash
# `cwsec 2fa verify` on the accept path (config, store open, one sealed read,
# one sealed write, one audit record, one commit with fsync) against:
#   - oathtool --totp checking the same code (the peer: no state, no replay
#     protection, no lockout, no audit);
#   - minbolt, a program that opens a bbolt file and commits one write
#     (target: verify within 1.5x);
#   - slimverify, verify's store work linked without the rest of cwsec (no
#     cobra, config, certificates, TLS): the floor for a login-path binary;
# and verify with 100,000 enrolled users against 10 (target: within 1.2x).
#
# A code is accepted once, so before each timed run (in --prepare, untimed)
# the store is restored from a copy and flushed to disk, and a code for the
# current time is written to a file. bench/restore rewrites only the pages
# the last run changed: a whole-file cp + sync of the 97 MiB store made the
# file system's block frees and discards land in the next timed run. The code arrives on stdin, so every
# command, baselines included, runs through sh (each with exec, so the shell
# forks nothing), whose start-up hyperfine measures and subtracts.
# Usage: bench/verify.sh [USERS] [RUNS]   (default 100000 users, 100 runs per round)
source "$(dirname "$0")/lib.sh"
install_tools
build
machine
USERS=${1:-100000}
RUNS=${2:-100}
C="$BENCH_OUT/cwsec"

# make_store NAME N: a store with N pending users plus one active user
# "bench". bench is confirmed with the previous time step's code, so that a
# code for the current step is fresh however soon the benchmark starts.
make_store() {
  local home="$BENCH_OUT/$1" n=$2
  rm -rf "$home"
  "$C" --home "$home" init >/dev/null
  seq 1 "$n" | sed 's/^/user/' > "$BENCH_OUT/$1.csv"
  "$C" --home "$home" 2fa enroll --batch "$BENCH_OUT/$1.csv" --show-secret -o json >/dev/null
  local secret
  secret=$("$C" --home "$home" 2fa enroll bench --show-secret -o json | sed -n 's/.*"secret": "\(.*\)".*/\1/p')
  "$C" --home "$home" 2fa confirm bench "$(oathtool --totp -b -N "@$(($(date +%s) - 30))" "$secret")" >/dev/null
  echo "$secret" > "$home/secret"
  cp "$home/cwsec.db" "$home/base.db"
  sync "$home/base.db"
}
[ -f "$BENCH_OUT/small/base.db" ] || make_store small 10
[ -f "$BENCH_OUT/large/base.db" ] || make_store large "$USERS"
ls -l "$BENCH_OUT/small/base.db" "$BENCH_OUT/large/base.db" | awk '{printf "%11d bytes  %s\n", $5, $9}'

prep() { # restore the store, flush it, and write a code for now
  echo "$BENCH_OUT/restore $BENCH_OUT/$1/base.db $BENCH_OUT/$1/cwsec.db && oathtool --totp -b \$(cat $BENCH_OUT/$1/secret) > $BENCH_OUT/$1/code"
}
S=$BENCH_OUT/small
rm -f "$BENCH_OUT/min.db"
"$BENCH_OUT/minbolt" "$BENCH_OUT/min.db"
hf verify -base 2 -pairs 4/3,5/3,3/6 -title "2fa verify (accept path) against oathtool and a one-write bbolt program" -- \
  --shell sh --warmup 5 --runs "$RUNS" \
  --prepare "$(prep small)" --prepare "sync $BENCH_OUT/min.db" --prepare "$(prep small)" --prepare "$(prep large)" --prepare "$(prep small)" --prepare "$(prep small)" \
  --command-name "oathtool --totp -w 1 (check the code)" "read s < $S/secret; read c < $S/code; exec oathtool --totp -w 1 -b \$s \$c" \
  --command-name "minbolt (open, one write, commit)" "exec $BENCH_OUT/minbolt $BENCH_OUT/min.db" \
  --command-name "cwsec 2fa verify, 10 users" "exec $C --home $S 2fa verify bench - < $S/code" \
  --command-name "cwsec 2fa verify, $USERS users" "exec $C --home $BENCH_OUT/large 2fa verify bench - < $BENCH_OUT/large/code" \
  --command-name "cwsec 2fa verify, 10 users (default go build, cgo)" "exec $BENCH_OUT/cwsec-cgo --home $S 2fa verify bench - < $S/code" \
  --command-name "slimverify (verify's store work alone), 10 users" "read c < $S/code; exec $BENCH_OUT/slimverify $S bench \$c"

# A rejected code writes too (the failure counter and the audit record); an
# accepted one must really have been accepted above: check one by hand.
"$BENCH_OUT/restore" "$S/base.db" "$S/cwsec.db"
"$C" --home "$S" 2fa verify bench "$(oathtool --totp -b "$(cat "$S/secret")")" -v
