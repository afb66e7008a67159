# Shared set-up for the bench scripts: build the binaries once into $BENCH_OUT,
# make sure hyperfine and the peers are installed, describe the machine, and
# run hyperfine in rounds (hf) with a summary of medians and ratios.
#
# Environment:
#   BENCH_OUT     where binaries, stores and results go (default: a new /tmp dir)
#   BENCH_ROUNDS  how many hyperfine rounds per comparison (default 3)
#   CWSEC_BIN     time this cwsec binary instead of building one from the tree
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_OUT=${BENCH_OUT:-$(mktemp -d /tmp/cwsec-bench.XXXXXX)}
BENCH_ROUNDS=${BENCH_ROUNDS:-3}
export BENCH_OUT BENCH_ROUNDS
mkdir -p "$BENCH_OUT"

# Release-like, as .goreleaser.yaml builds: no cgo, -trimpath, stripped.
RELEASE_FLAGS=(-trimpath -ldflags "-s -w")

# build: cwsec and the baselines as released, plus cwsec-cgo, the default
# `go build` (cgo on, so os/user asks NSS through libc), for comparison.
build() {
  (
    cd "$ROOT"
    export CGO_ENABLED=0
    if [ -n "${CWSEC_BIN:-}" ]; then
      cp "$CWSEC_BIN" "$BENCH_OUT/cwsec"
    else
      go build "${RELEASE_FLAGS[@]}" -o "$BENCH_OUT/cwsec" ./cmd/cwsec
    fi
    go build "${RELEASE_FLAGS[@]}" -o "$BENCH_OUT/mincobra" ./bench/mincobra
    go build "${RELEASE_FLAGS[@]}" -o "$BENCH_OUT/minbolt" ./bench/minbolt
    go build "${RELEASE_FLAGS[@]}" -o "$BENCH_OUT/initonly" ./bench/initonly
    go build "${RELEASE_FLAGS[@]}" -o "$BENCH_OUT/slimverify" ./bench/slimverify
    go build -o "$BENCH_OUT/hfsum" ./bench/hfsum
    go build -o "$BENCH_OUT/restore" ./bench/restore
    CGO_ENABLED=1 go build -o "$BENCH_OUT/cwsec-cgo" ./cmd/cwsec
  )
}

# need CMD PACKAGE...: install Debian packages when CMD is missing.
need() {
  local cmd=$1; shift
  command -v "$cmd" >/dev/null && return
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

install_tools() {
  need hyperfine hyperfine
  need oathtool oathtool
}

machine() {
  echo "machine: $(nproc) cores ($(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -srm), $(go version | awk '{print $3}'), $(date -u +%Y-%m-%dT%H:%MZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
}

# hf NAME [hfsum options --] hyperfine-options-and-commands...
# Runs hyperfine BENCH_ROUNDS times (each round is every command, side by
# side), keeps each round's JSON as $BENCH_OUT/NAME.rN.json and prints the
# summary, which is also appended to $BENCH_OUT/results.md.
hf() {
  local name=$1; shift
  local sum=()
  if [[ " $* " == *" -- "* ]]; then
    while [ "$1" != "--" ]; do sum+=("$1"); shift; done
    shift
  fi
  local files=()
  for r in $(seq 1 "$BENCH_ROUNDS"); do
    hyperfine --style none --export-json "$BENCH_OUT/$name.r$r.json" "$@" >/dev/null 2>"$BENCH_OUT/$name.r$r.log" \
      || { cat "$BENCH_OUT/$name.r$r.log" >&2; return 1; }
    files+=("$BENCH_OUT/$name.r$r.json")
  done
  { echo "<!-- $(machine) -->"; "$BENCH_OUT/hfsum" "${sum[@]}" "${files[@]}"; } | tee -a "$BENCH_OUT/results.md"
}
