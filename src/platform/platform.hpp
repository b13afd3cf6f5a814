// The platform layer: everything the library and the CLI ask of the operating system (durable
// writes, atomic replacement, file locks, private files, sockets, the console, starting another
// program) behind one small interface, implemented once for POSIX (platform_posix.cpp, with
// __APPLE__ branches) and once for Windows (platform_windows.cpp). No other file includes an OS
// header. Paths are UTF-8 strings; Windows converts them to UTF-16 here, nowhere else.
// Failures are reported as std::error_code: errno's generic category on POSIX (so messages read
// as strerror does), GetLastError()'s system category on Windows.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

namespace seedance::detail::platform {

/// A UTF-8 path as std::filesystem wants it (UTF-16 on Windows, the same bytes on POSIX).
inline std::filesystem::path to_path(const std::string& utf8) {
  return std::filesystem::u8path(utf8);
}

/// std::fopen of a UTF-8 path (_wfopen on Windows).
std::FILE* open_c_file(const std::string& path, const char* mode);

/// `directory` / `name` as a UTF-8 string, with the system's separator.
inline std::string join_path(const std::string& directory, const std::string& name) {
  return (to_path(directory) / to_path(name)).u8string();
}

/// Where a user's configuration goes: $XDG_CONFIG_HOME when absolute, else ~/.config (macOS too);
/// %APPDATA% on Windows. Empty when unknown.
std::string user_config_directory();
/// Where a user's cache goes: $XDG_CACHE_HOME when absolute, else ~/.cache; %LOCALAPPDATA% on
/// Windows. Empty when unknown.
std::string user_cache_directory();

/// How File::open_write opens a file.
enum class OpenMode {
  Truncate,   ///< Created when missing, emptied when present.
  Append,     ///< Created when missing; every write goes to the end.
  Existing,   ///< Must exist; written in place (File::write_at).
  CreateNew,  ///< Must not exist yet.
  ReadWrite,  ///< Created when missing, kept as it is (lock files).
};

/// Who may read a file this creates: everyone the umask allows (0644), or only its owner (0600).
enum class Access { Shared, Private };

/// An open file, never inherited by programs this process starts. Closed by the destructor (any
/// error then is ignored: call close() to see it).
class File {
 public:
  File() = default;
  ~File();
  File(File&& other) noexcept;
  File& operator=(File&& other) noexcept;
  File(const File&) = delete;
  File& operator=(const File&) = delete;

  /// Opens `path` for writing; an unopened File and `error` set on failure.
  static File open_write(const std::string& path, OpenMode mode, Access access,
                         std::error_code& error);
  static File open_read(const std::string& path, std::error_code& error);
  /// Creates a new private file (Access::Private) in `directory`, named `prefix` and a random
  /// suffix; sets `path` to its name.
  static File create_unique(const std::string& directory, const std::string& prefix,
                            std::string& path, std::error_code& error);

  bool is_open() const noexcept;

  /// Writes all of `data` at the file position. False with `error` set when it cannot.
  bool write(const char* data, std::size_t size, std::error_code& error);
  /// Writes all of `data` at `offset`, which advances by every byte written (also on failure);
  /// threads may write disjoint ranges of one File at once.
  bool write_at(std::uint64_t& offset, const char* data, std::size_t size, std::error_code& error);
  /// Reads up to `size` bytes at the file position; 0 at the end, nullopt with `error` set.
  std::optional<std::size_t> read(char* data, std::size_t size, std::error_code& error);
  /// Sets the size, cutting or extending (with zeros).
  bool resize(std::uint64_t size, std::error_code& error);
  /// Allocates `size` bytes on disk, so that a full disk fails now; where the file system cannot,
  /// fails with errc::operation_not_supported (resize() then makes a sparse file instead).
  bool reserve(std::uint64_t size, std::error_code& error);
  /// Makes the contents and the metadata durable (fsync; F_FULLFSYNC on macOS, where fsync only
  /// reaches the drive's cache; FlushFileBuffers on Windows).
  bool sync(std::error_code& error);
  /// Makes the contents durable, not necessarily the metadata (fdatasync where there is one).
  bool sync_data(std::error_code& error);
  bool close(std::error_code& error);

  /// Takes an exclusive lock on the whole file, held until it is closed; the system drops it when
  /// the process ends however it ends, so a crash never leaves a stale lock. With `wait` false,
  /// fails at once with errc::resource_unavailable_try_again when another process holds it.
  bool lock(bool wait, std::error_code& error);

 private:
  explicit File(std::intptr_t handle) : handle_(handle) {}
  std::intptr_t handle_ = -1;  // a descriptor, or a Windows HANDLE
};

/// Renames `from` over `to` atomically, replacing whatever file is there, and durably where the
/// system can say so (MOVEFILE_WRITE_THROUGH); on POSIX see sync_directory_of().
bool replace_file(const std::string& from, const std::string& to, std::error_code& error);

/// What move_into_place() did.
enum class Placed { Moved, TargetExists, Failed };

/// Moves `from` to `to` without ever replacing a file at `to` (link and unlink where hard links
/// exist, MoveFileExW without MOVEFILE_REPLACE_EXISTING on Windows; on a POSIX file system without
/// hard links, a check then a rename).
Placed move_into_place(const std::string& from, const std::string& to, std::error_code& error);

/// Makes a rename into the directory of `path` durable: fsync of the directory on POSIX; nothing
/// on Windows, whose renames are written through.
void sync_directory_of(const std::string& path);

/// Creates `directory` (not its parents) readable by its owner only; true when it exists.
bool create_private_directory(const std::string& directory);

/// The POSIX permission bits of `path` (07777), following links; nullopt where there are none
/// (Windows: ACLs decide) or `path` cannot be examined.
std::optional<unsigned> permission_bits(const std::string& path);

/// Whether this process may write to `path` (access(W_OK) on POSIX).
bool is_writable(const std::string& path);

/// Names the calling thread for debuggers and `top -H` (Linux keeps 15 bytes of it).
void name_this_thread(const char* name);

/// Whether standard error is a terminal (a console on Windows).
bool stderr_is_terminal();

/// Writes all of `bytes` to standard output as they are (no text conversion, no stdio buffer).
bool write_stdout(const char* data, std::size_t size, std::error_code& error);

/// The running program's file, empty when unknown.
std::string executable_path();

/// Runs `program` with `arguments` (argv[0] first) in place of this process (its PATH searched
/// when `search_path`). On POSIX this process image is replaced; on Windows the program runs and
/// this process exits with its exit code. Returns only when it could not be started.
std::error_code run_in_place_of_this_process(const std::string& program,
                                             const std::vector<std::string>& arguments,
                                             bool search_path);

/// A socket handle as libcurl's curl_socket_t holds it (SOCKET on Windows, a descriptor else).
#ifdef _WIN32
using Socket = std::uintptr_t;
#else
using Socket = int;
#endif

/// socket(2) whose handle is not inherited by programs this process starts.
Socket open_socket(int family, int type, int protocol);
/// 0 on success, as close(2) and closesocket() return.
int close_socket(Socket socket);

}  // namespace seedance::detail::platform
