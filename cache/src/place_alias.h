// The key a common place name is stored and looked up by, so that CAD's
// "Springfield High School", "SPRINGFIELD HIGH SCHOOL" and
// "Springfield  High-School" find the same premise. Pure.
#pragma once

#include <string>
#include <string_view>

namespace mdtc::cache {

// Upper case; letters and digits kept, apostrophes dropped ("ST. MARY'S" ->
// "ST MARYS"), anything else one space. Empty when nothing is left.
inline std::string alias_key(std::string_view text) {
  std::string out;
  bool space = false;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '\'') continue;
    const bool alnum = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c >= 0x80;
    if (!alnum) {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : static_cast<char>(c));
  }
  return out;
}

}  // namespace mdtc::cache
