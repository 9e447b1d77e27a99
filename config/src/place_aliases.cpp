// cache.place_aliases: the other names CAD and MSAG use for the cache's
// places, "ALIAS = PLACE" entries separated by ',' or ';':
//   SPFLD = SPRINGFIELD, E STL = EAST SAINT LOUIS
// Spelling is left to the cache's gazetteer, which reads both sides the way
// it reads an address; here only the shape is checked.
#include "mdtc/config.h"

namespace mdtc::config {
namespace {

constexpr std::size_t kMaxName = 64;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool is_name(std::string_view s) {
  if (s.empty() || s.size() > kMaxName) return false;
  bool letter = false;
  for (char c : s) {
    const bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    letter = letter || alpha;
    if (!alpha && !(c >= '0' && c <= '9') && c != ' ' && c != '.' && c != '-' && c != '\'') return false;
  }
  return letter;
}

}  // namespace

Result<std::vector<std::pair<std::string, std::string>>> parse_place_aliases(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  int entry = 0;
  while (!trim(text).empty()) {
    ++entry;
    const std::size_t stop = text.find_first_of(",;");
    const std::string_view item = trim(text.substr(0, stop));
    text = stop == std::string_view::npos ? std::string_view() : text.substr(stop + 1);
    if (item.empty()) continue;
    const std::size_t eq = item.find('=');
    const std::string_view alias = trim(item.substr(0, eq));
    const std::string_view place = eq == std::string_view::npos ? std::string_view() : trim(item.substr(eq + 1));
    if (eq == std::string_view::npos || !is_name(alias) || !is_name(place))
      return make_error("config.place_aliases",
                        "entry " + std::to_string(entry) + ": expected ALIAS = PLACE, each a name of letters, digits, "
                        "spaces, '.', '-' or apostrophes");
    out.emplace_back(std::string(alias), std::string(place));
  }
  return out;
}

}  // namespace mdtc::config
