#include "file_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "journal.hpp"

namespace seedance::cli {

FileLock::FileLock(const std::string& path, const std::string& busy_message) {
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) throw JournalError("cannot open " + path + ": " + std::strerror(errno));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd_);
    throw JournalError(busy_message);
  }
}

FileLock::~FileLock() { ::close(fd_); }

}  // namespace seedance::cli
