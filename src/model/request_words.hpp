// The words the SDK accepts for the request's enumerations and the models it knows, read from the
// tables it validates with, for tools that offer them (the CLI's shell completion).
#pragma once

#include <string_view>
#include <vector>

namespace seedance::detail {

std::vector<std::string_view> resolution_words();
std::vector<std::string_view> ratio_words();
std::vector<std::string_view> service_tier_words();
std::vector<std::string_view> known_models();

}  // namespace seedance::detail
