#!/usr/bin/env bash
# check_fault_block.sh SOURCE_DIR MOCK_SERVER PAGE
# Every line of PAGE's docs-test=mock-faults blocks is a fault rule that seedance-mock-server
# accepts: the server is started with each as a --fault and must print its URL (a rule it cannot
# parse exits 2 before that).
set -euo pipefail
source_dir=$1
mock_server=$2
page=$3

args=() rules=0
while IFS= read -r rule; do
  [[ -z "${rule//[[:space:]]/}" || "$rule" == "# ---" ]] && continue
  args+=(--fault "$rule")
  rules=$((rules + 1))
done < <("$source_dir/scripts/doc-blocks" "$source_dir/$page" mock-faults)
if [[ $rules -eq 0 ]]; then
  echo "check_fault_block: $page has no docs-test=mock-faults rules" >&2
  exit 1
fi

coproc MOCK { exec "$mock_server" --port 0 "${args[@]}" 2>&1; }
mock_pid=$MOCK_PID
trap 'kill "$mock_pid" 2>/dev/null || true; wait "$mock_pid" 2>/dev/null || true' EXIT
if ! read -r -t 30 line <&"${MOCK[0]}" || [[ "$line" != http://* ]]; then
  echo "check_fault_block: the mock server refused the rules of $page: ${line:-}" >&2
  exit 1
fi
echo "check_fault_block: $page: the mock server accepts all $rules rules"
