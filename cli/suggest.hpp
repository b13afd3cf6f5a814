// "Did you mean ...?": the known word closest to a mistyped one.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace seedance::cli {

/// Edits (insert, delete, replace, or swap two neighbours) that turn `from` into `to`.
std::size_t edit_distance(const std::string& from, const std::string& to);

/// The candidate `word` most likely mistypes: the closest within a few edits (more for longer
/// words; the first of equals wins), else the only candidate that `word` begins. Empty when none
/// is close enough to be worth suggesting.
std::optional<std::string> closest_match(const std::string& word,
                                         const std::vector<std::string>& candidates);

}  // namespace seedance::cli
