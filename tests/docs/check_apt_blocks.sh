#!/usr/bin/env bash
# check_apt_blocks.sh SOURCE_DIR
# Every package that a ```sh docs-test=apt block of docs/*.md or README.md installs with
# "apt-get install" must be one scripts/setup installs too, so that the documented list is one
# CI has built with and cannot drift from it.
set -euo pipefail
source_dir=$1

# scripts/setup's packages=( ... ) array, one name a line.
setup_packages=$(awk '
  /^packages=\(/ { open = 1; sub(/^packages=\(/, "") }
  open {
    sub(/#.*/, "")
    done = sub(/\).*/, "")
    for (i = 1; i <= NF; i++) print $i
    if (done) exit
  }' "$source_dir/scripts/setup")
if [[ -z "$setup_packages" ]]; then
  echo "check_apt_blocks: no packages=( ... ) list found in scripts/setup" >&2
  exit 1
fi

failed=0 checked=0
for page in "$source_dir"/docs/*.md "$source_dir/README.md"; do
  name=${page#"$source_dir/"}
  # Comments removed, continuation lines joined; then the words after "apt-get install" up to the
  # end of the command, options skipped.
  documented=$("$source_dir/scripts/doc-blocks" "$page" apt | sed 's/[[:space:]]#.*//; /^#/d' | awk '
    { line = line $0 }
    /\\$/ { sub(/\\$/, "", line); next }
    {
      n = split(line, words, /[[:space:]]+/)
      for (i = 1; i < n; i++) {
        if (words[i] == "apt-get" && words[i + 1] == "install") {
          for (j = i + 2; j <= n; j++) {
            if (words[j] ~ /^(&&|;|\||\|\|)$/) break
            if (words[j] != "" && words[j] !~ /^-/) print words[j]
          }
        }
      }
      line = ""
    }')
  for package in $documented; do
    checked=$((checked + 1))
    if ! grep -qxF -- "$package" <<< "$setup_packages"; then
      echo "$name: apt-get installs $package, which scripts/setup does not" >&2
      failed=1
    fi
  done
done

if [[ $checked -eq 0 ]]; then
  echo "check_apt_blocks: no docs-test=apt block names a package" >&2
  exit 1
fi
[[ $failed -eq 0 ]] && echo "check_apt_blocks: $checked documented packages, all in scripts/setup"
exit "$failed"
