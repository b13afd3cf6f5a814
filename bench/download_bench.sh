#!/usr/bin/env bash
# Downloads from nginx on loopback: the SDK (bench/download_bench) against `curl -s -o`, in the
# same run, alternating, with the source warm in the page cache and a sync between runs.
# Then the resume check: a download interrupted at the midpoint (cancelled, and killed with
# SIGKILL) must transfer only what was missing to finish.
# Usage: bench/download_bench.sh [BUILD_DIR] [RUNS] [SIZES...]   (defaults: build-bench 5 64m 1g)
# Needs nginx, curl and GNU time (/usr/bin/time); uses 2x the largest size of disk, freed after.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-bench}
runs=${2:-5}
shift $(( $# > 2 ? 2 : $# ))
sizes=("$@")
[[ ${#sizes[@]} -gt 0 ]] || sizes=(64m 1g)
sdk=$build/bench/download_bench
[[ -x $sdk ]] || { echo "build it first: cmake --build $build --target download_bench" >&2; exit 1; }

work=$(mktemp -d)
nginx_pid=
cleanup() {
  [[ -n "$nginx_pid" ]] && { kill "$nginx_pid" 2>/dev/null || true; wait "$nginx_pid" 2>/dev/null || true; }
  rm -rf "$work"
}
trap cleanup EXIT
chmod 755 "$work"
mkdir -p "$work/logs" "$work/www"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$work/nginx.conf" <<CONF
daemon off; master_process off; worker_processes 1;
pid $work/logs/nginx.pid; error_log $work/logs/error.log;
events { worker_connections 64; }
http {
  access_log off; sendfile on; default_type application/octet-stream;
  client_body_temp_path $work/logs/b; proxy_temp_path $work/logs/p; fastcgi_temp_path $work/logs/f;
  uwsgi_temp_path $work/logs/u; scgi_temp_path $work/logs/s;
  server { listen 127.0.0.1:$port; root $work/www; }
}
CONF
nginx -p "$work" -c "$work/nginx.conf" -e "$work/logs/error.log" &
nginx_pid=$!
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.05; done
base=http://127.0.0.1:$port

bytes_of() { numfmt --from=iec "${1^^}"; }
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
warm() { cat "$1" >/dev/null; sync; }

# Runs "$@" and appends "seconds max_rss_kib" to the file named by $result.
timed() {
  local start end rss
  start=$EPOCHREALTIME
  rss=$( { /usr/bin/time -f '%M' "$@" >/dev/null; } 2>&1 | tail -n 1)
  end=$EPOCHREALTIME
  echo "$(awk -v end="$end" -v start="$start" 'BEGIN { printf "%.6f", end - start }') $rss" >>"$result"
}

echo "nginx $(nginx -v 2>&1 | sed 's/.*\///'), curl $(curl --version | head -n 1 | cut -d' ' -f2), $runs runs each, alternating"
printf '| size | SDK median | curl median | SDK / curl | SDK peak RSS (max) | curl peak RSS (max) |\n|---|---|---|---|---|---|\n'
for size in "${sizes[@]}"; do
  total=$(bytes_of "$size")
  task=task_bench_$size
  mkdir -p "$work/www/v1/videos/$task"
  source_file=$work/www/v1/videos/$task/content
  head -c "$total" /dev/urandom >"$source_file"
  out=$work/out.bin
  : >"$work/sdk.txt"; : >"$work/curl.txt"
  for run in $(seq "$runs"); do
    order=(sdk curl)
    (( run % 2 == 0 )) && order=(curl sdk)
    for who in "${order[@]}"; do
      rm -f "$out" "$out.part" "$out.part.meta"; warm "$source_file"
      if [[ $who == sdk ]]; then
        result=$work/sdk.txt timed "$sdk" "$base" "$task" "$out"
        cmp -s "$out" "$source_file" || { echo "SDK download differs" >&2; exit 1; }
      else
        result=$work/curl.txt timed curl -s -o "$out" "$base/v1/videos/$task/content"
      fi
    done
  done
  rm -f "$out"
  sdk_median=$(cut -d' ' -f1 "$work/sdk.txt" | median)
  curl_median=$(cut -d' ' -f1 "$work/curl.txt" | median)
  sdk_rss=$(cut -d' ' -f2 "$work/sdk.txt" | sort -n | tail -n 1)
  curl_rss=$(cut -d' ' -f2 "$work/curl.txt" | sort -n | tail -n 1)
  awk -v size="$size" -v sdk="$sdk_median" -v curl="$curl_median" -v sdk_rss="$sdk_rss" \
      -v curl_rss="$curl_rss" 'BEGIN {
    printf "| %s | %.3f s | %.3f s | %.2fx | %.1f MiB | %.1f MiB |\n", size, sdk, curl, sdk / curl,
      sdk_rss / 1024, curl_rss / 1024 }'
done

# Resume after an interruption at the midpoint of the largest file.
size=${sizes[-1]}
total=$(bytes_of "$size")
task=task_bench_$size
out=$work/out.bin
echo
printf '| interruption at the midpoint (%s) | kept in .part | missing | transferred to finish | excess |\n|---|---|---|---|---|\n' "$size"
report_resume() {
  local how=$1 kept missing line transferred
  if [[ ! -e "$out.part" ]]; then
    printf '| %s | finished before the interruption | | | |\n' "$how"
    rm -f "$out" "$out.part.meta"
    return
  fi
  kept=$(stat -c %s "$out.part")
  missing=$((total - kept))
  line=$("$sdk" "$base" "$task" "$out")
  transferred=$(sed 's/.*transferred=\([0-9]*\).*/\1/' <<<"$line")
  cmp -s "$out" "$work/www/v1/videos/$task/content" || { echo "resumed download differs" >&2; exit 1; }
  printf '| %s | %d | %d | %d | %d bytes |\n' "$how" "$kept" "$missing" "$transferred" $((transferred - missing))
  rm -f "$out" "$out.part" "$out.part.meta"
}
rm -f "$out" "$out.part" "$out.part.meta"
"$sdk" "$base" "$task" "$out" --stop-at $((total / 2)) >/dev/null || true
report_resume "cancelled (CancellationToken)"
"$sdk" "$base" "$task" "$out" >/dev/null &
victim=$!
# A small file may be finished (and renamed) before the part reaches the midpoint.
while kill -0 "$victim" 2>/dev/null &&
    [[ $(stat -c %s "$out.part" 2>/dev/null || echo 0) -lt $((total / 2)) ]]; do
  sleep 0.005
done
kill -KILL "$victim" 2>/dev/null || true
wait "$victim" 2>/dev/null || true
report_resume "process killed (SIGKILL)"
