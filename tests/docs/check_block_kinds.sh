#!/usr/bin/env bash
# check_block_kinds.sh SOURCE_DIR
# Every fenced block of docs/*.md, README.md, cli/README.md and mock/README.md names a language,
# and every one that is neither C++ (compiled and run by tests/docs and tests/examples) nor text
# (diagrams, sample output) names a known docs-test=KIND, so that no shell or CMake block is left
# unexercised. A text block may name a kind too (mock/README.md's fault rules); it must be known.
set -euo pipefail
source_dir=$1
known_kinds=" cli cli-config cli-jobs json mock-faults apt install cmake-project cmake-fragment \
pkg-config bench ci "

failed=0 blocks=0
for page in "$source_dir"/docs/*.md "$source_dir/README.md" "$source_dir/cli/README.md" \
            "$source_dir/mock/README.md"; do
  name=${page#"$source_dir/"}
  while read -r line language kind; do
    blocks=$((blocks + 1))
    if [[ "$language" == "-" ]]; then
      echo "$name:$line: the fenced block names no language" >&2
      failed=1
    elif [[ "$kind" == "-" && ( "$language" == cpp || "$language" == text ) ]]; then
      continue
    elif [[ "$kind" == "-" ]]; then
      echo "$name:$line: the $language block names no docs-test=KIND" >&2
      failed=1
    elif [[ "$known_kinds" != *" $kind "* ]]; then
      echo "$name:$line: unknown kind docs-test=$kind (known:$known_kinds)" >&2
      failed=1
    fi
  done < <("$source_dir/scripts/doc-blocks" --list "$page")
done

if [[ $blocks -eq 0 ]]; then
  echo "check_block_kinds: no fenced blocks found" >&2
  exit 1
fi
[[ $failed -eq 0 ]] && echo "check_block_kinds: $blocks fenced blocks, all exercised"
exit "$failed"
