#!/usr/bin/env bash
# Start-up cost: `cwsec version` against a cobra program that does nothing
# (target: within 1.2x), side by side with initonly (everything cwsec links,
# every package init, no command) to split the difference into "linked" and
# "command", and with the default cgo build.
# Usage: bench/startup.sh [RUNS]   (default 300 per command and round)
source "$(dirname "$0")/lib.sh"
install_tools
build
machine
RUNS=${1:-300}
B=$BENCH_OUT
ls -l "$B/mincobra" "$B/initonly" "$B/cwsec" "$B/cwsec-cgo" | awk '{printf "%9d bytes  %s\n", $5, $9}'
hf startup -base 1 -pairs 3/2,2/1,4/3 -title "Start-up: cwsec version against a minimal cobra program" -- \
  -N --warmup 30 --runs "$RUNS" \
  --command-name "mincobra version" "$B/mincobra version" \
  --command-name "initonly (cwsec linked, inits run, no command)" "$B/initonly" \
  --command-name "cwsec version" "$B/cwsec version" \
  --command-name "cwsec version (default go build, cgo)" "$B/cwsec-cgo version"

# Where the time goes, without timer noise: page faults and package inits.
# GODEBUG=inittrace=1 times every package's init; the allocations show in
# page faults, which cost the same on every run (unlike wall time here).
for bin in mincobra initonly cwsec; do
  GODEBUG=inittrace=1 "$B/$bin" version 2>&1 >/dev/null |
    awk -v b="$bin" '$1=="init" {n++; ms+=$5; bytes+=$8} END {printf "%-9s %3d package inits, %.2f ms, %d KiB allocated\n", b, n, ms, bytes/1024}'
done
echo "heaviest inits in cwsec (ms clock, bytes):"
GODEBUG=inittrace=1 "$B/cwsec" version 2>&1 >/dev/null | awk '$1=="init" {print $5, $8, $2}' | sort -k2 -n -r | head -8 | sed 's/^/  /'
if command -v perf >/dev/null && perf stat -e page-faults true 2>/dev/null; then
  for bin in "mincobra version" "initonly" "cwsec version"; do
    # shellcheck disable=SC2086
    perf stat -r 200 -x, -e task-clock,page-faults $B/$bin 2>&1 >/dev/null |
      awk -F, -v b="$bin" '/task-clock/ {t=$1} /page-faults/ {p=$1} END {printf "%-16s %6.2f ms CPU, %4d page faults (perf stat, mean of 200)\n", b, t, p}'
  done
fi
