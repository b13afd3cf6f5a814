#!/usr/bin/env bash
# bench/poll_bench against the mock server in a process of its own, either directly (HTTP/1.1)
# or behind scripts/nginx-tls-front (TLS, HTTP/2 unless --http1.1 is passed on to poll_bench),
# so that the benchmark's peak RSS is the SDK's alone.
# Usage: bench/poll_bench.sh BUILD_DIR [--tls] [POLL_BENCH_OPTIONS...]
#   e.g. bench/poll_bench.sh build-bench --tls --tasks 10000 --rate 100000 --connections 8
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:?usage: bench/poll_bench.sh BUILD_DIR [--tls] [POLL_BENCH_OPTIONS...]}
shift
tls=
if [[ ${1:-} == --tls ]]; then
  tls=1
  shift
fi
bench=$build/bench/poll_bench
mock=$build/mock/seedance-mock-server
for program in "$bench" "$mock"; do
  [[ -x $program ]] || {
    echo "build it first: cmake --build $build --target poll_bench seedance-mock-server" >&2
    exit 1
  }
done
if [[ -z $tls ]]; then
  exec "$bench" --mock-server "$mock" "$@"
fi

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

"$mock" --polls 3 --video-size 1024 --threads 8 >"$work/mock-url" &
pids+=($!)
until [[ -s $work/mock-url ]]; do sleep 0.1; done
port=$(sed -e 's|.*:||' "$work/mock-url")
echo "mock server (own process)   $mock --polls 3 --video-size 1024 --threads 8"

mkfifo "$work/front-ready"
scripts/nginx-tls-front "$work/nginx" --upstream "$port" >"$work/front-ready" &
pids+=($!)
read -r ready url ca <"$work/front-ready"
[[ $ready == ready ]] || { echo "poll_bench.sh: the nginx front did not start" >&2; exit 1; }
echo "TLS front (nginx)           $url -> 127.0.0.1:$port"
"$bench" --base-url "$url" --ca-bundle "$ca" "$@"
