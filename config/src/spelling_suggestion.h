// "did you mean ...?" for unknown keys and sections: the closest known name
// by edit distance (adjacent swaps count as one edit, the usual typo).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mdtc::config::detail {

// Optimal string alignment distance, case-insensitive.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate nearest to `word`, if it is close enough to be a typo of it
// (at most 2 edits, and fewer than half of the word's length).
std::optional<std::string> closest(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace mdtc::config::detail
