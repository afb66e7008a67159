#!/usr/bin/env bash
# Key and CSR generation: `cwsec cert request` against `openssl req -new
# -newkey ... -nodes`, for ecdsa-p256 and rsa-2048, side by side.
#
# cwsec does more than openssl here: it also opens the store, seals the key,
# appends an audit record and commits (with fsync) before printing the CSR.
# openssl writes its key to /dev/null. The Go benchmark
# BenchmarkKeyAndCSR (internal/certs) gives the key-and-CSR cost alone.
# Usage: bench/certreq.sh [RUNS]   (default 40 per command and round)
source "$(dirname "$0")/lib.sh"
install_tools
need openssl openssl
build
machine
RUNS=${1:-40}
C="$BENCH_OUT/cwsec"
HOME_DIR="$BENCH_OUT/certreq"
rm -rf "$HOME_DIR" && "$C" --home "$HOME_DIR" init >/dev/null
openssl version
SUBJ=/CN=careware.example.org
SAN=subjectAltName=DNS:careware.example.org
hf certreq -base 1 -pairs 2/1,4/3 -title "cert request against openssl req -new -newkey" -- \
  -N --warmup 5 --runs "$RUNS" \
  --command-name "openssl req, ecdsa-p256" "openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null -subj $SUBJ -addext $SAN" \
  --command-name "cwsec cert request, ecdsa-p256" "$C --home $HOME_DIR cert request --cn careware.example.org --key-type ecdsa-p256" \
  --command-name "openssl req, rsa-2048" "openssl req -new -newkey rsa:2048 -nodes -keyout /dev/null -subj $SUBJ -addext $SAN" \
  --command-name "cwsec cert request, rsa-2048" "$C --home $HOME_DIR cert request --cn careware.example.org --key-type rsa-2048"
(cd "$ROOT" && go test ./internal/certs/ -run '^$' -bench BenchmarkKeyAndCSR -benchtime 100x)
