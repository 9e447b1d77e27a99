// Where CAD's remarks start after the town: see split_trailing_note in
// mdtc/address.h. Reads the raw text word by word, so that the address part
// is cut from the text as written and normalized like any other.
#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "address_words.h"
#include "mdtc/address.h"

namespace mdtc::cache {

std::optional<TrailingNote> split_trailing_note(std::string_view text, const Gazetteer& places) {
  struct Word {
    std::string text;           // upper case, without periods
    std::size_t end;            // just past it in `text`
    bool comma_before = false;  // a comma since the word before
  };
  std::vector<Word> words;
  bool comma = false;
  for (std::size_t k = 0; k < text.size();) {
    if (text[k] == ' ' || text[k] == ',' || text[k] == '\t') {
      comma = comma || text[k] == ',';
      ++k;
      continue;
    }
    Word w;
    for (; k < text.size() && text[k] != ' ' && text[k] != ',' && text[k] != '\t'; ++k)
      if (text[k] != '.') w.text += static_cast<char>(std::toupper(static_cast<unsigned char>(text[k])));
    w.end = k;
    w.comma_before = comma;
    comma = false;
    if (!w.text.empty()) words.push_back(std::move(w));
  }
  // `after` is the first word after the place; a house number and a street
  // word at least come before it.
  for (std::size_t after = 3; after < words.size(); ++after) {
    for (std::size_t n = 1; n <= 3 && n + 2 <= after; ++n) {
      std::string name;
      for (std::size_t k = after - n; k < after; ++k) name += (name.empty() ? "" : " ") + words[k].text;
      if (!places.find_place(name)) continue;
      std::size_t last = after - 1;  // the last word kept
      if (standard_state(words[after].text)) {
        last = after;
        if (last + 1 < words.size() && detail::zip_word(words[last + 1].text)) ++last;
      } else if (!words[after - n].comma_before || !words[after].comma_before) {
        continue;
      }
      if (last + 1 >= words.size()) return std::nullopt;
      std::string_view note = text.substr(words[last].end);
      note.remove_prefix(std::min(note.find_first_not_of(" ,\t"), note.size()));
      return TrailingNote{std::string(text.substr(0, words[last].end)), std::string(note)};
    }
  }
  return std::nullopt;
}

}  // namespace mdtc::cache
