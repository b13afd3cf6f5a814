#!/usr/bin/env bash
# The transport benchmark through the TLS front the real service sits behind: the mock server
# program, scripts/nginx-tls-front proxying to it, and bench/transport_bench against the front,
# first over HTTP/2 (ALPN, the SDK's default over TLS), then over HTTP/1.1 on the same front. The
# SDK and the plain libcurl loop speak the same protocol and trust the same throwaway CA; the
# SDK's connections are counted in nginx's access log.
# Usage: bench/transport_h2.sh [BUILD_DIR] [transport_bench options...]   (default: build-bench)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-bench}
shift $(( $# > 0 ? 1 : 0 ))
bench=$build/bench/transport_bench
mock=$build/mock/seedance-mock-server
for program in "$bench" "$mock"; do
  [[ -x $program ]] || { echo "build it first: cmake --build $build --target transport_bench seedance-mock-server" >&2; exit 1; }
done

work=$(mktemp -d)
mock_pid='' front_pid=''
cleanup() {
  for pid in $front_pid $mock_pid; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

# Prints the first line a background program writes to FILE, once it is there.
first_line() {
  local file=$1 pid=$2
  for _ in $(seq 400); do
    if [[ -s $file ]] && read -r line <"$file"; then echo "$line"; return; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  echo "transport_h2: $3 did not start" >&2
  exit 1
}

# Enough requests per connection for every round of both runs, as through one front.
"$mock" --keep-alive-timeout 600 >"$work/mock.out" 2>"$work/mock.err" &
mock_pid=$!
mock_url=$(first_line "$work/mock.out" "$mock_pid" "the mock server")
scripts/nginx-tls-front "$work/front" --upstream "${mock_url##*:}" >"$work/front.out" &
front_pid=$!
read -r _ base ca <<<"$(first_line "$work/front.out" "$front_pid" "nginx")"

status=0
for protocol in h2 http1.1; do
  echo "== $protocol over TLS, through nginx $(nginx -v 2>&1 | sed 's/.*\///') to the mock server"
  flags=()
  [[ $protocol == h2 ]] || flags=(--http1.1)
  "$bench" --base-url "$base" --ca-bundle "$ca" --access-log "$work/front/logs/access.log" \
    "${flags[@]}" "$@" || status=1
  echo
done
exit $status
