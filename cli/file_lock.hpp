// An exclusive lock held for as long as the object lives, on a lock file.
#pragma once

#include <string>

#include "platform/platform.hpp"

namespace seedance::cli {

/// A lock taken on the file (flock, LockFileEx), not a lock file's mere existence: the system
/// releases it when the process ends, even after a kill -9, so a crash never leaves a stale lock.
class FileLock {
 public:
  /// Creates `path` (mode 0600) if needed and locks it. Throws JournalError with `busy_message`
  /// when another process holds it, or naming the path when it cannot be opened.
  FileLock(const std::string& path, const std::string& busy_message);
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  detail::platform::File file_;
};

}  // namespace seedance::cli
