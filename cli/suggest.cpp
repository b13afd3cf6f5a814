#include "suggest.hpp"

#include <algorithm>

namespace seedance::cli {

std::size_t edit_distance(const std::string& from, const std::string& to) {
  // Optimal string alignment: Levenshtein plus the transposition typing so often produces.
  const std::size_t rows = from.size() + 1;
  const std::size_t columns = to.size() + 1;
  std::vector<std::size_t> d(rows * columns);
  const auto at = [columns, &d](std::size_t i, std::size_t j) -> std::size_t& {
    return d[i * columns + j];
  };
  for (std::size_t i = 0; i < rows; ++i) at(i, 0) = i;
  for (std::size_t j = 0; j < columns; ++j) at(0, j) = j;
  for (std::size_t i = 1; i < rows; ++i) {
    for (std::size_t j = 1; j < columns; ++j) {
      const std::size_t cost = from[i - 1] == to[j - 1] ? 0 : 1;
      at(i, j) = std::min({at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost});
      if (i > 1 && j > 1 && from[i - 1] == to[j - 2] && from[i - 2] == to[j - 1]) {
        at(i, j) = std::min(at(i, j), at(i - 2, j - 2) + 1);
      }
    }
  }
  return at(rows - 1, columns - 1);
}

std::optional<std::string> closest_match(const std::string& word,
                                         const std::vector<std::string>& candidates) {
  // Dashes are typed right; the allowance grows with the part that is really a word.
  const std::size_t letters = word.size() - std::min(word.find_first_not_of('-'), word.size());
  // One letter ("-o") is one edit from every other one-letter flag: no suggestion.
  const std::size_t allowed = letters < 2 ? 0 : std::clamp<std::size_t>(letters / 3, 1, 3);
  const std::string* best = nullptr;
  std::size_t best_distance = allowed + 1;
  for (const std::string& candidate : candidates) {
    const std::size_t distance = edit_distance(word, candidate);
    if (distance < best_distance) {
      best = &candidate;
      best_distance = distance;
    }
  }
  if (best != nullptr) return *best;
  if (letters < 2) return std::nullopt;
  std::optional<std::string> only_extension;
  for (const std::string& candidate : candidates) {
    if (candidate.compare(0, word.size(), word) != 0) continue;
    if (only_extension) return std::nullopt;
    only_extension = candidate;
  }
  return only_extension;
}

}  // namespace seedance::cli
