// The platform layer on Windows: UTF-8 paths become UTF-16 here and the wide (W) functions take
// them, so any name works whatever the ANSI code page is.
#ifndef NOMINMAX
#define NOMINMAX
#endif
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <io.h>
#include <process.h>
#include <windows.h>
#include <winsock2.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <utility>

#include "platform/platform.hpp"

namespace seedance::detail::platform {
namespace {

std::error_code last_error() {
  return {static_cast<int>(::GetLastError()), std::system_category()};
}

bool fail(std::error_code& error) {
  error = last_error();
  return false;
}

std::wstring wide(const std::string& utf8) {
  if (utf8.empty()) return {};
  const int length =
      ::MultiByteToWideChar(CP_UTF8, 0, utf8.data(), static_cast<int>(utf8.size()), nullptr, 0);
  std::wstring text(static_cast<std::size_t>(length), L'\0');
  ::MultiByteToWideChar(CP_UTF8, 0, utf8.data(), static_cast<int>(utf8.size()), text.data(),
                        length);
  return text;
}

HANDLE native(std::intptr_t handle) { return reinterpret_cast<HANDLE>(handle); }

std::intptr_t stored(HANDLE handle) {
  return handle == INVALID_HANDLE_VALUE ? -1 : reinterpret_cast<std::intptr_t>(handle);
}

DWORD disposition(OpenMode mode) {
  switch (mode) {
    case OpenMode::Truncate:
      return CREATE_ALWAYS;
    case OpenMode::Append:
    case OpenMode::ReadWrite:
      return OPEN_ALWAYS;
    case OpenMode::Existing:
      return OPEN_EXISTING;
    case OpenMode::CreateNew:
      return CREATE_NEW;
  }
  return OPEN_EXISTING;
}

// Other processes may read, write, rename and delete the file meanwhile, as on POSIX. Handles
// are not inherited (a null SECURITY_ATTRIBUTES).
HANDLE create(const std::string& path, DWORD access, DWORD how) {
  return ::CreateFileW(wide(path).c_str(), access,
                       FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr, how,
                       FILE_ATTRIBUTE_NORMAL, nullptr);
}

bool write_handle(HANDLE handle, const char* data, std::size_t size, std::uint64_t* offset,
                  std::error_code& error) {
  while (size > 0) {
    const DWORD chunk = static_cast<DWORD>(std::min<std::size_t>(size, 1u << 30));
    OVERLAPPED at{};
    if (offset != nullptr) {
      at.Offset = static_cast<DWORD>(*offset & 0xffffffffu);
      at.OffsetHigh = static_cast<DWORD>(*offset >> 32);
    }
    DWORD written = 0;
    if (!::WriteFile(handle, data, chunk, &written, offset != nullptr ? &at : nullptr)) {
      return fail(error);
    }
    if (written == 0) {
      error = std::make_error_code(std::errc::no_space_on_device);
      return false;
    }
    data += written;
    size -= written;
    if (offset != nullptr) *offset += written;
  }
  return true;
}

std::string environment_directory(const wchar_t* variable) {
  const wchar_t* value = ::_wgetenv(variable);
  if (value == nullptr || value[0] == L'\0') return {};
  return std::filesystem::path(value).u8string();
}

// Quoted as the C runtime splits a command line: backslashes are literal except before a quote.
std::wstring quote_argument(const std::wstring& argument) {
  if (!argument.empty() && argument.find_first_of(L" \t\"") == std::wstring::npos) return argument;
  std::wstring text = L"\"";
  std::size_t backslashes = 0;
  for (const wchar_t c : argument) {
    if (c == L'\\') {
      ++backslashes;
      continue;
    }
    text.append(c == L'"' ? backslashes * 2 + 1 : backslashes, L'\\');
    backslashes = 0;
    text += c;
  }
  text.append(backslashes * 2, L'\\');
  return text + L"\"";
}

}  // namespace

std::string user_config_directory() { return environment_directory(L"APPDATA"); }

std::string user_cache_directory() { return environment_directory(L"LOCALAPPDATA"); }

std::FILE* open_c_file(const std::string& path, const char* mode) {
  return ::_wfopen(wide(path).c_str(), wide(mode).c_str());
}

File::~File() {
  if (handle_ != -1) ::CloseHandle(native(handle_));
}

File::File(File&& other) noexcept : handle_(std::exchange(other.handle_, -1)) {}

File& File::operator=(File&& other) noexcept {
  if (this != &other) {
    if (handle_ != -1) ::CloseHandle(native(handle_));
    handle_ = std::exchange(other.handle_, -1);
  }
  return *this;
}

// Access::Private needs no ACL of its own: a new file in the user's directories inherits one
// that only the user (and administrators) can read.
File File::open_write(const std::string& path, OpenMode mode, Access /*access*/,
                      std::error_code& error) {
  // Append is emulated: FILE_APPEND_DATA alone would forbid the resize() and the sync() the
  // download needs, so the position starts at the end and resize() keeps it inside the file.
  const DWORD access = mode == OpenMode::ReadWrite ? GENERIC_READ | GENERIC_WRITE : GENERIC_WRITE;
  const HANDLE handle = create(path, access, disposition(mode));
  if (handle == INVALID_HANDLE_VALUE) {
    error = last_error();
  } else if (mode == OpenMode::Append) {
    ::SetFilePointerEx(handle, LARGE_INTEGER{}, nullptr, FILE_END);
  }
  return File(stored(handle));
}

File File::open_read(const std::string& path, std::error_code& error) {
  const HANDLE handle = create(path, GENERIC_READ, OPEN_EXISTING);
  if (handle == INVALID_HANDLE_VALUE) error = last_error();
  return File(stored(handle));
}

bool File::is_open() const noexcept { return handle_ != -1; }

bool File::write(const char* data, std::size_t size, std::error_code& error) {
  return write_handle(native(handle_), data, size, nullptr, error);
}

bool File::write_at(std::uint64_t& offset, const char* data, std::size_t size,
                    std::error_code& error) {
  return write_handle(native(handle_), data, size, &offset, error);
}

std::optional<std::size_t> File::read(char* data, std::size_t size, std::error_code& error) {
  DWORD got = 0;
  const DWORD chunk = static_cast<DWORD>(std::min<std::size_t>(size, 1u << 30));
  if (!::ReadFile(native(handle_), data, chunk, &got, nullptr)) {
    error = last_error();
    return std::nullopt;
  }
  return static_cast<std::size_t>(got);
}

bool File::resize(std::uint64_t size, std::error_code& error) {
  FILE_END_OF_FILE_INFO end{};
  end.EndOfFile.QuadPart = static_cast<LONGLONG>(size);
  if (!::SetFileInformationByHandle(native(handle_), FileEndOfFileInfo, &end, sizeof(end))) {
    return fail(error);
  }
  LARGE_INTEGER position{};
  if (::SetFilePointerEx(native(handle_), LARGE_INTEGER{}, &position, FILE_CURRENT) &&
      position.QuadPart > end.EndOfFile.QuadPart) {
    ::SetFilePointerEx(native(handle_), end.EndOfFile, nullptr, FILE_BEGIN);
  }
  return true;
}

bool File::reserve(std::uint64_t size, std::error_code& error) {
  FILE_ALLOCATION_INFO allocation{};
  allocation.AllocationSize.QuadPart = static_cast<LONGLONG>(size);
  if (!::SetFileInformationByHandle(native(handle_), FileAllocationInfo, &allocation,
                                    sizeof(allocation))) {
    return fail(error);
  }
  return true;
}

bool File::sync(std::error_code& error) {
  if (!::FlushFileBuffers(native(handle_))) return fail(error);
  return true;
}

bool File::sync_data(std::error_code& error) { return sync(error); }

bool File::close(std::error_code& error) {
  if (!::CloseHandle(native(std::exchange(handle_, -1)))) return fail(error);
  return true;
}

bool File::lock(bool wait, std::error_code& error) {
  OVERLAPPED whole{};
  const DWORD flags = LOCKFILE_EXCLUSIVE_LOCK | (wait ? 0 : LOCKFILE_FAIL_IMMEDIATELY);
  if (::LockFileEx(native(handle_), flags, 0, MAXDWORD, MAXDWORD, &whole)) return true;
  if (::GetLastError() == ERROR_LOCK_VIOLATION) {
    error = std::make_error_code(std::errc::resource_unavailable_try_again);
    return false;
  }
  return fail(error);
}

File File::create_unique(const std::string& directory, const std::string& prefix, std::string& path,
                         std::error_code& error) {
  static constexpr char kLetters[] =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::random_device seed;
  std::mt19937 random(seed());
  std::uniform_int_distribution<std::size_t> letter(0, sizeof(kLetters) - 2);
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string name = join_path(directory, prefix);
    for (int i = 0; i < 6; ++i) name += kLetters[letter(random)];
    File file = File::open_write(name, OpenMode::CreateNew, Access::Private, error);
    if (file.is_open()) {
      error.clear();
      path = std::move(name);
      return file;
    }
    if (error.value() != ERROR_FILE_EXISTS) return File();
  }
  return File();
}

bool replace_file(const std::string& from, const std::string& to, std::error_code& error) {
  if (!::MoveFileExW(wide(from).c_str(), wide(to).c_str(),
                     MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)) {
    return fail(error);
  }
  return true;
}

Placed move_into_place(const std::string& from, const std::string& to, std::error_code& error) {
  // Without MOVEFILE_REPLACE_EXISTING the move fails on an existing target: no race to lose.
  if (::MoveFileExW(wide(from).c_str(), wide(to).c_str(), MOVEFILE_WRITE_THROUGH)) {
    return Placed::Moved;
  }
  const DWORD code = ::GetLastError();
  if (code == ERROR_ALREADY_EXISTS || code == ERROR_FILE_EXISTS) return Placed::TargetExists;
  error = std::error_code(static_cast<int>(code), std::system_category());
  return Placed::Failed;
}

void sync_directory_of(const std::string& /*path*/) {}

bool create_private_directory(const std::string& directory) {
  ::CreateDirectoryW(wide(directory).c_str(), nullptr);
  std::error_code error;
  return std::filesystem::is_directory(to_path(directory), error);
}

std::optional<unsigned> permission_bits(const std::string& /*path*/) { return std::nullopt; }

bool is_writable(const std::string& path) {
  const DWORD attributes = ::GetFileAttributesW(wide(path).c_str());
  return attributes != INVALID_FILE_ATTRIBUTES && ((attributes & FILE_ATTRIBUTE_DIRECTORY) != 0 ||
                                                   (attributes & FILE_ATTRIBUTE_READONLY) == 0);
}

// SetThreadDescription would need Windows 10 1607 at least; a name is not worth that.
void name_this_thread(const char* /*name*/) {}

bool stderr_is_terminal() { return ::_isatty(::_fileno(stderr)) != 0; }

bool write_stdout(const char* data, std::size_t size, std::error_code& error) {
  return write_handle(::GetStdHandle(STD_OUTPUT_HANDLE), data, size, nullptr, error);
}

std::string executable_path() {
  std::wstring path(MAX_PATH, L'\0');
  while (true) {
    const DWORD length =
        ::GetModuleFileNameW(nullptr, path.data(), static_cast<DWORD>(path.size()));
    if (length == 0) return {};
    if (length < path.size()) {
      path.resize(length);
      return std::filesystem::path(path).u8string();
    }
    path.resize(path.size() * 2);
  }
}

std::error_code run_in_place_of_this_process(const std::string& program,
                                             const std::vector<std::string>& arguments,
                                             bool search_path) {
  // Windows has no exec: the program runs as a child, and its exit code becomes this one.
  // _wspawnv joins the arguments into one command line unquoted, so they are quoted here.
  std::vector<std::wstring> quoted;
  for (const std::string& argument : arguments) quoted.push_back(quote_argument(wide(argument)));
  std::vector<const wchar_t*> argv;
  for (const std::wstring& argument : quoted) argv.push_back(argument.c_str());
  argv.push_back(nullptr);
  const std::wstring name = wide(program);
  std::fflush(nullptr);
  const intptr_t status = search_path ? ::_wspawnvp(_P_WAIT, name.c_str(), argv.data())
                                      : ::_wspawnv(_P_WAIT, name.c_str(), argv.data());
  if (status == -1) return {errno, std::generic_category()};
  std::exit(static_cast<int>(status));
}

Socket open_socket(int family, int type, int protocol) {
  // WSA_FLAG_NO_HANDLE_INHERIT: Windows' close-on-exec.
  return static_cast<Socket>(::WSASocketW(family, type, protocol, nullptr, 0,
                                          WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT));
}

int close_socket(Socket socket) { return ::closesocket(static_cast<SOCKET>(socket)); }

}  // namespace seedance::detail::platform
