// Version of the seedance-cpp library.
#pragma once

#include <string_view>

#define SEEDANCE_VERSION_MAJOR 0
#define SEEDANCE_VERSION_MINOR 1
#define SEEDANCE_VERSION_PATCH 0

namespace seedance {

/// The library's version as "MAJOR.MINOR.PATCH", as compiled into the library (which may differ
/// from the SEEDANCE_VERSION_* macros when headers and library come from different installs).
std::string_view version() noexcept;

}  // namespace seedance
