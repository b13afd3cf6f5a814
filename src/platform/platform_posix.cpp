// The platform layer on Linux, the BSDs and macOS (the __APPLE__ branches).
#include <fcntl.h>
#include <pthread.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __APPLE__
#include <mach-o/dyld.h>
#endif

#include <cerrno>
#include <cstdlib>
#include <utility>

#include "platform/platform.hpp"

namespace seedance::detail::platform {
namespace {

std::error_code last_error() { return {errno, std::generic_category()}; }

bool fail(std::error_code& error) {
  error = last_error();
  return false;
}

/// Writes all `size` bytes with `write_some` (write or pwrite), again after a signal or a short
/// write; a write of nothing is a full disk.
template <typename WriteSome>
bool write_all(const char* data, std::size_t size, std::error_code& error, WriteSome write_some) {
  while (size > 0) {
    const ssize_t written = write_some(data, size);
    if (written < 0 && errno == EINTR) continue;
    if (written < 0) return fail(error);
    if (written == 0) {
      error = std::make_error_code(std::errc::no_space_on_device);
      return false;
    }
    data += written;
    size -= static_cast<std::size_t>(written);
  }
  return true;
}

int descriptor(std::intptr_t handle) { return static_cast<int>(handle); }

int open_flags(OpenMode mode) {
  switch (mode) {
    case OpenMode::Truncate:
      return O_WRONLY | O_CREAT | O_TRUNC;
    case OpenMode::Append:
      return O_WRONLY | O_CREAT | O_APPEND;
    case OpenMode::Existing:
      return O_WRONLY;
    case OpenMode::CreateNew:
      return O_WRONLY | O_CREAT | O_EXCL;
    case OpenMode::ReadWrite:
      return O_RDWR | O_CREAT;
  }
  return O_WRONLY;
}

std::string directory_of(const std::string& path) {
  const std::filesystem::path parent = to_path(path).parent_path();
  return parent.empty() ? std::string(".") : parent.string();
}

// $variable when it is an absolute path, else $HOME/fallback; empty when neither is set.
std::string xdg_directory(const char* variable, const char* fallback) {
  const char* xdg = std::getenv(variable);
  if (xdg != nullptr && xdg[0] == '/') return xdg;
  const char* home = std::getenv("HOME");
  if (home != nullptr && home[0] != '\0') return std::string(home) + "/" + fallback;
  return {};
}

}  // namespace

std::string user_config_directory() { return xdg_directory("XDG_CONFIG_HOME", ".config"); }

std::string user_cache_directory() { return xdg_directory("XDG_CACHE_HOME", ".cache"); }

std::FILE* open_c_file(const std::string& path, const char* mode) {
  return std::fopen(path.c_str(), mode);
}

File::~File() {
  if (handle_ >= 0) ::close(descriptor(handle_));
}

File::File(File&& other) noexcept : handle_(std::exchange(other.handle_, -1)) {}

File& File::operator=(File&& other) noexcept {
  if (this != &other) {
    if (handle_ >= 0) ::close(descriptor(handle_));
    handle_ = std::exchange(other.handle_, -1);
  }
  return *this;
}

File File::open_write(const std::string& path, OpenMode mode, Access access,
                      std::error_code& error) {
  const int fd =
      ::open(path.c_str(), open_flags(mode) | O_CLOEXEC, access == Access::Private ? 0600 : 0644);
  if (fd < 0) error = last_error();
  return File(fd);
}

File File::open_read(const std::string& path, std::error_code& error) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) error = last_error();
  return File(fd);
}

bool File::is_open() const noexcept { return handle_ >= 0; }

// A File's operations change the file, if not the handle: const would promise otherwise.
// NOLINTBEGIN(readability-make-member-function-const)
bool File::write(const char* data, std::size_t size, std::error_code& error) {
  return write_all(data, size, error, [this](const char* bytes, std::size_t count) {
    return ::write(descriptor(handle_), bytes, count);
  });
}

bool File::write_at(std::uint64_t& offset, const char* data, std::size_t size,
                    std::error_code& error) {
  return write_all(data, size, error, [this, &offset](const char* bytes, std::size_t count) {
    const ssize_t written = ::pwrite(descriptor(handle_), bytes, count, static_cast<off_t>(offset));
    if (written > 0) offset += static_cast<std::uint64_t>(written);
    return written;
  });
}

std::optional<std::size_t> File::read(char* data, std::size_t size, std::error_code& error) {
  while (true) {
    const ssize_t got = ::read(descriptor(handle_), data, size);
    if (got >= 0) return static_cast<std::size_t>(got);
    if (errno != EINTR) {
      error = last_error();
      return std::nullopt;
    }
  }
}

bool File::resize(std::uint64_t size, std::error_code& error) {
  if (::ftruncate(descriptor(handle_), static_cast<off_t>(size)) != 0) return fail(error);
  return true;
}

bool File::reserve(std::uint64_t size, std::error_code& error) {
#ifdef __APPLE__
  (void)size;
  error = std::make_error_code(std::errc::operation_not_supported);
  return false;
#else
  const int result = ::posix_fallocate(descriptor(handle_), 0, static_cast<off_t>(size));
  if (result == 0) return true;
  error = std::error_code(result, std::generic_category());
  return false;
#endif
}

bool File::sync(std::error_code& error) {
#ifdef __APPLE__
  if (::fcntl(descriptor(handle_), F_FULLFSYNC) == 0) return true;
#endif
  if (::fsync(descriptor(handle_)) != 0) return fail(error);
  return true;
}

bool File::sync_data(std::error_code& error) {
#ifdef __APPLE__
  return sync(error);
#else
  if (::fdatasync(descriptor(handle_)) != 0) return fail(error);
  return true;
#endif
}

bool File::close(std::error_code& error) {
  const int fd = descriptor(std::exchange(handle_, -1));
  if (::close(fd) != 0) return fail(error);
  return true;
}

bool File::lock(bool wait, std::error_code& error) {
  while (::flock(descriptor(handle_), LOCK_EX | (wait ? 0 : LOCK_NB)) != 0) {
    if (errno == EINTR && wait) continue;
    if (errno == EWOULDBLOCK) {
      error = std::make_error_code(std::errc::resource_unavailable_try_again);
      return false;
    }
    return fail(error);
  }
  return true;
}

// NOLINTEND(readability-make-member-function-const)

File File::create_unique(const std::string& directory, const std::string& prefix, std::string& path,
                         std::error_code& error) {
  std::string name = directory + "/" + prefix + "XXXXXX";
  const int fd = ::mkstemp(name.data());  // Mode 0600.
  if (fd < 0) {
    error = last_error();
    return {};
  }
  // mkstemp has no close-on-exec flag everywhere (mkostemp is not POSIX).
  ::fcntl(fd, F_SETFD, FD_CLOEXEC);
  path = std::move(name);
  return File(fd);
}

bool replace_file(const std::string& from, const std::string& to, std::error_code& error) {
  if (::rename(from.c_str(), to.c_str()) != 0) return fail(error);
  return true;
}

Placed move_into_place(const std::string& from, const std::string& to, std::error_code& error) {
  // link() fails on an existing target, where rename() would replace it.
  if (::link(from.c_str(), to.c_str()) == 0) {
    ::unlink(from.c_str());
    return Placed::Moved;
  }
  if (errno == EEXIST) return Placed::TargetExists;
  // A file system without hard links: check, then rename.
  struct stat info {};
  if (::lstat(to.c_str(), &info) == 0) return Placed::TargetExists;
  if (::rename(from.c_str(), to.c_str()) != 0) {
    error = last_error();
    return Placed::Failed;
  }
  return Placed::Moved;
}

void sync_directory_of(const std::string& path) {
  const int fd = ::open(directory_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  (void)::fsync(fd);
  ::close(fd);
}

bool create_private_directory(const std::string& directory) {
  if (::mkdir(directory.c_str(), 0700) != 0 && errno != EEXIST) return false;
  std::error_code error;
  return std::filesystem::is_directory(directory, error);
}

std::optional<unsigned> permission_bits(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return std::nullopt;
  return static_cast<unsigned>(info.st_mode & 07777);
}

bool is_writable(const std::string& path) { return ::access(path.c_str(), W_OK) == 0; }

void name_this_thread(const char* name) {
#ifdef __APPLE__
  (void)::pthread_setname_np(name);  // macOS names only the calling thread
#else
  (void)::pthread_setname_np(::pthread_self(), name);
#endif
}

bool stderr_is_terminal() { return ::isatty(STDERR_FILENO) == 1; }

bool write_stdout(const char* data, std::size_t size, std::error_code& error) {
  while (size > 0) {
    const ssize_t written = ::write(STDOUT_FILENO, data, size);
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return fail(error);
    data += written;
    size -= static_cast<std::size_t>(written);
  }
  return true;
}

std::string executable_path() {
#ifdef __APPLE__
  std::uint32_t size = 0;
  ::_NSGetExecutablePath(nullptr, &size);
  std::string path(size, '\0');
  if (::_NSGetExecutablePath(path.data(), &size) != 0) return {};
  path.resize(path.find('\0'));
  return path;
#else
  std::error_code error;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
  return error ? std::string() : self.string();
#endif
}

std::error_code run_in_place_of_this_process(const std::string& program,
                                             const std::vector<std::string>& arguments,
                                             bool search_path) {
  std::vector<char*> argv;
  argv.reserve(arguments.size() + 1);
  for (const std::string& argument : arguments) argv.push_back(const_cast<char*>(argument.c_str()));
  argv.push_back(nullptr);
  if (search_path) {
    ::execvp(program.c_str(), argv.data());
  } else {
    ::execv(program.c_str(), argv.data());
  }
  return last_error();
}

Socket open_socket(int family, int type, int protocol) {
#ifdef SOCK_CLOEXEC
  return ::socket(family, type | SOCK_CLOEXEC, protocol);
#else
  // macOS has no SOCK_CLOEXEC: set it right after.
  const int fd = ::socket(family, type, protocol);
  if (fd >= 0) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
  return fd;
#endif
}

int close_socket(Socket socket) { return ::close(socket); }

}  // namespace seedance::detail::platform
