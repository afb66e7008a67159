#!/usr/bin/env bash
# Start-up cost: `cwsec version` against a cobra program that does nothing.
# Usage: bench/startup.sh   (results on stdout, markdown from hyperfine in $BENCH_OUT)
source "$(dirname "$0")/lib.sh"
install_tools
build
machine
ls -l "$BENCH_OUT/cwsec" "$BENCH_OUT/mincobra" | awk '{print $5, $9}'
hyperfine -N --warmup 50 --runs 500 \
  --export-markdown "$BENCH_OUT/startup.md" \
  "$BENCH_OUT/mincobra version" \
  "$BENCH_OUT/cwsec version"
