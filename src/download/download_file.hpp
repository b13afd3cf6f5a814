// The file downloads' entry points outside download.cpp: the checks of a target made before
// anything is sent (Client::generate makes them before its submit; the CLI before its request),
// and the download of any URL to a file as a given media.
#pragma once

#include <optional>
#include <string>

#include "download/media_type.hpp"
#include "seedance/client.hpp"
#include "seedance/download.hpp"

namespace seedance::detail {

/// Why `path` must never be replaced by a download, or nullopt when it may be: it names a
/// directory, a FIFO, a device or a socket (following symbolic links). Renaming a file over one of
/// those would destroy what is not ours (as root, over /dev/full, the device node itself).
std::optional<std::string> special_file_problem(const std::string& path);

/// Throws ValidationError, naming every problem, when a download to `path` with `options` must
/// not start: invalid options, an empty path, a target or part (<path>.part, <path>.part.meta)
/// that is not a regular file, or an existing target when options.replace_existing is false.
void check_download_target(const std::string& path, const DownloadOptions& options);

/// Downloads `url` to `path` (through "<path>.part") as `media`; `what` names it in errors.
DownloadResult download_to_file(const Client::Impl& impl, const std::string& url,
                                const std::string& what, const std::string& path,
                                const DownloadOptions& options, Media media);

}  // namespace seedance::detail
