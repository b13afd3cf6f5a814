// Version of the seedance-cpp library.
#pragma once

#include <string_view>

/// Major version of the headers: incompatible API changes (see docs/versioning.md).
#define SEEDANCE_VERSION_MAJOR 0
/// Minor version of the headers: additions (before 1.0: may break the API).
#define SEEDANCE_VERSION_MINOR 1
/// Patch version of the headers: fixes only.
#define SEEDANCE_VERSION_PATCH 0

/// The seedance-cpp SDK: Client, VideoRequest, the option structs and the Error hierarchy.
namespace seedance {

/// The library's version as "MAJOR.MINOR.PATCH", as compiled into the library (which may differ
/// from the SEEDANCE_VERSION_* macros when headers and library come from different installs).
std::string_view version() noexcept;

}  // namespace seedance
