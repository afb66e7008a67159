#!/usr/bin/env bash
# What each heavy dependency costs, in binary size and in start-up time.
#
# 1. mincobra built once per dependency with a blank import of it (build tags
#    in bench/mincobra/dep_*.go): the size it adds and its package inits are
#    what every cwsec process pays for it, whatever the command, because Go
#    runs every linked package's init at start. Timed side by side with plain
#    mincobra, all dependencies at once, and cwsec itself.
# 2. The cwsec binary's own symbols (go tool nm -size) summed by module: the
#    code and data each dependency really contributes once it is used.
# Usage: bench/depcost.sh [RUNS]   (default 200 per command and round)
source "$(dirname "$0")/lib.sh"
install_tools
build
machine
RUNS=${1:-200}
D=$BENCH_OUT/dep
mkdir -p "$D"
TAGS=(dep_viper dep_yaml dep_bbolt dep_tls dep_nethttp dep_idna dep_publicsuffix dep_pkcs12 dep_qr dep_argon2 dep_syslog)
# Everything cwsec links but viper, to show what viper adds on top.
ALL="dep_yaml dep_bbolt dep_tls dep_nethttp dep_idna dep_publicsuffix dep_pkcs12 dep_qr dep_argon2 dep_syslog"
(
  cd "$ROOT"
  export CGO_ENABLED=0
  go build "${RELEASE_FLAGS[@]}" -o "$D/base" ./bench/mincobra
  for t in "${TAGS[@]}"; do go build "${RELEASE_FLAGS[@]}" -tags "$t" -o "$D/$t" ./bench/mincobra; done
  go build "${RELEASE_FLAGS[@]}" -tags "$ALL" -o "$D/all" ./bench/mincobra
  go build -trimpath -o "$D/cwsec-symbols" ./cmd/cwsec # not stripped, for nm
)

inits() { # package inits a binary runs at start: count, ms (median of 9 runs), KiB allocated
  for _ in $(seq 9); do
    GODEBUG=inittrace=1 "$@" 2>&1 >/dev/null |
      awk '$1=="init" {n++; ms+=$5; b+=$8} END {printf "%.2f %d %d\n", ms, n, b/1024}'
  done | sort -n | sed -n 5p | awk '{printf "%d inits, %.2f ms, %d KiB", $2, $1, $3}'
}
base_size=$(stat -c %s "$D/base")
echo
echo "| mincobra + | size added (stripped) | package inits at start (GODEBUG=inittrace=1, median of 9) |"
echo "|---|---|---|"
for v in base "${TAGS[@]}" all; do
  s=$(stat -c %s "$D/$v")
  printf '| %s | %+d KiB (%d KiB) | %s |\n' "$v" $(((s - base_size) / 1024)) $((s / 1024)) "$(inits "$D/$v" version)"
done
printf '| cwsec version | %+d KiB (%d KiB) | %s |\n' $((($(stat -c %s "$BENCH_OUT/cwsec") - base_size) / 1024)) \
  $(($(stat -c %s "$BENCH_OUT/cwsec") / 1024)) "$(inits "$BENCH_OUT/cwsec" version)"
echo

args=()
for v in base "${TAGS[@]}" all; do args+=(--command-name "mincobra + $v" "$D/$v version"); done
args+=(--command-name "cwsec version" "$BENCH_OUT/cwsec version")
hf depcost -base 1 -title "Start-up of a cobra program with each dependency linked" -- \
  -N --warmup 20 --runs "$RUNS" "${args[@]}"

# Bytes of code and data per module in cwsec (bss excluded: it takes no room
# in the file; the 32 MiB FIPS DRBG buffer is bss that nm reports as data).
echo "cwsec's symbols by module (go tool nm -size; text, rodata and data, KiB):"
mods=$(go version -m "$D/cwsec-symbols" | awk '$1=="dep" {print $2}')
go tool nm -size "$D/cwsec-symbols" | awk -v mods="$mods" '
  BEGIN { n = split(mods, m, "\n") }
  $3 ~ /^[TtRrDd]$/ && $2 < 4194304 {
    name = $4; sub(/^(type:|go:itab\.|\*|\(\*)+/, "", name)
    owner = ""
    for (i = 1; i <= n; i++) if (index(name, m[i] ".") == 1 || index(name, m[i] "/") == 1) { owner = m[i]; break }
    if (owner == "") {
      if (index(name, "github.com/cwsec/cwsec/") == 1) owner = "cwsec (internal)"
      else if (name ~ /^(runtime|internal)[.\/]/) owner = "runtime"
      else if (name ~ /^(net\/http|vendor\/golang.org\/x\/net|mime|net\/textproto|compress)/) owner = "net/http and its helpers (stdlib)"
      else if (name ~ /^crypto\/(tls|hpke|mlkem|internal\/fips140\/(tls|mlkem))/) owner = "crypto/tls (stdlib)"
      else if (name ~ /^crypto\//) owner = "crypto (other stdlib)"
      else owner = "other stdlib"
    }
    size[owner] += $2; total += $2
  }
  END { for (o in size) printf "  %7.0f  %s\n", size[o] / 1024, o; printf "  %7.0f  total\n", total / 1024 }' | sort -n -r
echo "largest packages in cwsec (KiB):"
go tool nm -size "$D/cwsec-symbols" | awk '$3 ~ /^[TtRrDd]$/ && $2 < 4194304 {
    name = $4; sub(/^(type:|go:itab\.|\*|\(\*)+/, "", name)
    if (name ~ /^go:/) size["go: (string data, closures, func metadata)"] += $2
    else if (match(name, /^([a-zA-Z0-9_.\-]+\/)*[a-zA-Z0-9_\-]+/)) size[substr(name, 1, RLENGTH)] += $2
  }
  END { for (p in size) printf "  %7.0f  %s\n", size[p] / 1024, p }' | sort -n -r | head -20
