#include "file_lock.hpp"

#include <system_error>

#include "journal.hpp"

namespace seedance::cli {

FileLock::FileLock(const std::string& path, const std::string& busy_message) {
  using detail::platform::File;
  std::error_code error;
  file_ = File::open_write(path, detail::platform::OpenMode::ReadWrite,
                           detail::platform::Access::Private, error);
  if (!file_.is_open()) throw JournalError("cannot open " + path + ": " + error.message());
  if (!file_.lock(false, error)) throw JournalError(busy_message);
}

}  // namespace seedance::cli
