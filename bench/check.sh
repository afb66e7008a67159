#!/usr/bin/env bash
# Endpoint checks at scale: `cwsec cert check` over N TLS endpoints on
# loopback against a sequential `openssl s_client` loop over the same
# endpoints (target: at least 20x faster, with the same verdicts) and against
# sslscan.
#
# The endpoints are served by bench/tlsfarm, one process listening on N
# loopback ports with certificates from a private CA; one in 20 is bad on
# purpose (expired, wrong name, self-signed, untrusted root, no intermediate),
# so that verdicts are not all OK. The farm counts ClientHellos and completed
# handshakes, so each checker's share is reported too. A few endpoints are
# also served by `openssl s_server`, to show that the verdicts do not depend
# on the farm being a Go server.
#
# Verdicts: s_client with -CAfile root.pem -verify_return_error -servername
# NAME -verify_hostname NAME (without -verify_hostname s_client does not
# check the name at all) passes or fails; cwsec's `-o json` targets[].status
# is ok or not. Both are compared with each other and with what the farm
# made, endpoint by endpoint.
#
# Usage: bench/check.sh [ENDPOINTS] [RUNS]   (default 200 endpoints, 5 runs per round)
#        CHECK_DELAY=20ms bench/check.sh   (the farm waits that long before each
#        handshake, standing in for the network round trips loopback lacks)
#        CWSEC_ALT_BIN=/path/to/cwsec CWSEC_ALT_NAME=label bench/check.sh   (one more build)
source "$(dirname "$0")/lib.sh"
export LC_ALL=C # sort and join must agree
install_tools
need openssl openssl
need sslscan sslscan
need jq jq
build
(cd "$ROOT" && go build -o "$BENCH_OUT/tlsfarm" ./bench/tlsfarm)
machine
openssl version
N=${1:-200}
RUNS=${2:-5}
C=$BENCH_OUT/cwsec
H=$BENCH_OUT/check-home # no store is needed to check endpoints
F=$BENCH_OUT/farm
rm -rf "$F" && mkdir -p "$F" "$H"

PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
DELAY=${CHECK_DELAY:-0s}
echo "endpoints: $N, each handshake delayed by $DELAY"
"$BENCH_OUT/tlsfarm" -n "$N" -dir "$F" -for 30m -delay "$DELAY" &
FARM=$!
PIDS+=("$FARM")
for _ in $(seq 100); do [ -f "$F/ready" ] && break; sleep 0.1; done
[ -f "$F/ready" ] || { echo "tlsfarm did not start" >&2; exit 1; }
cut -d' ' -f1 "$F/targets" > "$F/addrs"

# sclient_loop TARGETS: the script an administrator would write.
cat > "$BENCH_OUT/sclient-loop.sh" <<EOF
#!/bin/sh
# One openssl s_client per endpoint, one after another; prints HOST:PORT ok|bad.
while read -r addr name; do
  if openssl s_client -connect "\$addr" -servername "\$name" -verify_hostname "\$name" \\
      -CAfile "$F/root.pem" -verify_return_error -brief </dev/null >/dev/null 2>&1; then
    echo "\$addr ok"
  else
    echo "\$addr bad"
  fi
done < "\${1:-$F/targets}"
EOF
check() { # check TARGETS POLICY: cwsec's verdicts as HOST:PORT ok|bad STATUS
  local rc=0
  "$C" --home "$H" cert check --targets "$1" --roots "$F/root.pem" --policy "$2" -o json > "$F/check.json" || rc=$?
  [ "$rc" -le 3 ] || { echo "cwsec cert check exited $rc" >&2; return 1; }
  jq -r '.targets[] | "\(.name) \(if .status == "ok" then "ok" else "bad" end) \(.status)"' "$F/check.json"
}

# compare EXPECTED: three verdicts per endpoint side by side; fails on any
# disagreement between cwsec and s_client.
compare() {
  local targets=$1 expected=$2 label=$3
  sh "$BENCH_OUT/sclient-loop.sh" "$targets" | sort > "$F/v-sclient"
  check "$targets" none | sort > "$F/v-cwsec"
  awk '{print $1, ($3 == "ok" ? "ok" : "bad"), ($4 == "" ? "-" : $4)}' "$expected" | sort > "$F/v-expected"
  join "$F/v-expected" "$F/v-sclient" | join - "$F/v-cwsec" > "$F/v-all"
  local total agree
  total=$(wc -l < "$F/v-all")
  # v-all: endpoint, expected, defect, s_client, cwsec, cwsec's status
  agree=$(awk '$2 == $4 && $4 == $5' "$F/v-all" | wc -l)
  echo "$label: $agree of $total endpoints: cwsec, s_client and the farm agree" \
    "($(awk '{print $5 "/" $6}' "$F/v-all" | sort | uniq -c | awk '{printf "%s%s %s", (NR > 1 ? ", " : ""), $1, $2}'))"
  awk '$2 != $4 || $4 != $5 {print "  DISAGREE:", $0, "(endpoint expected defect s_client cwsec status)"}' "$F/v-all"
  [ "$agree" = "$total" ] && [ "$total" -gt 0 ]
}
compare "$F/targets" "$F/expected" "verdicts, $N farm endpoints"

# The same kinds of endpoint served by openssl s_server, one process each
# (-www: s_server then never waits on its stdin between connections).
: > "$F/ss-targets"
: > "$F/ss-expected"
for kind in ok expired wrong-name self-signed untrusted-root no-intermediate; do
  chain=()
  [ -s "$F/serve-$kind.chain" ] && chain=(-cert_chain "$F/serve-$kind.chain")
  timeout 900 openssl s_server -accept 127.0.0.1:0 -cert "$F/serve-$kind.crt" -key "$F/serve.key" "${chain[@]}" \
    -naccept 100000 -www < /dev/null > "$F/ss-$kind.out" 2>&1 &
  PIDS+=("$!")
  for _ in $(seq 50); do grep -qs '^ACCEPT' "$F/ss-$kind.out" && break; sleep 0.1; done
  addr=$(sed -n 's/^ACCEPT //p' "$F/ss-$kind.out")
  echo "$addr careware.test" >> "$F/ss-targets"
  if [ "$kind" = ok ]; then verdict=ok; else verdict="bad $kind"; fi
  echo "$addr careware.test $verdict" >> "$F/ss-expected"
done
compare "$F/ss-targets" "$F/ss-expected" "verdicts, 6 openssl s_server endpoints"

# Handshakes each checker makes over the N farm endpoints, counted by the farm.
handshakes() { # handshakes LABEL CMD...
  local label=$1; shift
  local before after
  rm -f "$F/stats"; kill -USR1 "$FARM"
  for _ in $(seq 50); do [ -f "$F/stats" ] && break; sleep 0.05; done
  before=$(cat "$F/stats")
  "$@" >/dev/null 2>&1 || true
  rm -f "$F/stats"; kill -USR1 "$FARM"
  for _ in $(seq 50); do [ -f "$F/stats" ] && break; sleep 0.05; done
  after=$(cat "$F/stats")
  printf '%s\n%s\n' "$before" "$after" | awk -v n="$N" -v l="$label" \
    '{v[$1] = $2 - v[$1]} END {printf "  %-34s %5.1f ClientHellos and %4.1f completed handshakes per endpoint\n", l, v["client_hellos"] / n, v["handshakes"] / n}'
}
if [ "$DELAY" = 0s ]; then
echo "handshakes per endpoint (counted by tlsfarm):"
handshakes "openssl s_client loop" sh "$BENCH_OUT/sclient-loop.sh"
handshakes "cwsec cert check --policy none" "$C" --home "$H" cert check --targets "$F/targets" --roots "$F/root.pem" --policy none -o json
handshakes "cwsec cert check --policy nist" "$C" --home "$H" cert check --targets "$F/targets" --roots "$F/root.pem" --policy nist -o json
handshakes "sslscan --targets" sslscan --no-colour --sni-name=careware.test "--targets=$F/addrs"
fi

# Timing, side by side. cwsec exits 2 (CRITICAL: the bad endpoints), hence -i.
# CWSEC_ALT_BIN adds another cwsec build (say, a proposed change) to the run,
# with its verdicts checked first.
ARGS="cert check --targets $F/targets --roots $F/root.pem -o json"
CHECK="$C --home $H $ARGS"
alt=()
pairs=1/3
if [ -n "${CWSEC_ALT_BIN:-}" ]; then
  C_MAIN=$C C=$CWSEC_ALT_BIN
  compare "$F/targets" "$F/expected" "verdicts of $CWSEC_ALT_BIN"
  handshakes "$CWSEC_ALT_BIN --policy none" "$C" --home "$H" cert check --targets "$F/targets" --roots "$F/root.pem" --policy none -o json
  C=$C_MAIN
  alt=(--command-name "${CWSEC_ALT_NAME:-alternative cwsec} --policy none" "$CWSEC_ALT_BIN --home $H $ARGS --policy none"
    --command-name "${CWSEC_ALT_NAME:-alternative cwsec} --policy none --concurrency 32" "$CWSEC_ALT_BIN --home $H $ARGS --policy none --concurrency 32")
  pairs=1/3,1/4,1/5
fi
hf check -base 2 -pairs "$pairs" -title "cert check of $N loopback endpoints (handshakes delayed $DELAY) against an openssl s_client loop" -- \
  -N -i --warmup 1 --runs "$RUNS" \
  --command-name "openssl s_client loop ($N endpoints in turn)" "sh $BENCH_OUT/sclient-loop.sh" \
  --command-name "cwsec cert check --policy none (certificate verdicts)" "$CHECK --policy none" \
  --command-name "cwsec cert check --policy nist (also protocols, suites)" "$CHECK --policy nist" \
  "${alt[@]}"
# sslscan makes about 93 connections per endpoint one after another: with a
# delay that is minutes, and it says nothing new.
[ "$DELAY" = 0s ] || exit 0
BENCH_ROUNDS=1 hf check-sslscan -base 1 -title "cert check --policy nist against sslscan, $N endpoints" -- \
  -N -i --runs 2 \
  --command-name "cwsec cert check --policy nist" "$CHECK --policy nist" \
  --command-name "sslscan --targets ($N endpoints)" "sslscan --no-colour --sni-name=careware.test --targets=$F/addrs"
