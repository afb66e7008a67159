#!/usr/bin/env bash
# What github.com/zmap/zlint/v3 would cost cwsec, measured rather than
# assumed: mincobra with zlint's lint registry blank-imported, against plain
# mincobra, in size, package inits and start-up. cwsec does not link zlint
# (its few checks cwsec needs are written in internal/certs/conformance.go);
# this script is the evidence for that choice, and it builds in a scratch
# module so that zlint never enters cwsec's go.mod.
# Usage: bench/zlint.sh [RUNS]   (default 200 per command and round)
source "$(dirname "$0")/lib.sh"
install_tools
(cd "$ROOT" && go build -o "$BENCH_OUT/hfsum" ./bench/hfsum)
machine
RUNS=${1:-200}
ZLINT_VERSION=${ZLINT_VERSION:-v3.7.3}
Z=$BENCH_OUT/zlint
rm -rf "$Z" && mkdir -p "$Z/src"
cp "$ROOT/bench/mincobra/main.go" "$Z/src/main.go"
cat > "$Z/src/dep_zlint.go" <<'GO'
//go:build dep_zlint

package main

// zlint imports every lint package, and each lint registers itself at init.
import _ "github.com/zmap/zlint/v3"
GO
(
  cd "$Z/src"
  cobra=$(cd "$ROOT" && go list -m -f '{{.Version}}' github.com/spf13/cobra)
  go mod init mincobra-zlint >/dev/null 2>&1
  go mod edit -go="$(cd "$ROOT" && go list -m -f '{{.GoVersion}}')" -require="github.com/spf13/cobra@$cobra" -require="github.com/zmap/zlint/v3@$ZLINT_VERSION"
  GOFLAGS=-tags=dep_zlint go mod tidy >/dev/null 2>&1
  export CGO_ENABLED=0
  go build "${RELEASE_FLAGS[@]}" -o "$Z/mincobra" .
  go build "${RELEASE_FLAGS[@]}" -tags dep_zlint -o "$Z/mincobra-zlint" .
)
ls -l "$Z/mincobra" "$Z/mincobra-zlint" | awk '{printf "%9d bytes  %s\n", $5, $9}'
for bin in mincobra mincobra-zlint; do
  GODEBUG=inittrace=1 "$Z/$bin" version 2>&1 >/dev/null |
    awk -v b="$bin" '$1=="init" {n++; ms+=$5; bytes+=$8} END {printf "%-15s %4d package inits, %.2f ms, %d KiB allocated\n", b, n, ms, bytes/1024}'
done
echo "heaviest inits with zlint (ms clock, bytes):"
GODEBUG=inittrace=1 "$Z/mincobra-zlint" version 2>&1 >/dev/null | awk '$1=="init" {print $5, $8, $2}' | sort -k1 -n -r | head -5 | sed 's/^/  /'
hf zlint -base 1 -title "Start-up: a cobra program with and without zlint $ZLINT_VERSION linked" -- \
  -N --warmup 30 --runs "$RUNS" \
  --command-name "mincobra version" "$Z/mincobra version" \
  --command-name "mincobra version, zlint linked" "$Z/mincobra-zlint version"
