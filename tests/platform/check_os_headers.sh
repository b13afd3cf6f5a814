#!/usr/bin/env bash
# check_os_headers.sh SOURCE_DIR
# Only the platform layer includes operating-system headers: src/platform/platform_*.cpp (the
# library, used by the CLI too), cli/interrupt_*.cpp (the CLI's Ctrl-C handling) and
# mock/src/http_server.cpp (the mock's sockets and stop signals). Anything else reaching the OS
# directly builds on one system and breaks on the others (scripts/cross-compile-windows).
set -euo pipefail
source_dir=$1
cd "$source_dir"

# POSIX, Linux, macOS and Windows headers (and their C++ spellings).
os_headers='unistd|fcntl|sys/[a-z_/]+|signal|csignal|pthread|poll|dirent|pwd|grp|termios|dlfcn|'
os_headers+='netdb|arpa/[a-z_]+|netinet/[a-z_]+|net/[a-z_]+|spawn|syslog|mach/[a-z_]+|'
os_headers+='mach-o/[a-z_]+|windows|winsock2?|ws2tcpip|winbase|io|direct|process|conio|shlobj|'
os_headers+='shellapi|tchar|wincrypt'
allowed='^(src/platform/platform_[a-z]+\.cpp|cli/interrupt_[a-z]+\.cpp|mock/src/http_server\.cpp):'

found=$(grep -rnE --include='*.cpp' --include='*.hpp' --include='*.h' \
  "^[[:space:]]*#[[:space:]]*include[[:space:]]*<($os_headers)\.h>|^[[:space:]]*#[[:space:]]*include[[:space:]]*<csignal>" \
  src cli mock include | grep -vE "$allowed" || true)
if [[ -n "$found" ]]; then
  echo "check_os_headers: operating-system headers outside the platform layer" \
    "(src/platform/platform.hpp has the call you need, or should):" >&2
  echo "$found" >&2
  exit 1
fi
checked=$(find src cli mock include -name '*.cpp' -o -name '*.hpp' -o -name '*.h' | wc -l)
echo "check_os_headers: $checked files, OS headers only in the platform layer"
