// What each sealed column holds and the associated data that binds it to its
// row. One place for these, because the importer seals, the lookup opens and
// a migration re-seals them, and a mismatch would make values unreadable.
#pragma once

#include <charconv>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace mdtc::cache {

inline void flag_note_aad(std::string& out, std::string_view flag_id) { out.assign("flags.note:").append(flag_id); }
inline void subject_name_aad(std::string& out, std::string_view id) { out.assign("subjects.name:").append(id); }
inline void subject_born_aad(std::string& out, std::string_view id) { out.assign("subjects.born:").append(id); }

// Schema v3 seals a history row's call type and disposition together, in one
// value bound to "history:<premise>:<incident>": one nonce and tag per row
// instead of two, and one decryption per row in a lookup. (Up to v2 each
// was sealed alone, bound to "history:<premise>:<incident>:<column>".)
inline void history_aad(std::string& out, std::string_view premise, std::string_view incident) {
  out.assign("history:").append(premise).append(":").append(incident);
}

// "<length of call type>:<call type><disposition>"
inline std::string encode_history_detail(std::string_view call_type, std::string_view disposition) {
  std::string out = std::to_string(call_type.size());
  out.push_back(':');
  out.append(call_type).append(disposition);
  return out;
}

inline std::optional<std::pair<std::string, std::string>> decode_history_detail(std::string_view plain) {
  const std::size_t colon = plain.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::size_t n = 0;
  const auto [end, ec] = std::from_chars(plain.data(), plain.data() + colon, n);
  if (ec != std::errc() || end != plain.data() + colon || n > plain.size() - colon - 1) return std::nullopt;
  return std::make_pair(std::string(plain.substr(colon + 1, n)), std::string(plain.substr(colon + 1 + n)));
}

}  // namespace mdtc::cache
