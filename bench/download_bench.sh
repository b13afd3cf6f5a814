#!/usr/bin/env bash
# Downloads from nginx on loopback, three ways: plain HTTP/1.1, and HTTP/1.1 and HTTP/2 over TLS
# through scripts/nginx-tls-front (its throwaway CA trusted, never verification off). Each way, in
# the same run and alternating the order: the SDK (bench/download_bench), a tuned plain-libcurl
# program that writes and fsyncs the same file (bench/download_baseline, the practical limit),
# and `curl -s -o FILE` followed by `sync FILE` (the same durability). The source is warm in the
# page cache and everything is synced before every run; every download is compared with it.
# Targets, at the largest size: SDK median <= 1.1x the tuned loop's; SDK peak RSS <= 16 MiB over
# plain HTTP and <= 24 MiB over TLS. Then the resume check (plain HTTP): a download interrupted
# at the midpoint (cancelled, and killed with SIGKILL) must transfer only what was missing.
# Usage: bench/download_bench.sh [BUILD_DIR] [RUNS] [SIZES...]   (defaults: build-bench 5 64m 1g)
# Needs nginx, curl, openssl and GNU time (/usr/bin/time); uses 2x the largest size of disk.
# Exits 1 when a target is missed (SEEDANCE_BENCH_SMOKE=1: times are reported, not judged).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-bench}
runs=${2:-5}
shift $(( $# > 2 ? 2 : $# ))
sizes=("$@")
[[ ${#sizes[@]} -gt 0 ]] || sizes=(64m 1g)
sdk=$build/bench/download_bench
tuned=$build/bench/download_baseline
for program in "$sdk" "$tuned"; do
  [[ -x $program ]] || { echo "build it first: cmake --build $build --target download_bench download_baseline" >&2; exit 1; }
done

work=$(mktemp -d)
nginx_pid='' front_pid=''
cleanup() {
  for pid in $front_pid $nginx_pid; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
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
plain_base=http://127.0.0.1:$port

scripts/nginx-tls-front "$work/front" --root "$work/www" >"$work/front.out" &
front_pid=$!
for _ in $(seq 200); do [[ -s $work/front.out ]] && break; sleep 0.05; done
read -r ready tls_base ca <"$work/front.out" || true
[[ ${ready:-} == ready ]] || { echo "download_bench: the TLS front did not start" >&2; exit 1; }
access_log=$work/front/logs/access.log

bytes_of() { numfmt --from=iec "${1^^}"; }
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
warm() { cat "$1" >/dev/null; sync; }

# Runs "$@" under GNU time, then `sync $out` when $then_sync is set, and appends
# "seconds max_rss_kib" (the program's peak; the sync is timed, not measured) to $result.
timed() {
  local start end rss
  start=$EPOCHREALTIME
  rss=$( { /usr/bin/time -f '%M' "$@" >"$work/last.txt"; } 2>&1 | tail -n 1)
  [[ -z ${then_sync:-} ]] || sync "$out"
  end=$EPOCHREALTIME
  echo "$(awk -v end="$end" -v start="$start" 'BEGIN { printf "%.6f", end - start }') $rss" >>"$result"
}

# The protocol nginx logged for the front's last request ("HTTP/2.0", "HTTP/1.1").
last_protocol() { tail -n 1 "$access_log" | cut -d' ' -f2; }

status=0
judge_time=1
[[ -z ${SEEDANCE_BENCH_SMOKE:-} ]] || judge_time=
largest=${sizes[-1]}
echo "nginx $(nginx -v 2>&1 | sed 's/.*\///'), curl $(curl --version | head -n 1 | cut -d' ' -f2), $runs runs each, alternating; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '| way | size | SDK median | tuned libcurl median | SDK / tuned | curl + sync median | SDK / (curl + sync) | peak RSS: SDK / tuned / curl (max) |\n|---|---|---|---|---|---|---|---|\n'
for size in "${sizes[@]}"; do
  total=$(bytes_of "$size")
  task=task_bench_$size
  mkdir -p "$work/www/v1/videos/$task"
  source_file=$work/www/v1/videos/$task/content
  head -c "$total" /dev/urandom >"$source_file"
  out=$work/out.bin
  for way in http1.1 tls-http1.1 tls-h2; do
    case $way in
      http1.1) base=$plain_base sdk_flags=() tuned_flags=(--http1.1) curl_flags=() protocol=
        rss_limit=16 ;;
      tls-http1.1) base=$tls_base sdk_flags=(--ca-bundle "$ca" --http1.1)
        tuned_flags=(--ca-bundle "$ca" --http1.1) curl_flags=(--cacert "$ca" --http1.1)
        protocol=HTTP/1.1 rss_limit=24 ;;
      tls-h2) base=$tls_base sdk_flags=(--ca-bundle "$ca") tuned_flags=(--ca-bundle "$ca")
        curl_flags=(--cacert "$ca" --http2) protocol=HTTP/2.0 rss_limit=24 ;;
    esac
    url=$base/v1/videos/$task/content
    : >"$work/sdk.txt"; : >"$work/tuned.txt"; : >"$work/curl.txt"
    for run in $(seq "$runs"); do
      # Each program goes first, second and third in turn.
      order=(sdk tuned curl)
      (( run % 3 == 2 )) && order=(tuned curl sdk)
      (( run % 3 == 0 )) && order=(curl sdk tuned)
      for who in "${order[@]}"; do
        rm -f "$out" "$out.part" "$out.part.meta"; warm "$source_file"
        case $who in
          sdk) result=$work/sdk.txt timed "$sdk" "$base" "$task" "$out" "${sdk_flags[@]}" ;;
          tuned) result=$work/tuned.txt timed "$tuned" "$url" "$out" "${tuned_flags[@]}" ;;
          curl) result=$work/curl.txt then_sync=1 timed curl -s -o "$out" "${curl_flags[@]}" "$url" ;;
        esac
        cmp -s "$out" "$source_file" || { echo "$way: the download of $who differs" >&2; exit 1; }
        if [[ -n $protocol && $(last_protocol) != "$protocol" ]]; then
          echo "$way: $who spoke $(last_protocol), not $protocol" >&2
          exit 1
        fi
      done
    done
    rm -f "$out"
    read -r sdk_median tuned_median curl_median <<<"$(for who in sdk tuned curl; do
      cut -d' ' -f1 "$work/$who.txt" | median; done | tr '\n' ' ')"
    read -r sdk_rss tuned_rss curl_rss <<<"$(for who in sdk tuned curl; do
      cut -d' ' -f2 "$work/$who.txt" | sort -n | tail -n 1; done | tr '\n' ' ')"
    awk -v way="$way" -v size="$size" -v sdk="$sdk_median" -v tuned="$tuned_median" \
        -v curl="$curl_median" -v sdk_rss="$sdk_rss" -v tuned_rss="$tuned_rss" \
        -v curl_rss="$curl_rss" 'BEGIN {
      printf "| %s | %s | %.3f s | %.3f s | %.2fx | %.3f s | %.2fx | %.1f / %.1f / %.1f MiB |\n",
        way, size, sdk, tuned, sdk / tuned, curl, sdk / curl, sdk_rss / 1024, tuned_rss / 1024,
        curl_rss / 1024 }'
    if (( sdk_rss > rss_limit * 1024 )); then
      echo "MISSED: $way $size: SDK peak RSS above $rss_limit MiB" >&2
      status=1
    fi
    if [[ $size == "$largest" && -n $judge_time ]] &&
        ! awk -v sdk="$sdk_median" -v tuned="$tuned_median" 'BEGIN { exit !(sdk <= 1.1 * tuned) }'; then
      echo "MISSED: $way $size: SDK above 1.1x the tuned libcurl loop" >&2
      status=1
    fi
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

# Resume after an interruption at the midpoint of the largest file.
size=$largest
total=$(bytes_of "$size")
task=task_bench_$size
base=$plain_base
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
  if (( transferred - missing > 1048576 )); then
    echo "MISSED: the resume ($how) transferred more than 1 MiB past what was missing" >&2
    status=1
  fi
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
exit $status
