# Shared set-up for the bench scripts: build the binaries once into $BENCH_OUT
# and make sure hyperfine and the peers are installed.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_OUT=${BENCH_OUT:-$(mktemp -d /tmp/cwsec-bench.XXXXXX)}
export BENCH_OUT


build() {
  (cd "$ROOT" && go build -o "$BENCH_OUT/cwsec" ./cmd/cwsec \
    && go build -o "$BENCH_OUT/mincobra" ./bench/mincobra \
    && go build -o "$BENCH_OUT/minbolt" ./bench/minbolt)
}

install_tools() {
  command -v hyperfine >/dev/null || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hyperfine >/dev/null; }
  command -v oathtool >/dev/null || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq oathtool >/dev/null; }
}

machine() {
  echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sm), $(go version | awk '{print $3}')"
}
