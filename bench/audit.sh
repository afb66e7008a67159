#!/usr/bin/env bash
# The audit trail at scale: `audit verify` and `audit log --limit 50` (the
# tail) on a store with 1,000,000 events, plus --since over the last day and a
# rare --action, which must not read the whole trail.
# Usage: bench/audit.sh [EVENTS]   (default 1000000)
source "$(dirname "$0")/lib.sh"
install_tools
build
machine
N=${1:-1000000}
C="$BENCH_OUT/cwsec"
HOME_DIR="$BENCH_OUT/audit-$N"
(cd "$ROOT" && CGO_ENABLED=0 go build "${RELEASE_FLAGS[@]}" -o "$BENCH_OUT/auditgen" ./bench/auditgen)
if [ ! -f "$HOME_DIR/cwsec.db" ]; then
  /usr/bin/time -f "generated $N events in %es, %MKiB max RSS" "$BENCH_OUT/auditgen" -home "$HOME_DIR" -n "$N"
fi
ls -l "$HOME_DIR/cwsec.db" | awk '{print $5, $9}'
"$C" --home "$HOME_DIR" audit verify
# The generated trail ends at 2026-12-03T12:00Z; --since 24h would count back
# from the real clock, so the last day is named by date.
hf audit -base 5 -title "audit trail of $N events" -- \
  -N --warmup 2 --runs 10 \
  --command-name "audit verify ($N events)" "$C --home $HOME_DIR audit verify" \
  --command-name "audit log --limit 50" "$C --home $HOME_DIR audit log --limit 50" \
  --command-name "audit log --since last day -o json" "$C --home $HOME_DIR audit log --since 2026-12-02T12:00:00Z -o json" \
  --command-name "audit log --action 2fa.reset --limit 50" "$C --home $HOME_DIR audit log --action 2fa.reset --limit 50" \
  --command-name "cwsec version (start-up)" "$C version"
/usr/bin/time -f "audit verify: %es, %MKiB max RSS" "$C" --home "$HOME_DIR" audit verify >/dev/null
