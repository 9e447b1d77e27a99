// The places a cache knows, keyed by a loose spelling (place_key) and
// answering with the spelling its premises carry, so that a query's city
// compares equal to theirs whichever way CAD abbreviated it.
#include <algorithm>

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

std::optional<std::string> Gazetteer::find_place(std::string_view name) const {
  const detail::Words w = words_of(name);
  if (w.empty()) return std::nullopt;
  return find(detail::place_key(w, 0, w.size()));
}

}  // namespace mdtc::cache
