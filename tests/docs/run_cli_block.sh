#!/usr/bin/env bash
# run_cli_block.sh SOURCE_DIR SEEDANCE MOCK_SERVER PAGE N
# Runs the N-th ```sh docs-test=cli block of PAGE (relative to SOURCE_DIR) with bash -euo pipefail
# against a seedance-mock-server on a free loopback port whose tasks finish on the first poll (so
# "--poll-interval 5" never makes the test wait), in a fresh directory, with the built seedance and
# seedance-mock-server first on PATH. Fails when any command of the block fails, and when the API
# key appears in anything the block printed.
#
# The block is run as written except for these substitutions, which point it at the mock:
#   https://api.example.com, http://127.0.0.1:40521   -> the mock's URL
#   SEEDANCE_API_KEY=...                              -> SEEDANCE_API_KEY=test-key
#   TASK_ID, task_abc123                              -> the id of a task submitted and waited on
#                                                        beforehand (finished, so downloadable)
#   a block with lines starting "$ " (a terminal session): only those lines are run, without
#   the prompt; the other lines are the output it shows
#   a line starting "seedance mock-server" or "seedance-mock-server" (a server that runs until
#   stopped, "terminal 1") is started in the background with "--port 0" instead of a fixed port,
#   must print an http:// URL, and is stopped when the block ends.
#   a block that sets no SEEDANCE_ variable runs with the page's docs-test=cli-config block, if
#   it has one (cli/README.md), as the user's config file, its https://api.example.com and
#   "sk-..." replaced by the mock's URL and key
# Fixtures the blocks name are created first: first.png and boat.png (a PNG signature is all the
# CLI checks) and prompts.jsonl, the job file of cli/README.md (its docs-test=cli-jobs block).
set -euo pipefail
source_dir=$1
seedance=$2
mock_server=$3
page=$4
index=$5
readonly api_key=test-key

block=$("$source_dir/scripts/doc-blocks" "$source_dir/$page" cli "$index")
if [[ -z "${block//[[:space:]]/}" ]]; then
  echo "run_cli_block: $page has no docs-test=cli block number $index" >&2
  exit 1
fi
# A terminal session: the commands are the prompted lines.
if grep -q '^\$ ' <<<"$block"; then
  block=$(sed -n 's/^\$ //p' <<<"$block")
fi

work_dir=$(mktemp -d)
mock_pid=
cleanup() {
  if [[ -n "$mock_pid" ]]; then
    kill "$mock_pid" 2>/dev/null || true
    wait "$mock_pid" 2>/dev/null || true
  fi
  rm -rf "$work_dir"
}
trap cleanup EXIT

# Only what the block sets may reach the CLI: no settings or config file of the user running the
# tests.
while IFS= read -r name; do unset "$name"; done < <(compgen -e | grep '^SEEDANCE_' || true)
export HOME=$work_dir/home XDG_CONFIG_HOME=$work_dir/home/.config
mkdir -p "$HOME"
PATH=$(cd "$(dirname "$seedance")" && pwd):$(cd "$(dirname "$mock_server")" && pwd):$PATH
export PATH

coproc MOCK { exec seedance-mock-server --port 0 --polls 1 --api-key "$api_key" --video-size 64k; }
mock_pid=$MOCK_PID
# The server prints its URL once it accepts connections.
if ! read -r -t 30 base_url <&"${MOCK[0]}" || [[ "$base_url" != http://* ]]; then
  echo "run_cli_block: the mock server did not start" >&2
  exit 1
fi

cd "$work_dir"
printf '\x89PNG\r\n\x1a\n\0\0\0\rIHDR' > first.png
cp first.png boat.png
"$source_dir/scripts/doc-blocks" "$source_dir/cli/README.md" cli-jobs 1 > prompts.jsonl
if [[ ! -s prompts.jsonl ]]; then
  echo "run_cli_block: cli/README.md has no docs-test=cli-jobs block" >&2
  exit 1
fi

task_id=
if [[ "$block" == *TASK_ID* || "$block" == *task_abc123* ]]; then
  task_id=$(SEEDANCE_BASE_URL=$base_url SEEDANCE_API_KEY=$api_key seedance submit --prompt "docs")
  # Its own poll cache, so the block's first status query of the task need not wait 5 s for it.
  SEEDANCE_BASE_URL=$base_url SEEDANCE_API_KEY=$api_key XDG_CACHE_HOME=$work_dir/setup-cache \
    seedance -q wait "$task_id" > /dev/null
fi

# The URL is used as a sed replacement: escape what sed gives a meaning there.
sed_escape() { printf '%s' "$1" | sed 's/[&|\\]/\\&/g'; }
url=$(sed_escape "$base_url")
body=$(printf '%s\n' "$block" | sed -E \
  -e "s|https://api\.example\.com|$url|g" \
  -e "s|http://127\.0\.0\.1:40521|$url|g" \
  -e "s|SEEDANCE_API_KEY=\.\.\.|SEEDANCE_API_KEY=$api_key|g" \
  -e "s#TASK_ID|task_abc123#$task_id#g" \
  -e '/^[[:space:]]*(seedance mock-server|seedance-mock-server)([[:space:]]|$)/{
        s/^[[:space:]]*/serve_in_background /
        s/--port([[:space:]]+|=)[0-9]+/--port 0/
      }')
echo "run_cli_block: $page, block $index, as run:" >&2
printf '%s\n' "$body" >&2

config=$("$source_dir/scripts/doc-blocks" "$source_dir/$page" cli-config 1)
if [[ -n "$config" && "$block" != *SEEDANCE_* ]]; then
  mkdir -p "$XDG_CONFIG_HOME/seedance"
  printf '%s\n' "$config" | sed \
    -e "s|https://api\.example\.com|$url|g" \
    -e "s|sk-\.\.\.|$api_key|g" > "$XDG_CONFIG_HOME/seedance/config"
  echo "run_cli_block: with the config file of $page" >&2
fi

{
  cat <<'EOF'
# Starts a server line of the block in the background and waits for the URL it prints.
servers=()
stop_servers() {
  local pid
  for pid in "${servers[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  servers=()
}
trap stop_servers EXIT
serve_in_background() {
  local log="server-${#servers[@]}.out" line=
  "$@" > "$log" 2>&1 &
  servers+=("$!")
  for _ in $(seq 300); do
    line=$(head -n 1 "$log")
    [[ -n "$line" ]] && break
    kill -0 "$!" 2>/dev/null || break
    sleep 0.1
  done
  if [[ "$line" != http://* ]]; then
    echo "run_cli_block: '$*' printed no http:// URL:" >&2
    cat "$log" >&2
    return 1
  fi
  echo "run_cli_block: '$*' serves $line" >&2
}
EOF
  printf '%s\n' "$body"
  cat <<'EOF'
# A block that only exports settings is checked by using them.
if [[ -n "${SEEDANCE_BASE_URL:-}" ]]; then
  seedance status "$(seedance submit --prompt "docs")" > /dev/null
fi
stop_servers
EOF
} > block.sh

set +e
bash -euo pipefail block.sh 2>&1 | tee output.log
status=${PIPESTATUS[0]}
set -e
if [[ $status -ne 0 ]]; then
  echo "run_cli_block: $page, block $index: a command failed (exit $status)" >&2
  exit 1
fi
if grep -q -- "$api_key" output.log; then
  echo "run_cli_block: the API key was printed" >&2
  exit 1
fi
