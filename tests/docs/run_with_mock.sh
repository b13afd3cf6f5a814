#!/usr/bin/env bash
# run_with_mock.sh MOCK_SERVER PROGRAM [ARGS...]
# Starts the mock server on a free loopback port (tasks finish on the first poll), runs PROGRAM in
# a fresh directory with SEEDANCE_BASE_URL and SEEDANCE_API_KEY pointing at it, and exits with
# PROGRAM's status.
set -euo pipefail
mock_server=$1
program=$2
shift 2

work_dir=$(mktemp -d)
coproc MOCK { exec "$mock_server" --port 0 --api-key docs-test-key --polls 1 --video-size 64k; }
mock_pid=$MOCK_PID
trap 'kill "$mock_pid" 2>/dev/null || true; wait "$mock_pid" 2>/dev/null || true; rm -rf "$work_dir"' EXIT

# The server prints its URL once it accepts connections.
if ! read -r -t 30 base_url <&"${MOCK[0]}"; then
  echo "run_with_mock: the mock server did not start" >&2
  exit 1
fi

cd "$work_dir"
SEEDANCE_BASE_URL=$base_url SEEDANCE_API_KEY=docs-test-key "$program" "$@"
