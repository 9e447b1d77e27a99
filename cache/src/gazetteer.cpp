// The places a cache knows, keyed by a loose spelling (place_key) and
// answering with the spelling its premises carry, so that a query's city
// compares equal to theirs whichever way CAD abbreviated it.
#include <algorithm>
#include <string>
#include <vector>

#include "address_words.h"
#include "mdtc/address.h"

namespace mdtc::cache {
namespace {

// One word list for a name however it was punctuated ("SALT LAKE CITY,").
detail::Words words_of(std::string_view name) {
  detail::Words out;
  for (auto& segment : detail::tokenize_address(name)) out.insert(out.end(), segment.begin(), segment.end());
  return out;
}

// Edits (insert, delete, replace, swap two neighbours) from a to b: the
// usual misspellings ("SPRINGFEILD" is one swap from "SPRINGFIELD").
std::size_t edits(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i)
    for (std::size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

std::string key_of(std::string_view name) {
  const detail::Words w = words_of(name);
  return detail::place_key(w, 0, w.size());
}

}  // namespace

void Gazetteer::add_place(std::string_view name) {
  const detail::Words w = words_of(name);
  if (w.empty()) return;
  // The cache's spelling (already canonical there) is what a query must produce.
  places_[detail::place_key(w, 0, w.size())] = detail::canonical_place(w, 0, w.size());
  longest_ = std::max(longest_, w.size());
}

void Gazetteer::add_alias(std::string_view alias, std::string_view place) {
  const detail::Words a = words_of(alias), p = words_of(place);
  if (a.empty() || p.empty()) return;
  aliases_[detail::place_key(a, 0, a.size())] = {detail::place_key(p, 0, p.size()),
                                                 detail::canonical_place(p, 0, p.size())};
  longest_ = std::max(longest_, a.size());
}

std::optional<std::string> Gazetteer::find(std::string_view key) const {
  // A place the premises carry is never renamed by an alias of the same spelling.
  if (auto it = places_.find(std::string(key)); it != places_.end()) return it->second;
  auto alias = aliases_.find(std::string(key));
  if (alias == aliases_.end()) return std::nullopt;
  if (auto it = places_.find(alias->second.key); it != places_.end()) return it->second;
  return alias->second.spelling;
}

bool Gazetteer::has_place(std::string_view name) const { return places_.contains(key_of(name)); }

std::vector<std::string> Gazetteer::closest_places(std::string_view name, std::size_t max_edits) const {
  const std::string key = key_of(name);
  // No more than a third of the name: "SPRINGFEILD" is Springfield, while a
  // short name is not near every other short name.
  const std::size_t limit = std::min<std::size_t>(max_edits, key.size() / 3);
  std::vector<std::string> best;
  std::size_t best_edits = limit;
  for (const auto& [place_key, spelling] : places_) {
    const std::size_t longer = std::max(place_key.size(), key.size());
    if (longer - std::min(place_key.size(), key.size()) > limit) continue;
    const std::size_t n = edits(key, place_key);
    if (n > limit) continue;  // GLENDALE is two letters from LINDALE: another town
    if (n < best_edits || best.empty()) {
      best = {spelling};
      best_edits = n;
    } else if (n == best_edits) {
      best.push_back(spelling);
    }
  }
  // In spelling order, so the answer does not depend on the map's order.
  std::sort(best.begin(), best.end());
  return best;
}

std::optional<std::string> Gazetteer::closest_place(std::string_view name, std::size_t max_edits) const {
  const auto best = closest_places(name, max_edits);
  if (best.empty()) return std::nullopt;
  return best.front();
}

std::vector<AliasWithoutPlace> aliases_without_place(const std::vector<std::pair<std::string, std::string>>& aliases,
                                                     const Gazetteer& places) {
  std::vector<AliasWithoutPlace> out;
  if (!places.carries_places()) return out;
  for (const auto& [alias, place] : aliases) {
    if (places.has_place(place)) continue;
    out.push_back({alias, place, places.closest_place(place).value_or("")});
  }
  return out;
}

std::string alias_without_place_text(const AliasWithoutPlace& a) {
  const std::string what = "cache.place_aliases: " + a.alias + " = " + a.place + ": no premise in the cache is in " +
                           a.place + ", so every CAD address written with " + a.alias + " finds nothing";
  return what + (a.closest.empty() ? "; write the place as the registry spells it"
                                   : "; did you mean " + a.closest + "?");
}

std::optional<std::string> Gazetteer::find_place(std::string_view name) const {
  const detail::Words w = words_of(name);
  if (w.empty()) return std::nullopt;
  return find(detail::place_key(w, 0, w.size()));
}

}  // namespace mdtc::cache
