#include "seedance/version.hpp"

namespace seedance {

std::string_view version() noexcept { return SEEDANCE_VERSION_STRING; }

}  // namespace seedance
