#!/usr/bin/env bash
# Peak memory of the CLI against hostile answers from the mock server: a task detail of SIZE
# bytes, one of exactly the 4 MiB limit, one nested DEPTH arrays deep, one of 4 MiB of empty
# arrays (a million values), one of 290 KiB of them (just under the 100,000 values accepted), a
# submit answer of SIZE bytes and a download error body of SIZE bytes. Each case runs `seedance`
# under GNU time; it must end with its exit code (0 for an accepted answer, 3 for a refused one, 5
# for the submit: a task may exist), without a crash, under 64 MiB of peak RSS.
# Usage: bench/answer_bench.sh [BUILD_DIR] [SIZE] [DEPTH]   (defaults: build-bench 200m 100000)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-bench}
size=${2:-200m}
depth=${3:-100000}
cli=$build/cli/seedance
mock=$build/mock/seedance-mock-server
limit_kib=$((64 * 1024))
for program in "$cli" "$mock"; do
  [[ -x $program ]] || {
    echo "build it first: cmake --build $build --target seedance_cli seedance-mock-server" >&2
    exit 1
  }
done

work=$(mktemp -d)
mock_pid=
cleanup() {
  [[ -n "$mock_pid" ]] && { kill "$mock_pid" 2>/dev/null || true; wait "$mock_pid" 2>/dev/null || true; }
  rm -rf "$work"
}
trap cleanup EXIT

key=sk-answer-bench-0123456789
"$mock" --port 0 --api-key "$key" \
  --fault "GET /v1/videos/task_huge: body=huge size=$size times=always" \
  --fault "GET /v1/videos/task_nested: body=nested depth=$depth times=always" \
  --fault "GET /v1/videos/task_wide: body=wide size=4m times=always" \
  --fault "GET /v1/videos/task_at_limit: body=huge size=4m times=always" \
  --fault "GET /v1/videos/task_wide_accepted: body=wide size=290k times=always" \
  --fault "POST /v1/videos: body=huge size=$size times=always" \
  --fault "GET */content: status=404 body=huge size=$size times=always" >"$work/url" &
mock_pid=$!
for _ in $(seq 200); do [[ -s $work/url ]] && break; sleep 0.05; done
export SEEDANCE_BASE_URL=$(head -n 1 "$work/url") SEEDANCE_API_KEY=$key
unset http_proxy https_proxy HTTPS_PROXY all_proxy ALL_PROXY

failed=0
# Runs one case: NAME EXPECTED_EXIT ARGUMENTS...
run_case() {
  local name=$1 expected=$2 status seconds rss
  shift 2
  set +e
  /usr/bin/time -o "$work/time" -f '%e %M' "$cli" "$@" >/dev/null 2>"$work/err"
  status=$?
  set -e
  read -r seconds rss < <(tail -n 1 "$work/time")
  printf '| %s | `seedance %s` | %s | %.1f MiB | %s s |\n' "$name" "$*" "$status" \
    "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')" "$seconds"
  if [[ $status != "$expected" ]]; then
    echo "  expected exit $expected; stderr: $(head -c 300 "$work/err")" >&2
    failed=1
  fi
  if (( rss >= limit_kib )); then
    echo "  peak RSS $rss KiB is not under $limit_kib KiB" >&2
    failed=1
  fi
}

echo "answers of $size and nested $depth deep; limit: peak RSS under 64 MiB"
printf '| answer | command | exit | peak RSS | time |\n|---|---|---|---|---|\n'
run_case "task detail of $size" 3 --json status task_huge
run_case "task detail nested $depth deep" 3 --json status task_nested
run_case "task detail of 4m, the limit (accepted)" 0 --json status task_at_limit
run_case "task detail of 4m of empty arrays" 3 --json status task_wide
run_case "task detail of 290k of empty arrays (accepted)" 0 --json status task_wide_accepted
run_case "submit answer of $size" 5 --json submit --prompt "a paper boat"
run_case "download error body of $size" 3 --json download task_gone -o "$work/video.mp4"
exit "$failed"
