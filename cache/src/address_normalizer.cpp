// Free text and CLDXF civic addresses reduced to one canonical form, so that
// "1208 n. maple street #3b" and "1208 NORTH MAPLE ST UNIT 3B" compare equal.
// Pure: no I/O, no locale, no allocation beyond the result.
#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>
#include <vector>

#include "address_words.h"
#include "mdtc/address.h"

namespace mdtc::cache {
namespace {

// Words compare with literals as string_views: the size first, so most
// comparisons end before memcmp (std::string == const char* measures the
// literal and compares bytes every time; it was a fifth of normalizing).
using namespace std::string_view_literals;

constexpr std::size_t kMaxAddressLength = 512;

using Tokens = std::vector<std::string>;

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'A' && c <= 'Z'); }
bool has_digit(std::string_view s) { return std::any_of(s.begin(), s.end(), is_digit); }
bool all_digits(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), is_digit); }
bool all_alpha(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), is_alpha); }

char upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

std::string join(const Tokens& t, std::size_t from, std::size_t to) {
  std::string out;
  for (std::size_t i = from; i < to && i < t.size(); ++i) {
    if (!out.empty()) out += ' ';
    out += t[i];
  }
  return out;
}

// Text pasted from forms and exports carries Unicode spacing and dashes
// that look like ASCII on the panel: "77\u00A0PINE RD" read as one word
// "77\u00A0PINE" and found nothing, printed the same as the text that finds
// the premise. No-break, thin and other spaces become a space, zero-width
// characters and the byte order mark vanish, en and em dashes and the minus
// become "-", curly quotes become "'".
// Look-alikes read wrong too: "123\u201045" (a Unicode hyphen) is the Queens
// number 123-45, "1\u20442" the fraction 1/2, "O\u02BCBRIEN" and "O\u00B4BRIEN"
// are O'BRIEN, "\u2116 3B" is "NO 3B", and full-width letters, digits and
// punctuation (a full-width comma ends the street line) are their ASCII forms.
std::string ascii_spacing(std::string_view text) {
  if (std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; }))
    return std::string(text);  // the common case: nothing to replace
  std::string out;
  out.reserve(text.size());
  for (std::size_t k = 0; k < text.size(); ++k) {
    const auto b = [&](std::size_t i) { return i < text.size() ? static_cast<unsigned char>(text[i]) : 0u; };
    const bool cont = (b(k + 1) & 0xC0) == 0x80 && (b(k + 2) & 0xC0) == 0x80;
    const unsigned fullwidth = cont && b(k) == 0xEF ? ((b(k + 1) & 0x3Fu) << 6 | (b(k + 2) & 0x3Fu)) + 0xF000u : 0u;
    if (b(k) == 0xC2 && b(k + 1) == 0xA0) {  // U+00A0 no-break space
      out += ' ';
      ++k;
    } else if ((b(k) == 0xC2 && b(k + 1) == 0xB4) || (b(k) == 0xCA && b(k + 1) == 0xBC)) {  // U+00B4, U+02BC
      out += '\'';
      ++k;
    } else if (fullwidth >= 0xFF01 && fullwidth <= 0xFF5E) {  // full-width ASCII
      out += static_cast<char>(fullwidth - 0xFEE0);
      k += 2;
    } else if (b(k) == 0xE2 && b(k + 1) == 0x84 && b(k + 2) == 0x96) {  // U+2116 numero sign
      out += " NO ";
      k += 2;
    } else if (b(k) == 0xE2 && ((b(k + 1) == 0x81 && b(k + 2) == 0x84) || (b(k + 1) == 0x88 && b(k + 2) == 0x95))) {
      out += '/';  // U+2044 fraction slash, U+2215 division slash
      k += 2;
    } else if (b(k) == 0xE2 && b(k + 1) == 0x80) {
      const unsigned c = b(k + 2);
      if (c <= 0x8A || c == 0xAF) out += ' ';            // U+2000-200A spaces, U+202F narrow no-break space
      else if (c >= 0x90 && c <= 0x94) out += '-';  // U+2010/2011 hyphens, U+2012 figure dash, U+2013/2014 en/em dash
      else if (c == 0x98 || c == 0x99) out += '\'';     // U+2018/2019 curly quotes
      else if (c >= 0x8B && c <= 0x8D) {}                 // U+200B-200D zero-width
      else {
        out.append(text.substr(k, 3));
      }
      k += 2;
    } else if (b(k) == 0xE2 && b(k + 1) == 0x88 && b(k + 2) == 0x92) {  // U+2212 minus
      out += '-';
      k += 2;
    } else if (b(k) == 0xEF && b(k + 1) == 0xBB && b(k + 2) == 0xBF) {  // U+FEFF byte order mark
      k += 2;
    } else if (b(k) == 0xE3 && b(k + 1) == 0x80 && b(k + 2) == 0x80) {  // U+3000 ideographic space
      out += ' ';
      k += 2;
    } else {
      out += text[k];
    }
  }
  return out;
}

// The base letters of the Latin-1 letters U+00C0..U+00FF (the byte after
// 0xC3 in UTF-8), or null for the two that are not letters (× and ÷).
const char* latin1_base(unsigned char second) {
  static constexpr const char* kBase[64] = {
      "A", "A", "A", "A", "A", "A", "AE", "C", "E", "E", "E", "E", "I", "I", "I", "I",   // C0..CF
      "D", "N", "O", "O", "O", "O", "O", nullptr, "O", "U", "U", "U", "U", "Y", "TH", "SS",  // D0..DF
      "A", "A", "A", "A", "A", "A", "AE", "C", "E", "E", "E", "E", "I", "I", "I", "I",   // E0..EF
      "D", "N", "O", "O", "O", "O", "O", nullptr, "O", "U", "U", "U", "U", "Y", "TH", "Y"};  // F0..FF
  return second >= 0x80 && second <= 0xBF ? kBase[second - 0x80] : nullptr;
}

// Splits into comma-separated segments of upper-case words. Periods and
// apostrophes vanish ("N." -> "N", "O'BRIEN" -> "OBRIEN") except between
// digits ("MM 92.5"); "#", "&" and "/" are words of their own ("#3B" -> "#",
// "3B"; "MAPLE/OAK" -> "MAPLE", "/", "OAK") except a "/" between digits
// (1/2); "-" stays inside words (123-45, I-55).
std::vector<Tokens> tokenize(std::string_view text) {
  std::vector<Tokens> segments(1);
  std::string word;
  auto flush = [&] {
    // A hyphen left dangling by punctuation ("3-", "-B") carries nothing.
    while (!word.empty() && (word.back() == '-' || word.back() == '/')) word.pop_back();
    while (!word.empty() && (word.front() == '-' || word.front() == '/')) word.erase(0, 1);
    if (!word.empty()) segments.back().push_back(word);
    word.clear();
  };
  auto digit_at = [&](std::size_t k) { return k < text.size() && is_digit(text[k]); };
  auto alpha_at = [&](std::size_t k) { return k < text.size() && is_alpha(upper(text[k])); };
  for (std::size_t k = 0; k < text.size(); ++k) {
    // "CAÑON", "CAFÉ": Latin-1 letters read as their base letters, so the
    // registry's "Cañon Rd" (which upper-cased to CAñON) and CAD's CANON or
    // CAÑON are one street.
    if (static_cast<unsigned char>(text[k]) == 0xC3 && k + 1 < text.size()) {
      if (const char* base = latin1_base(static_cast<unsigned char>(text[k + 1]))) {
        word += base;
        ++k;
        continue;
      }
    }
    // "12½", "6TH ½ ST": the vulgar fractions in UTF-8 are fractions.
    if (static_cast<unsigned char>(text[k]) == 0xC2 && k + 1 < text.size()) {
      const auto next = static_cast<unsigned char>(text[k + 1]);
      const char* fraction = next == 0xBD ? "1/2" : next == 0xBC ? "1/4" : next == 0xBE ? "3/4" : nullptr;
      if (fraction) {
        flush();
        segments.back().push_back(fraction);
        ++k;
        continue;
      }
    }
    const char c = upper(text[k]);
    const bool between_digits = !word.empty() && is_digit(word.back()) && digit_at(k + 1);
    if (is_alpha(c) || is_digit(c) || c == '-' || static_cast<unsigned char>(c) >= 0x80) {
      word += c;
    } else if ((c == '/' || c == '.') && between_digits) {
      word += c;
    } else if (c == ',' && between_digits && word.size() <= 3 && word.find_first_not_of("0123456789") == std::string::npos &&
               digit_at(k + 3) && !digit_at(k + 4) && segments.size() == 1 && segments[0].empty()) {
      // "1,208 N MAPLE ST": a thousands comma in the house number. Read as a
      // segment break, "1" went as a unit and 208 MAPLE showed as exact.
    } else if (c == '.' && !word.empty() && is_alpha(word.back()) && alpha_at(k + 1) && alpha_at(k + 2)) {
      // "N.MAPLE", "ST.APT", "RD.BROOKTON": a period with no space before a
      // word ends the word ("N.E." and "M.L." still join: one letter follows).
      flush();
    } else if (c == '.' || c == '\'') {
      // dropped inside words
    } else if (c == '#' || c == '&' || c == '/' || c == '@') {
      flush();
      segments.back().push_back(c == '@' ? "AT" : std::string(1, c));
    } else if (c == ',' || c == ';' || c == '\n') {
      flush();
      segments.emplace_back();
    } else {
      flush();
    }
  }
  flush();
  std::erase_if(segments, [](const Tokens& t) { return t.empty(); });
  // "UNIT508", "APT3B", "STE200", "BLDG3": a designator glued to its number.
  static constexpr std::string_view kGlued[] = {"APT", "UNIT", "STE", "SUITE", "RM", "ROOM", "BLDG", "LOT", "SPC", "TRLR"};
  for (Tokens& seg : segments)
    for (std::size_t k = 0; k < seg.size(); ++k)
      for (std::string_view d : kGlued)
        if (seg[k].size() > d.size() && seg[k].starts_with(d) && is_digit(seg[k][d.size()])) {
          std::string id = seg[k].substr(d.size());
          seg[k] = std::string(d);
          seg.insert(seg.begin() + static_cast<long>(k) + 1, std::move(id));
          break;
        }
  // "APT-4", "UNIT-4B", "STE-200": a designator hyphened to its id is the
  // designator and the id ("# APT4" was another unit).
  for (Tokens& seg : segments)
    for (std::size_t k = 0; k < seg.size(); ++k) {
      const auto dash = seg[k].find('-');
      if (dash == std::string::npos || dash == 0) continue;
      std::string id = seg[k].substr(dash + 1);
      if (!standard_unit_designator(seg[k].substr(0, dash)) || id.find('-') != std::string::npos ||
          !(has_digit(id) || (id.size() == 1 && is_alpha(id[0]))))
        continue;
      seg[k].resize(dash);
      seg.insert(seg.begin() + static_cast<long>(k) + 1, std::move(id));
    }
  return segments;
}

bool is_suffix(std::string_view w) { return standard_suffix(w).has_value(); }
bool is_directional(std::string_view w) { return standard_directional(w).has_value(); }
bool is_designator(std::string_view w) { return standard_unit_designator(w).has_value(); }

bool is_zip(std::string_view w) {
  if (w.size() == 5 || w.size() == 9) return all_digits(w);
  return w.size() == 10 && w[5] == '-' && all_digits(w.substr(0, 5)) && all_digits(w.substr(6));
}

// Designators that stand alone without a number (Pub 28 C2).
bool is_idless_designator(std::string_view std_designator) {
  static constexpr std::string_view kIdless[] = {"BSMT", "FRNT", "LBBY", "LOWR", "OFC",
                                                 "PH",   "REAR", "SIDE", "UPPR"};
  return std::find(std::begin(kIdless), std::end(kIdless), std_designator) != std::end(kIdless);
}

// A unit identifier looks like "3B", "12", "B", "A1" — not like a word.
bool looks_like_unit_id(std::string_view w) {
  if (w.size() == 3 && is_alpha(w[0]) && w[1] == '-' && is_alpha(w[2])) return true;  // "C-D": two units as one
  return has_digit(w) || (w.size() == 1 && is_alpha(w[0]));
}

std::string ordinal(std::string_view w) {
  static constexpr std::pair<std::string_view, std::string_view> kOrdinals[] = {
      {"FIRST", "1ST"},        {"SECOND", "2ND"},       {"THIRD", "3RD"},
      {"FOURTH", "4TH"},       {"FIFTH", "5TH"},        {"SIXTH", "6TH"},
      {"SEVENTH", "7TH"},      {"EIGHTH", "8TH"},       {"NINTH", "9TH"},
      {"TENTH", "10TH"},       {"ELEVENTH", "11TH"},    {"TWELFTH", "12TH"},
      {"THIRTEENTH", "13TH"},  {"FOURTEENTH", "14TH"},  {"FIFTEENTH", "15TH"},
      {"SIXTEENTH", "16TH"},   {"SEVENTEENTH", "17TH"}, {"EIGHTEENTH", "18TH"},
      {"NINETEENTH", "19TH"},  {"TWENTIETH", "20TH"},   {"THIRTIETH", "30TH"},
      {"FORTIETH", "40TH"},    {"FIFTIETH", "50TH"},    {"SIXTIETH", "60TH"},
      {"SEVENTIETH", "70TH"},  {"EIGHTIETH", "80TH"},   {"NINETIETH", "90TH"},
      {"HUNDREDTH", "100TH"}};
  for (const auto& [word, number] : kOrdinals)
    if (w == word) return std::string(number);
  return std::string(w);
}

// "5" -> "5TH", "21" -> "21ST", "112" -> "112TH".
std::string ordinal_of_number(std::string_view digits) {
  const int n = std::stoi(std::string(digits));
  const char* tail = "TH";
  if (n % 100 < 11 || n % 100 > 13) {
    if (n % 10 == 1) tail = "ST";
    else if (n % 10 == 2) tail = "ND";
    else if (n % 10 == 3) tail = "RD";
  }
  return std::string(digits) + tail;
}

std::string spelled_directional(std::string_view std_dir) {
  static constexpr std::pair<std::string_view, std::string_view> kNames[] = {
      {"N", "NORTH"},      {"S", "SOUTH"},         {"E", "EAST"},          {"W", "WEST"},
      {"NE", "NORTHEAST"}, {"NW", "NORTHWEST"},    {"SE", "SOUTHEAST"},    {"SW", "SOUTHWEST"}};
  for (const auto& [abbr, name] : kNames)
    if (std_dir == abbr) return std::string(name);
  return std::string(std_dir);
}

// ST, MT, FT and PT inside a name are SAINT, MOUNT, FORT and POINT: Pub 28 spells those
// words out in names, and a name's last word is never one of them (a type
// word there was taken as the street type).
std::string name_word(std::string_view w) {
  if (w == "ST"sv || w == "SAINT"sv || w == "STE"sv) return "SAINT";
  if (w == "MT"sv || w == "MNT"sv || w == "MTN"sv || w == "MOUNT"sv) return "MOUNT";
  if (w == "FT"sv || w == "FRT"sv || w == "FORT"sv) return "FORT";
  if (w == "PT"sv || w == "PNT"sv || w == "POINT"sv) return "POINT";
  return std::string(w);
}

// "FORTY SECOND", "FORTY-SECOND", "TWENTY FIRST": a compound ordinal is its
// number, 42ND or 21ST, as registries write it.
void join_compound_ordinals(Tokens& words) {
  static constexpr std::string_view kTens[] = {"TWENTY", "THIRTY", "FORTY", "FIFTY", "SIXTY", "SEVENTY", "EIGHTY", "NINETY"};
  static constexpr std::string_view kUnits[] = {"FIRST", "SECOND", "THIRD", "FOURTH", "FIFTH", "SIXTH", "SEVENTH", "EIGHTH", "NINTH"};
  const auto index = [](const auto& table, std::string_view w) {
    const auto it = std::find(std::begin(table), std::end(table), w);
    return it == std::end(table) ? -1 : static_cast<int>(it - std::begin(table));
  };
  for (std::size_t k = 0; k < words.size(); ++k) {
    std::string_view tens = words[k], unit;
    const auto dash = words[k].find('-');
    if (dash != std::string::npos) {
      tens = std::string_view(words[k]).substr(0, dash);
      unit = std::string_view(words[k]).substr(dash + 1);
    } else if (k + 1 < words.size()) {
      unit = words[k + 1];
    }
    const int t = index(kTens, tens), u = index(kUnits, unit);
    if (t < 0 || u < 0) continue;
    const std::string number = ordinal_of_number(std::to_string((t + 2) * 10 + u + 1));
    if (dash == std::string::npos) words.erase(words.begin() + static_cast<long>(k) + 1);
    words[k] = number;
  }
}

// The many ways one name is written on the signs of a thousand towns: MLK,
// M L KING, DR MARTIN LUTHER KING JR. Read as written, CAD's MLK BLVD missed
// the registry's MARTIN LUTHER KING JR BLVD. Only a name that is all of it.
bool is_king_street_name(Tokens words) {
  if (!words.empty() && (words.front() == "DR"sv || words.front() == "DOCTOR"sv)) words.erase(words.begin());
  if (!words.empty() && (words.back() == "JR"sv || words.back() == "JUNIOR"sv)) words.pop_back();
  const std::string name = join(words, 0, words.size());
  return name == "MLK"sv || name == "M L K"sv || name == "M L KING"sv || name == "ML KING"sv || name == "MARTIN L KING"sv ||
         name == "MARTIN LUTHER KING"sv;
}

// Street or city name words: ST/MT/FT/PT before the last word are SAINT,
// MOUNT, FORT and POINT; ordinals become numbers ("FIRST" -> "1ST"); a name that is only
// a directional is spelled out ("N AVE" and "NORTH AVE" are the same street).
std::string canonical_name(Tokens words) {
  if (words.empty()) return {};
  if (is_king_street_name(words)) return "MARTIN LUTHER KING JR";
  join_compound_ordinals(words);
  for (auto& w : words) w = ordinal(w);
  for (std::size_t k = 0; k + 1 < words.size(); ++k) words[k] = name_word(words[k]);
  if (words.size() == 1) {
    if (auto d = standard_directional(words[0])) words[0] = spelled_directional(*d);
  }
  return join(words, 0, words.size());
}


// "500 5 AVE", "40 W 3 ST": CAD often leaves the ordinal's letters off a
// numbered street. With a street type (and no pre-type: "COUNTY RD 5" is a
// route's number) the number is the street's ordinal, as registries write
// it (5TH AVE); read as written it matched nothing and said nothing.
void spell_numbered_street(Tokens& name, const NormalizedAddress& a) {
  if (name.size() == 1 && !a.type.empty() && a.pretype.empty() && all_digits(name[0]) && name[0].size() <= 3 &&
      name[0][0] != '0')
    name[0] = ordinal_of_number(name[0]);
}

// "1208TH" is a street, not house 1208 with suffix TH.
bool is_ordinal_number(std::string_view w) {
  std::size_t digits = 0;
  while (digits < w.size() && is_digit(w[digits])) ++digits;
  if (digits == 0 || w.size() != digits + 2) return false;
  const std::string_view tail = w.substr(digits);
  return tail == "ST"sv || tail == "ND"sv || tail == "RD"sv || tail == "TH"sv;
}

// Wisconsin-style grid address numbers: "W123N4567", "N85W16110".
// Rural Wisconsin numbers one axis alone too: "W5432 COUNTY ROAD K" (three
// digits or more, so "N85" stays a word). Refused as no house number, such a
// premise stopped its whole snapshot.
bool is_grid_number(std::string_view w) {
  auto dir = [](char c) { return c == 'N' || c == 'S' || c == 'E' || c == 'W'; };
  std::size_t k = 0;
  for (int part = 0; part < 2; ++part) {
    if (k >= w.size() || !dir(w[k])) return false;
    const std::size_t start = ++k;
    while (k < w.size() && is_digit(w[k])) ++k;
    if (k == start) return false;
    if (part == 0 && k == w.size()) return k - start >= 3;
  }
  return k == w.size();
}

// "23 RD ST", "4 TH AVE": an ordinal written apart from its number, before
// the street's type; and "1401 O BRIEN ST", the name O'BRIEN written apart
// (its apostrophe goes, so the registry's O'Brien is OBRIEN), first in the
// street. Never "O ST".
void join_split_name_words(Tokens& t) {
  for (std::size_t k = 1; k + 2 < t.size(); ++k) {
    if (all_digits(t[k]) && t[k].size() <= 3 && t[k][0] != '0' && ordinal_of_number(t[k]) == t[k] + t[k + 1] &&
        is_suffix(t[k + 2])) {
      t[k] += t[k + 1];
      t.erase(t.begin() + static_cast<long>(k) + 1);
    } else if (t[k] == "O"sv && (k == 1 || (k == 2 && is_directional(t[1]))) && all_alpha(t[k + 1]) &&
               t[k + 1].size() >= 3 && !is_suffix(t[k + 1]) && !is_directional(t[k + 1])) {  // not initials: "REV N O THOMPSON"
      t[k] += t[k + 1];
      t.erase(t.begin() + static_cast<long>(k) + 1);
    }
  }
}

// "TOWN OF LINDALE", "CITY OF BROOKTON", "VILLAGE OF …": the municipality's
// kind before its name, as a place segment or after the street's type.
// The registry's place is its name alone, so the words found nothing.
void drop_municipality_words(std::vector<Tokens>& segments) {
  static constexpr std::string_view kKinds[] = {"CITY", "TOWN", "VILLAGE", "TOWNSHIP", "BOROUGH"};
  const auto kind_at = [](const Tokens& t, std::size_t k) {
    return k + 2 < t.size() && t[k + 1] == "OF"sv &&
           std::find(std::begin(kKinds), std::end(kKinds), t[k]) != std::end(kKinds);
  };
  for (std::size_t s = 0; s < segments.size(); ++s) {
    Tokens& t = segments[s];
    for (std::size_t k = s == 0 ? 2 : 0; k + 2 < t.size(); ++k)
      if (kind_at(t, k) && (s > 0 ? k == 0 : is_suffix(t[k - 1]))) {
        t.erase(t.begin() + static_cast<long>(k), t.begin() + static_cast<long>(k) + 2);
        break;
      }
  }
}

// "W140 N5761 LILLY RD", "W140 N 5761 LILLY RD": a grid number written in
// parts is one house number, W140N5761, as registries write it.
void join_grid_number(Tokens& t) {
  const auto axis = [](char c) { return c == 'N' || c == 'S' ? 1 : c == 'E' || c == 'W' ? 2 : 0; };
  const auto part = [&](const std::string& w) { return w.size() >= 2 && axis(w[0]) && all_digits(w.substr(1)); };
  if (t.size() < 2 || !part(t[0])) return;
  if (part(t[1]) && axis(t[1][0]) != axis(t[0][0])) {
    t[0] += t[1];
    t.erase(t.begin() + 1);
  } else if (t.size() >= 3 && t[1].size() == 1 && axis(t[1][0]) && axis(t[1][0]) != axis(t[0][0]) && all_digits(t[2])) {
    t[0] += t[1] + t[2];
    t.erase(t.begin() + 1, t.begin() + 3);
  }
}

// "1208" -> {"1208",""}; "01208A" -> {"1208","A"}; "123-45" stays whole;
// "1208-B" -> {"1208","B"}. Returns false when the word is not a house number.
bool split_house_number(std::string_view w, std::string& number, std::string& suffix) {
  if (is_grid_number(w)) {
    number = std::string(w);
    suffix.clear();
    return true;
  }
  if (w.empty() || !is_digit(w[0]) || is_ordinal_number(w)) return false;
  std::size_t digits = 0;
  while (digits < w.size() && is_digit(w[digits])) ++digits;
  std::string_view num = w.substr(0, digits);
  std::string_view rest = w.substr(digits);
  while (num.size() > 1 && num[0] == '0') num.remove_prefix(1);
  if (rest.empty()) {
    number = num;
    suffix.clear();
    return true;
  }
  if (rest == ".5"sv) {  // "12.5 MAIN ST" is 12 1/2
    number = num;
    suffix = "1/2";
    return true;
  }
  if (rest[0] == '-') rest.remove_prefix(1);
  if (all_alpha(rest) && rest.size() <= 2) {
    number = num;
    suffix = rest;
    return true;
  }
  if (rest.find('/') != std::string_view::npos) return false;  // "1/2" is a fraction, not a number
  number = std::string(w);  // grid or hyphenated numbers (Queens "123-45"): keep verbatim
  suffix.clear();
  return true;
}

bool is_fraction(std::string_view w) {
  const auto slash = w.find('/');
  return slash != std::string_view::npos && all_digits(w.substr(0, slash)) &&
         all_digits(w.substr(slash + 1));
}

std::string zip5(std::string_view w) { return std::string(w.substr(0, 5)); }

struct UnitPart {
  std::string designator;  // standard, or "#"
  std::string id;
};

// "3-B" and "C-5" are 3B and C5, but "1-3" is building 1 unit 3 as often as
// unit 13: a hyphen between two digits stays, so "APT 1-3" is never APT 13.
std::string unit_id_key(std::string_view id) {
  std::string out;
  for (std::size_t k = 0; k < id.size(); ++k)
    if (id[k] != '-' || (k > 0 && k + 1 < id.size() && is_digit(id[k - 1]) && is_digit(id[k + 1]))) out += id[k];
  return out;
}

void append_unit(NormalizedAddress& a, const UnitPart& u) {
  const std::string id = unit_id_key(u.id);
  // A building or floor is not the unit itself, and a word outside Pub 28
  // ("TOWER 5", "MSC 24") may not be interchangeable with APT or #.
  const bool keeps_designator = u.designator == "BLDG"sv || u.designator == "FL"sv ||
                                (u.designator != "#"sv && !is_designator(u.designator));
  const std::string key = id.empty() ? u.designator : (keeps_designator ? u.designator + " " + id : id);
  const std::string shown = id.empty() ? u.designator : u.designator + " " + id;
  if (!a.unit.empty()) a.unit += ' ';
  a.unit += key;
  if (!a.unit_display.empty()) a.unit_display += ' ';
  a.unit_display += shown;
}

// "NO 2202", "NUM 5", "NBR 3": a number sign written as a word.
bool is_number_word(std::string_view w) { return w == "NO"sv || w == "NUM"sv || w == "NBR"sv || w == "NUMBER"sv; }

// Not in Pub 28 but written where a unit designator goes: private and mail
// boxes ("PMB 175", "MSC 24"), "CONDO D1", "TOWER 5", "BLG E".
std::optional<std::string> other_unit_designator(std::string_view w) {
  static constexpr std::pair<std::string_view, std::string_view> kWords[] = {
      {"PMB", "PMB"},     {"PBM", "PMB"},         {"MSC", "MSC"},     {"MAILBOX", "MAILBOX"},
      {"CONDO", "CONDO"}, {"TOWER", "TOWER"},     {"TWR", "TOWER"},   {"BLG", "BLDG"},
      {"BLDNG", "BLDG"},  {"FLAT", "FLAT"},       {"MC", "MC"}};  // MC: a mail code, "(MC 525)"
  for (const auto& [word, designator] : kWords)
    if (w == word) return std::string(designator);
  return std::nullopt;
}

// Any word that starts a unit: Pub 28 C2, a number word (as "#") or one of
// the others above.
std::optional<std::string> any_unit_designator(std::string_view w) {
  if (auto d = standard_unit_designator(w)) return d;
  if (is_number_word(w)) return std::string("#");
  return other_unit_designator(w);
}

// "TPN 13A", "CLIENT CODE 28502": one or two plain words (no directional
// or street type) and then a numbered id that is not a ZIP. Returns how many
// words name the unit, 0 when t[i] does not start one.
// A ZIP-like number counts as an id only when more words follow it, or when
// t is a street whose place was already read (`ends_line` false).
std::size_t unit_name_words(const Tokens& t, std::size_t i, bool ends_line = true) {
  for (std::size_t n = 1; n <= 2 && i + n < t.size(); ++n) {
    const std::string& w = t[i + n - 1];
    if (!all_alpha(w) || w.size() < 2 || is_directional(w) || (is_suffix(w) && w != "ST"sv)) return 0;
    if (n > 1 && any_unit_designator(w)) return 0;  // "BOULEVAR SUITE 408": SUITE starts the unit
    const std::string& id = t[i + n];
    if (has_digit(id) && looks_like_unit_id(id) && !is_ordinal_number(id) && !(is_zip(id) && i + n + 1 == t.size() && ends_line))
      return n;
  }
  return 0;
}

// "4TH FLOOR", "FOURTH FL": a floor named by its ordinal, same as "FL 4".
bool ordinal_floor_at(const Tokens& t, std::size_t i) {
  return i + 1 < t.size() && (is_ordinal_number(ordinal(t[i])) || (all_digits(t[i]) && t[i].size() <= 3)) &&
         standard_unit_designator(t[i + 1]) == "FL"sv;
}

// "GARAGE", "BACK YARD", "SIDE DOOR": where at the premise CAD says the
// call is, written after the street. Like REAR, a part of the premise with
// no id: read into the street's name it matched nothing and said nothing.
// Returns how many words of t from i name one (0 if none).
std::size_t location_words_at(const Tokens& t, std::size_t i) {
  static constexpr std::string_view kOne[] = {"GARAGE", "KITCHEN",  "UPSTAIRS", "DOWNSTAIRS", "DRIVEWAY",
                                              "BACKYARD", "BARN", "SHED", "OUTBUILDING", "PORCH"};
  static constexpr std::pair<std::string_view, std::string_view> kTwo[] = {
      {"SIDE", "DOOR"},  {"PARKING", "LOT"}, {"FRONT", "YARD"}, {"REAR", "YARD"},  {"BACK", "YARD"},
      {"BACK", "DOOR"},  {"FRONT", "DOOR"},  {"REAR", "DOOR"},  {"SIDE", "YARD"},  {"REAR", "HOUSE"},
      {"BACK", "HOUSE"}, {"GUEST", "HOUSE"}, {"POOL", "HOUSE"}};
  if (i >= t.size()) return 0;
  if (std::find(std::begin(kOne), std::end(kOne), t[i]) != std::end(kOne)) return 1;
  if (i + 1 >= t.size()) return 0;
  for (const auto& [first, second] : kTwo)
    if (t[i] == first && t[i + 1] == second && !(second == "LOT"sv && i + 2 < t.size() && has_digit(t[i + 2])))
      return 2;
  return 0;
}

// Reads "APT 3B", "APT # 3B", "# 3B", "REAR", "BLDG A UNIT 4" from t[i]; returns
// the index after the last unit word it understood.

// Words from `from` to the end that read as a place's name rather than a
// unit's: letters only, the first a word of three letters or more (or a
// compass word before one) that no unit is named by.
bool town_words(const Tokens& t, std::size_t from) {
  const auto letters = [](const std::string& w) { return all_alpha(w); };
  if (from >= t.size() || !std::all_of(t.begin() + static_cast<long>(from), t.end(), letters)) return false;
  const std::size_t first = from + (is_directional(t[from]) && from + 1 < t.size() ? 1 : 0);
  return t[first].size() >= 3 && !any_unit_designator(t[first]) && !location_words_at(t, first) &&
         !is_suffix(t[first]) && !is_directional(t[first]);
}

std::size_t read_units(const Tokens& t, std::size_t i, NormalizedAddress& a, bool ends_line = true) {
  while (i < t.size()) {
    if (const std::size_t n = location_words_at(t, i)) {
      append_unit(a, {join(t, i, i + n), ""});
      i += n;
      continue;
    }
    if (ordinal_floor_at(t, i)) {
      const std::string n = ordinal(t[i]);
      append_unit(a, {"FL", all_digits(n) ? n : n.substr(0, n.size() - 2)});
      i += 2;
      continue;
    }
    if (t[i] == "#"sv) {
      if (i + 1 < t.size() && is_designator(t[i + 1])) {  // "# APT 2" is APT 2
        ++i;
        continue;
      }
      if (i + 1 < t.size() && looks_like_unit_id(t[i + 1])) {
        append_unit(a, {"#", t[i + 1]});
        i += 2;
        continue;
      }
      break;
    }
    auto d = any_unit_designator(t[i]);
    // "STE 200 ST 310", "AVE ST 1400": where a unit is, ST with a number is a suite.
    if (!d && t[i] == "ST"sv && i + 1 < t.size() && has_digit(t[i + 1])) d = "STE";
    if (!d) {
      // "TPN 13A", "CLIENT CODE 28502": the words the unit is named by, kept.
      const std::size_t n = unit_name_words(t, i, ends_line);
      if (n == 0) break;
      append_unit(a, {join(t, i, i + n), t[i + n]});
      i += n + 1;
      continue;
    }
    std::size_t j = i + 1;
    // "APT # 3B", "APT NO 3B": a number sign between designator and id.
    if (j + 1 < t.size() && (t[j] == "#"sv || (is_number_word(t[j]) && looks_like_unit_id(t[j + 1])))) ++j;
    if (j < t.size() && looks_like_unit_id(t[j]) && !(is_number_word(t[i]) && j == i + 1 && !has_digit(t[j]))) {
      append_unit(a, {*d, t[j]});
      i = j + 1;
      continue;
    }
    if (is_idless_designator(*d)) {
      append_unit(a, {*d, ""});
      i += 1;
      continue;
    }
    break;
  }
  return i;
}

// A unit given on its own (a CLDXF unit element, or "GROUND FLOOR" at the end
// of a street line): what read_units understands, and the rest kept as written.
void read_unit_element(Tokens unit, NormalizedAddress& a, bool ends_line = true) {
  if (unit.size() == 1 && unit[0] != "#"sv && !is_designator(unit[0]) && !location_words_at(unit, 0)) {
    // A civic unit element is an identifier whatever it looks like ("LH").
    append_unit(a, {"#", unit[0]});
    return;
  }
  if (unit.empty()) return;
  std::size_t used = read_units(unit, 0, a, ends_line);
  if (used == 0 && unit[0] != "#"sv && looks_like_unit_id(unit[0])) {
    // "3B REAR": an identifier first.
    unit.insert(unit.begin(), "#");
    used = read_units(unit, 0, a, ends_line);
    if (used == 0) unit.erase(unit.begin());
  }
  // A word it does not understand is kept as written, and the reading goes
  // on after it, so "DEPT 96 0430 STE 450" reads alike in one piece or two.
  while (used < unit.size()) {
    a.unit += (a.unit.empty() ? "" : " ") + unit[used];
    a.unit_display += (a.unit_display.empty() ? "" : " ") + unit[used];
    used = read_units(unit, used + 1, a, ends_line);
  }
}

// "APT 5", "# 3B", "UNIT C": a whole segment that is a designator and an id,
// never a state and its ZIP ("FL 33101") or a state alone ("FL").
bool unit_segment_after_place(const Tokens& seg) {
  if (seg.size() < 2 || (seg[0] != "#"sv && !any_unit_designator(seg[0]))) return false;
  if (standard_state(seg[0]) && seg.size() == 2 && is_zip(seg[1])) return false;
  const std::string& id = seg.back();
  if (!(has_digit(id) || (id.size() == 1 && is_alpha(id[0]))) || is_zip(id)) return false;
  NormalizedAddress units;
  return read_units(seg, 0, units) == seg.size() && !units.unit.empty();
}

bool is_route_word(std::string_view w);

// "25TH PL LOWER LEVEL", "COTTAGE GROVE AVE GROUND FLOOR", "MIDLAND CT NE
// UNIT": after the street's type (and directional), unit words with no id.
// Returns where they start, or `end` when the line does not end so.
std::size_t idless_unit_phrase_at(const Tokens& t, std::size_t i, std::size_t end) {
  std::size_t k = end;
  bool designated = false;
  while (k > i + 2) {
    if (k > i + 3 && location_words_at(t, k - 2) == 2) {
      designated = true;
      k -= 2;
      continue;
    }
    if (!(is_designator(t[k - 1]) || t[k - 1] == "GROUND"sv || t[k - 1] == "LEVEL"sv || t[k - 1] == "MEZZANINE"sv ||
          location_words_at(t, k - 1) == 1))
      break;
    designated = designated || is_designator(t[k - 1]) || location_words_at(t, k - 1) == 1;
    --k;
  }
  if (!designated || k == end) return end;
  const bool after_type = is_suffix(t[k - 1]) || (is_directional(t[k - 1]) && k - 2 > i && is_suffix(t[k - 2]));
  return after_type && !is_route_word(t[k - 1]) ? k : end;
}

bool is_route_word(std::string_view w) {
  const auto t = standard_suffix(w);
  return t && (*t == "HWY"sv || *t == "RTE"sv || *t == "FWY"sv || *t == "EXPY"sv || *t == "TPKE"sv || *t == "LOOP"sv);
}

bool is_route_prefix(std::string_view w) {
  static constexpr std::string_view kWords[] = {"COUNTY", "CO", "STATE", "US", "I", "IH", "INTERSTATE",
                                                "SR", "SH", "CR", "FM", "RM", "BUSINESS", "BUS"};
  return std::find(std::begin(kWords), std::end(kWords), w) != std::end(kWords);
}

// "MALL TPN 13A", "PKWY CLIENT CODE 28502", "AVE ST 1400": right after a
// street type (and its directional), words that name a numbered unit.
bool unit_after_type_at(const Tokens& t, std::size_t j, std::size_t first_street_word, bool ends_line) {
  if (j < first_street_word + 2) return false;
  const std::size_t type_at = is_directional(t[j - 1]) ? j - 2 : j - 1;
  if (type_at <= first_street_word || !is_suffix(t[type_at]) || is_route_word(t[type_at])) return false;
  return unit_name_words(t, j, ends_line) > 0;
}

// Where the unit part of a street line starts: a "#" or a designator followed
// by something that looks like a unit id, after at least one street word.
std::size_t find_unit_start(const Tokens& t, std::size_t first_street_word, bool ends_line) {
  for (std::size_t j = first_street_word + 1; j < t.size(); ++j) {
    if (t[j] == "#"sv || ordinal_floor_at(t, j)) return j;
    if (unit_after_type_at(t, j, first_street_word, ends_line)) return j;
    auto d = any_unit_designator(t[j]);
    if (!d) continue;
    std::size_t k = j + 1;
    if (k + 1 < t.size() && (t[k] == "#"sv || (is_number_word(t[k]) && looks_like_unit_id(t[k + 1])))) ++k;
    // Outside Pub 28 a word is a designator only before a numbered id, and
    // a number word after a route is the route's ("US HWY NO 202").
    if (!is_designator(*d) && !(k < t.size() && has_digit(t[k]))) continue;
    if (*d == "#"sv && (is_route_word(t[j - 1]) || is_route_prefix(t[j - 1]) || t[j - 1] == "OLD"sv)) continue;
    if (k < t.size() && looks_like_unit_id(t[k])) return j;
    // "OCEAN FRONT APT 410": FRONT and SIDE after a plain word end a name.
    const bool names_end = (*d == "FRNT"sv || *d == "SIDE"sv) && !is_suffix(t[j - 1]) && !is_directional(t[j - 1]);
    if (is_idless_designator(*d) && !names_end && (k >= t.size() || t[k] == "#"sv || is_designator(t[k]))) return j;
  }
  return t.size();
}

// "RUE DE JEAN", "VIA DE VENTURA", "CAMINO RAMON": a type word that comes first.
bool is_leading_type(std::string_view w) {
  static constexpr std::string_view kLeadingTypes[] = {"RUE",      "COUR",    "CAMINO", "CAMINITO", "CALLE",
                                                       "CALLEJON", "AVENIDA", "PASEO",  "VIA"};
  return std::find(std::begin(kLeadingTypes), std::end(kLeadingTypes), w) != std::end(kLeadingTypes);
}

// "AVE DE LAS FLORES", "CL DEL SOL", "PSO DEL RIO", "CMNO DE LOS ROBLES":
// the abbreviations of a Spanish leading type, before DE, DEL, LA, LAS, LOS
// or EL, are the type (AVENIDA, CALLE, PASEO, CAMINO), as registries spell it.
void spell_leading_types(Tokens& t) {
  static constexpr std::pair<std::string_view, std::string_view> kShort[] = {
      {"AVE", "AVENIDA"}, {"AV", "AVENIDA"}, {"AVDA", "AVENIDA"}, {"AVENUE", "AVENIDA"}, {"CL", "CALLE"}, {"CLL", "CALLE"},
      {"PSO", "PASEO"},   {"CMNO", "CAMINO"}, {"CAM", "CAMINO"},  {"CMN", "CAMINO"}};
  static constexpr std::string_view kArticles[] = {"DE", "DEL", "LA", "LAS", "LOS", "EL"};
  for (std::size_t k = 1; k <= 2 && k + 2 < t.size(); ++k) {
    if (k == 2 && !is_directional(t[1])) break;
    if (std::find(std::begin(kArticles), std::end(kArticles), t[k + 1]) == std::end(kArticles)) continue;
    for (const auto& [abbr, full] : kShort)
      if (t[k] == abbr) t[k] = std::string(full);
  }
}

// "CO HWY 12" is a county highway, but in Colorado CO is the state's code
// and it is the state highway: read_street settles it once the state is read.
constexpr std::string_view kCountyOrColoradoHwy = "CO HWY";

void settle_county_or_colorado(NormalizedAddress& a) {
  if (a.pretype == kCountyOrColoradoHwy) a.pretype = a.state == "CO"sv ? "HWY" : "COUNTY RD";
}

// "IL 9", "IL 9 N": a state's two-letter code right before a route number
// is that state's route, when nothing but a direction or a route modifier
// follows the number. Not a code that is also a directional (NE). A code
// that is also a type or a unit word is read so too, since this is the
// street's first word: "300 FL 7" is Florida's State Road 7 (no street is
// named FL with unit 7), "CT 15" Connecticut's Route 15.
bool is_route_modifier(std::string_view w);

// A state's code that numbers routes: not DC, and not the territories, whose
// codes are other words first in a street (Texas writes private roads "PR 4120").
bool is_route_state_code(std::string_view w) {
  static constexpr std::string_view kNot[] = {"DC", "PR", "GU", "VI", "AS", "MP"};
  return w.size() == 2 && standard_state(w) && !is_directional(w) &&
         std::find(std::begin(kNot), std::end(kNot), w) == std::end(kNot);
}

bool state_route_at(const Tokens& s, std::size_t i, std::size_t end) {
  if (i + 2 > end || !is_route_state_code(s[i]) || !all_digits(s[i + 1])) return false;
  for (std::size_t k = i + 2; k < end; ++k)
    if (!is_directional(s[k]) && !is_route_modifier(s[k])) return false;
  return true;
}

// The other ways CAD writes a route's kind, in the words read_pretype knows:
// "ST RTE 9" is STATE RTE 9 (not SAINT), "CNTY RD 4" and "CTY HWY 4" are
// COUNTY, Wisconsin's "CTH J" is COUNTY HWY J (and its "STH 21" and "USH 41"
// are STATE HWY 21 and US HWY 41), "FARM TO MARKET RD 1960" and
// "FM RD 1960" are FM 1960, "RANCH TO MARKET 620" is RM 620.
void spell_route_kinds(Tokens& t) {
  const auto route_word_at = [&](std::size_t k) {
    const auto w = k < t.size() ? standard_suffix(t[k]) : std::nullopt;
    return w == "RD"sv || w == "HWY"sv || w == "RTE"sv;
  };
  // "USHWY 278", "U S 278", "C R 183", "US NO 202": US highways and county
  // roads as some CAD systems write them.
  for (std::size_t k = 1; k + 1 < t.size(); ++k) {
    if (t[k] == "USHWY"sv || t[k] == "USHIGHWAY"sv) {
      t[k] = "US";
      t.insert(t.begin() + static_cast<long>(k) + 1, "HWY");
    } else if (k + 2 < t.size() && ((t[k] == "U"sv && t[k + 1] == "S"sv) || (t[k] == "C"sv && t[k + 1] == "R"sv)) &&
               (has_digit(t[k + 2]) || (t[k] == "C"sv && k + 3 == t.size() && t[k + 2].size() <= 2))) {
      // ("C R KK": Wisconsin's lettered county roads, as the line's last word.)
      t[k] = t[k] == "U"sv ? "US" : "CR";
      t.erase(t.begin() + static_cast<long>(k) + 1);
    } else if ((t[k + 1] == "NO"sv || t[k + 1] == "NUMBER"sv) && k + 2 < t.size() && all_digits(t[k + 2]) &&
               (t[k] == "US"sv || is_route_word(t[k]) ||
                (standard_suffix(t[k]) == "RD"sv && (t[k - 1] == "COUNTY"sv || t[k - 1] == "CNTY"sv || t[k - 1] == "CTY"sv)))) {
      // "US HIGHWAY NO 202", "STATE HWY NUMBER 35", "COUNTY ROAD NO 5": the
      // number's own word, as New Jersey's records write routes. CAD's "US
      // HWY 202" is the same road.
      t.erase(t.begin() + static_cast<long>(k) + 1);
    }
  }
  for (std::size_t k = 0; k + 1 < t.size(); ++k) {
    if (t[k] == "ST"sv && route_word_at(k + 1) && k + 2 < t.size() && has_digit(t[k + 2])) t[k] = "STATE";
    else if ((t[k] == "CNTY"sv || t[k] == "CTY"sv) && route_word_at(k + 1)) t[k] = "COUNTY";
    else if (t[k] == "CTH"sv) {
      t[k] = "COUNTY";
      t.insert(t.begin() + static_cast<long>(k) + 1, "HWY");
    } else if ((t[k] == "STH"sv || t[k] == "USH"sv || t[k] == "WIS"sv) && has_digit(t[k + 1])) {
      // Wisconsin's state and US trunk highways: "STH 21", "USH 41", "WIS 21".
      t[k] = t[k] == "USH"sv ? "US" : "STATE";
      t.insert(t.begin() + static_cast<long>(k) + 1, "HWY");
    } else if (t[k] == "LP"sv && all_digits(t[k + 1])) {
      t[k] = "LOOP";  // Texas's "LP 289" is LOOP 289
    } else if ((t[k] == "FARM"sv || t[k] == "RANCH"sv) && k + 3 < t.size() && t[k + 1] == "TO"sv && t[k + 2] == "MARKET"sv) {
      t[k] = t[k] == "FARM"sv ? "FM" : "RM";
      t.erase(t.begin() + static_cast<long>(k) + 1, t.begin() + static_cast<long>(k) + 3);
    }
    if ((t[k] == "FM"sv || t[k] == "RM"sv) && k + 2 < t.size() && standard_suffix(t[k + 1]) == "RD"sv && has_digit(t[k + 2]))
      t.erase(t.begin() + static_cast<long>(k) + 1);
    // "FM 1960 RD W": the road after the number is the one FM already says
    // (farm-to-market road); left in, the street was named "1960 RD".
    if ((t[k] == "FM"sv || t[k] == "RM"sv) && k + 2 < t.size() && all_digits(t[k + 1]) && standard_suffix(t[k + 2]) == "RD"sv)
      t.erase(t.begin() + static_cast<long>(k) + 2);
  }
}

// Pre-types, with every spelling of a route reduced to one, so the ways CAD
// writes one road agree: a state route is HWY (STATE RTE 4 = SR 4 = STATE
// HWY 4 = HIGHWAY 4 = ROUTE 4 = IL 4), a US route US HWY (US 22 = US HIGHWAY 22),
// an interstate I (I-55 = INTERSTATE 55), a county road COUNTY RD (CR 12 =
// COUNTY ROAD 12 = COUNTY ROUTE 12 = COUNTY HWY 12). A pre-type needs a name after it.
std::size_t read_pretype(const Tokens& s, std::size_t i, std::size_t end, std::string& pretype) {
  if (i + 1 >= end) return i;
  const std::string& w = s[i];
  const bool numbered = has_digit(s[i + 1]);
  if (w == "CR"sv) { pretype = "COUNTY RD"; return i + 1; }
  if (w == "SR"sv || w == "SH"sv) { pretype = "HWY"; return i + 1; }
  if (w == "FM"sv && numbered) { pretype = "FM"; return i + 1; }
  if (w == "RM"sv && numbered) { pretype = "RM"; return i + 1; }  // Texas ranch-to-market: a kind of its own
  if (w == "CO"sv) {
    const auto t = i + 2 < end ? standard_suffix(s[i + 1]) : std::nullopt;
    if (t == "HWY"sv || t == "RTE"sv) { pretype = kCountyOrColoradoHwy; return i + 2; }
    if (state_route_at(s, i, end)) { pretype = kCountyOrColoradoHwy; return i + 1; }
  }
  if (state_route_at(s, i, end)) { pretype = "HWY"; return i + 1; }
  if ((w == "I"sv || w == "IH"sv || w == "INTERSTATE"sv) && numbered) { pretype = "I"; return i + 1; }
  if (w == "US"sv && numbered) { pretype = "US HWY"; return i + 1; }
  if ((w == "BUSINESS"sv || w == "BUS"sv) && numbered) { pretype = "BUSINESS"; return i + 1; }  // US 190 Business
  if (is_leading_type(w) && !is_suffix(s[end - 1])) {
    pretype = w;
    return i + 1;
  }
  // "AL HIGHWAY 157", "ILLINOIS ROUTE 3": a state's own route.
  if (i + 2 < end && w != "US"sv && has_digit(s[i + 2]) && standard_state(w) && is_route_word(s[i + 1]) &&
      standard_suffix(s[i + 1]) != "FWY"sv && standard_suffix(s[i + 1]) != "EXPY"sv) {
    pretype = "HWY";
    return i + 2;
  }
  // "HISTORIC ROUTE 66" = "HIST RTE 66" = "HISTORIC HWY 66", and "HISTORIC US 66"
  // = "HISTORIC US HWY 66": an old alignment keeps its route's kind.
  if ((w == "HISTORIC"sv || w == "HIST"sv) && i + 2 < end) {
    const bool us = s[i + 1] == "US"sv;
    const std::size_t at = us && i + 3 < end && standard_suffix(s[i + 2]) == "HWY"sv ? i + 3 : i + 2;
    const auto t1 = standard_suffix(s[i + 1]);
    if (all_digits(s[at]) && (us || t1 == "HWY"sv || t1 == "RTE"sv)) {
      pretype = us ? "HISTORIC US HWY" : "HISTORIC HWY";
      return at;
    }
  }
  // "ANDERSON COUNTY RD 312", "SCENIC HWY 98": a numbered road named for its
  // county or its kind keeps that word in its pre-type.
  if (i + 2 < end && all_alpha(w) && w.size() >= 3 && !is_directional(w) && !is_suffix(w) && !standard_state(w) &&
      !is_route_prefix(w) && w != "OLD"sv && w != "COUNTRY"sv) {
    const auto t1 = standard_suffix(s[i + 1]);
    if (t1 == "HWY"sv && all_digits(s[i + 2])) {
      pretype = w + " HWY";
      return i + 2;
    }
    const auto t2 = i + 3 < end ? standard_suffix(s[i + 2]) : std::nullopt;
    if ((s[i + 1] == "COUNTY"sv || s[i + 1] == "CO"sv) && (t2 == "RD"sv || t2 == "HWY"sv) && all_digits(s[i + 3])) {
      pretype = w + " COUNTY RD";  // a county's highway is its county road
      return i + 3;
    }
    // "ANDERSON CR 312": CR after the county's name is its county road, the
    // same road as "ANDERSON COUNTY RD 312" (CR alone stays COUNTY RD).
    if (s[i + 1] == "CR"sv && all_digits(s[i + 2])) {
      pretype = w + " COUNTY RD";
      return i + 2;
    }
  }
  // "COUNTRY ROAD 183" is how county roads are often misspelled: with a
  // number it is one ("COUNTRY RD" alone is a street's name).
  if ((w == "COUNTY"sv || w == "CO"sv || w == "STATE"sv || w == "US"sv || w == "CITY"sv ||
       (w == "COUNTRY"sv && i + 2 < end && all_digits(s[i + 2]))) &&
      i + 2 < end) {
    auto t = standard_suffix(s[i + 1]);
    if (t && (*t == "RD"sv || *t == "HWY"sv || *t == "RTE"sv)) {
      if (w == "STATE"sv) pretype = "HWY";
      else if (w == "US"sv) pretype = "US HWY";
      else if (w == "CITY"sv) pretype = *t == "RD"sv ? "CITY RD" : "CITY HWY";
      else if (w == "COUNTRY"sv && *t != "RD"sv) return i;
      else pretype = "COUNTY RD";  // COUNTY HWY 12 = CR 12: one kind of road
      return i + 2;
    }
  }
  // "AVENUE B", "HIGHWAY 66": a type word first and a non-type word last.
  if (end - i >= 2) {
    auto t = standard_suffix(w);
    if (t && !is_suffix(s[end - 1]) && (*t == "AVE"sv || *t == "HWY"sv || *t == "RTE"sv || *t == "RD"sv || *t == "BLVD"sv ||
                                        *t == "ST"sv || *t == "FWY"sv || *t == "EXPY"sv || *t == "TPKE"sv ||
                                        ((*t == "LOOP"sv || *t == "SPUR"sv) && has_digit(s[end - 1])))) {
      // "ST PAUL" is SAINT PAUL, not a street named PAUL of type ST.
      if (*t == "ST"sv && w != "STREET"sv) return i;
      pretype = *t == "RTE"sv ? "HWY" : *t;
      return i + 1;
    }
  }
  return i;
}

// "I-55", "US-22", "SR-4" are a route pre-type and its number run together,
// as are "SR9", "US50", "I55" (never right after a unit word: "APT I5"), and a
// state's code first in the street ("IL-9").
void split_route_words(Tokens& t) {
  static constexpr std::string_view kRoutes[] = {"I", "IH", "US", "SR", "SH", "CR", "HWY", "RTE", "FM", "RM"};
  const auto is_route_head = [&](std::string_view head) {
    return std::find(std::begin(kRoutes), std::end(kRoutes), head) != std::end(kRoutes);
  };
  for (std::size_t k = 0; k < t.size(); ++k) {
    std::size_t dash = t[k].find('-');
    if (dash == std::string::npos && (k == 0 || (t[k - 1] != "#"sv && !any_unit_designator(t[k - 1])))) {
      std::size_t letters = 0;
      while (letters < t[k].size() && is_alpha(t[k][letters])) ++letters;
      if (letters > 0 && all_digits(std::string_view(t[k]).substr(letters)) &&
          is_route_head(std::string_view(t[k]).substr(0, letters))) {
        t[k].insert(letters, "-");
        dash = letters;
      }
    }
    // "US-NO 202": the number's own word, dropped as after "US NO".
    if (dash != std::string::npos && k + 1 < t.size() && all_digits(t[k + 1]) &&
        is_route_head(std::string_view(t[k]).substr(0, dash)) &&
        (std::string_view(t[k]).substr(dash + 1) == "NO"sv || std::string_view(t[k]).substr(dash + 1) == "NUMBER"sv)) {
      t[k].resize(dash);
      continue;
    }
    if (dash == std::string::npos || dash + 1 >= t[k].size() || !is_digit(t[k][dash + 1])) continue;
    const std::string_view head = std::string_view(t[k]).substr(0, dash);
    const bool first_word = k == 1 || (k == 2 && is_directional(t[1]));
    const bool state_code =
        first_word && is_route_state_code(head) && all_digits(std::string_view(t[k]).substr(dash + 1));
    if (!is_route_head(head) && !state_code) continue;
    std::string number = t[k].substr(dash + 1);
    t[k] = std::string(head);
    t.insert(t.begin() + static_cast<long>(k) + 1, std::move(number));
    ++k;
  }
}


// "1208 MAPLE ST 3B", "203 N WABASH 608": a unit without designator at the
// end of the street. Not the number of a road: "COUNTY ROAD 12", "N HWY 4",
// "FM 1960", "AVENUE 3".
bool unlabelled_unit_at_end(const Tokens& t, std::size_t i, std::size_t end) {
  if (end < i + 2) return false;
  const std::string& id = t[end - 1];
  const std::string& before = t[end - 2];
  if (state_route_at(t, i, end) || (is_directional(t[i]) && state_route_at(t, i + 1, end))) return false;
  if (is_route_prefix(before) || is_route_word(before) ||
      (end >= i + 3 && (is_route_prefix(t[end - 3]) || is_route_word(t[end - 3]) ||
                         (t[end - 3] == "COUNTRY"sv && standard_suffix(before) == "RD"sv))))
    return false;
  const bool after_type = end - i >= 3 && (is_suffix(before) || (is_directional(before) && is_suffix(t[end - 3])));
  // "4315 WEBSTER AVE LH", "720 10TH AVE SW A": letters after the type, but
  // not a directional, a state or another type word, nor the name after a
  // pre-type ("9912 S AVENUE H").
  const std::size_t first_name = i + (is_directional(t[i]) ? 1 : 0);
  if (after_type && all_alpha(id) && id.size() <= 2 && !is_directional(id) && !standard_state(id) &&
      !is_suffix(id) && end - 2 > first_name && !(is_suffix(t[first_name]) && is_leading_type(t[first_name])))
    return true;
  if (!looks_like_unit_id(id) || !has_digit(id) || is_ordinal_number(id)) return false;
  if (after_type) return true;
  // After a street without type: the name must be words, not a directional
  // nor a single letter ("4715 F 41" is Michigan's F-41).
  return all_alpha(before) && before.size() >= 2 && !is_suffix(before) && !is_directional(before);
}

using detail::is_route_pretype;

bool is_route(const NormalizedAddress& a) {
  static constexpr std::string_view kTypes[] = {"HWY", "FWY", "EXPY", "TPKE", "PKWY"};
  return is_route_pretype(a.pretype) || std::find(std::begin(kTypes), std::end(kTypes), a.type) != std::end(kTypes);
}

// Street words s[i, end): [predir] [pretype] name... [type] [postdir].
// Returns false if no name is left.
// The types a street is named for when its name would be a lone directional
// ("N ST" is N Street); before rarer suffix words ("N WELLS", "S PARK") the
// directional is the street's and the word its name.
bool is_common_type(std::string_view w) {
  static constexpr std::string_view kTypes[] = {"ST",  "AVE", "RD",  "DR",  "BLVD", "LN",  "CT",   "PL", "WAY",
                                                "CIR", "TER", "PKWY", "HWY", "SQ",  "TRL", "LOOP", "ALY",
                                                "FWY", "EXPY"};
  const auto t = standard_suffix(w);
  return t && std::find(std::begin(kTypes), std::end(kTypes), *t) != std::end(kTypes);
}

bool read_street(const Tokens& s, std::size_t i, std::size_t end, NormalizedAddress& a) {
  if (i >= end) return false;
  // Without its post-directional, "N AVE NW" is North Avenue too.
  const std::size_t bare_end = end - i >= 3 && is_directional(s[end - 1]) ? end - 1 : end;
  // "EAST WEST HWY": two spelled-out directionals are the name.
  const bool named_by_directionals = bare_end - i == 3 && s[i].size() > 2 && s[i + 1].size() > 2 &&
                                     is_directional(s[i]) && is_directional(s[i + 1]) && is_suffix(s[i + 2]);
  // "S W PLAZA DR", "SOUTH WEST PLAZA DR": a quadrant written as two words is
  // one pre-directional, when a name and a type still follow.
  const auto quadrant = [&]() -> std::string {
    // Not before a third directional: "810 S W S YOUNG DR" is S Young's initials.
    if (end - i < 4 || !is_directional(s[i]) || !is_directional(s[i + 1]) || is_directional(s[i + 2])) return {};
    const std::string ns = *standard_directional(s[i]), ew = *standard_directional(s[i + 1]);
    return (ns == "N"sv || ns == "S"sv) && (ew == "E"sv || ew == "W"sv) ? ns + ew : std::string();
  }();
  if (!quadrant.empty()) {
    a.predir = quadrant;
    i += 2;
  } else if (end - i >= 2 && is_directional(s[i]) && !(bare_end - i == 2 && is_common_type(s[i + 1])) &&
             !named_by_directionals) {
    a.predir = *standard_directional(s[i]);
    ++i;
  }
  // "OLD STATE ROUTE 3", "OLD WEST US HWY 90": an old road keeps its
  // route's pre-type and OLD goes with its number ("HWY OLD 3").
  std::string old_road;
  if (s[i] == "OLD"sv && end - i >= 3) {
    std::size_t k = i + 1;
    const bool dir = a.predir.empty() && is_directional(s[k]) && end - k >= 3;
    std::string route;
    if (read_pretype(s, k + (dir ? 1 : 0), end, route) > k + (dir ? 1 : 0) && is_route_pretype(route)) {
      if (dir) a.predir = *standard_directional(s[k++]);
      old_road = "OLD";
      i = k;
    }
  }
  std::size_t j = read_pretype(s, i, end, a.pretype);
  settle_county_or_colorado(a);
  if (!a.pretype.empty()) {
    if (end - j >= 2 && is_directional(s[end - 1])) {
      a.postdir = *standard_directional(s[end - 1]);
      --end;
    }
    if (j >= end) return false;
    Tokens name(s.begin() + static_cast<long>(j), s.begin() + static_cast<long>(end));
    // "STATE ROUTE 09" is route 9.
    if (is_route_pretype(a.pretype) && all_digits(name[0]))
      while (name[0].size() > 1 && name[0][0] == '0') name[0].erase(0, 1);
    if (!old_road.empty()) name.insert(name.begin(), old_road);
    a.name = canonical_name(std::move(name));
    return !a.name.empty();
  }
  if (end - i >= 2 && is_directional(s[end - 1])) {
    a.postdir = *standard_directional(s[end - 1]);
    --end;
  }
  // "AVON ST EXT": the extension of a street keeps that street's type, and
  // EXT goes after the name, where a CLDXF post-modifier goes.
  const bool extension =
      end - i >= 3 && standard_suffix(s[end - 1]) == "EXT"sv && is_suffix(s[end - 2]) && !is_suffix(s[end - 3]);
  if (extension) --end;
  if (end - i >= 2 && is_suffix(s[end - 1])) {
    a.type = *standard_suffix(s[end - 1]);
    --end;
    // "2110 SAINT JOHN W ST" is Saint John St W: an abbreviated directional
    // between name and type is the post-directional (never the whole name).
    // Spelled out it is part of the name ("OCEAN ISLE WEST BLVD",
    // "INTERSTATE NORTH PKWY"), as it is after a grid number ("2900 E RD").
    if (a.postdir.empty() && end - i >= 2 && is_directional(s[end - 1]) && s[end - 1].size() <= 2 &&
        !all_digits(s[end - 2])) {
      a.postdir = *standard_directional(s[end - 1]);
      --end;
    }
  }
  if (i >= end) return false;
  Tokens name(s.begin() + static_cast<long>(i), s.begin() + static_cast<long>(end));
  if (extension) name.push_back("EXT");
  spell_numbered_street(name, a);
  a.name = canonical_name(std::move(name));
  return !a.name.empty();
}

// Strips "... IL 62701" / "... ILLINOIS" off the end of t. Returns the number
// of words taken; only 1..3-word state names are tried.
std::size_t take_state(const Tokens& t, std::size_t end, std::string& state) {
  for (std::size_t n = std::min<std::size_t>(3, end); n >= 1; --n) {
    if (auto s = standard_state(join(t, end - n, end))) {
      state = *s;
      return n;
    }
  }
  return 0;
}

// A place read so far that ends with its ZIP, or with a state after at
// least one word of its town.
bool place_is_whole(const Tokens& place) {
  if (place.empty()) return false;
  if (is_zip(place.back())) return true;
  std::string state;
  const std::size_t n = take_state(place, place.size(), state);
  return n > 0 && n < place.size();
}


// A city as stored and compared: as its place key reads, so the ways one
// town is written are one town ("W PALM BEACH" = "WEST PALM BEACH", "BEAR
// CREEK TWP" = "BEAR CREEK TOWNSHIP", "LIGHTHOUSE PT" = "LIGHTHOUSE POINT").
// With two spellings on file the cache knew one of them and the premises
// under the other matched nothing. A one-word city reads as a name does.
std::string canonical_city(const Tokens& t, std::size_t from, std::size_t to) {
  if (to - from >= 2) return detail::place_key(t, from, to);
  return canonical_name(Tokens(t.begin() + static_cast<long>(from), t.begin() + static_cast<long>(to)));
}

// A city as the cache spells it when the gazetteer knows it (also by an
// alias), else in canonical form.
std::string lookup_city(const Tokens& t, std::size_t from, std::size_t to, const Gazetteer& places) {
  if (!places.empty())
    if (auto known = places.find(detail::place_key(t, from, to))) return *known;
  return canonical_city(t, from, to);
}

// "HWY 71 BUSINESS", "US 117 ALT": what may follow a route's number.
bool is_route_modifier(std::string_view w) {
  static constexpr std::string_view kWords[] = {"BUSINESS", "BUS", "ALT", "ALTERNATE", "BYP", "BYPASS", "TRUCK", "SPUR"};
  return std::find(std::begin(kWords), std::end(kWords), w) != std::end(kWords);
}

// t[k] is the number of a route written from `from` on ("HWY 104", "US
// HIGHWAY 19", "ROUTE 37").
bool route_number_at(const Tokens& t, std::size_t from, std::size_t k) {
  if (k <= from || k >= t.size() || !all_digits(t[k])) return false;
  for (std::size_t j = from; j < k; ++j)
    if (is_route_word(t[j]) || is_route_prefix(t[j])) return true;
  // "IL 7 N SPRINGFIELD": a state's code as the street's first word.
  const std::size_t first = from + (is_directional(t[from]) ? 1 : 0);
  return k == first + 1 && is_route_state_code(t[first]);
}

bool is_compass_word(std::string_view w) {
  static constexpr std::string_view kWords[] = {"N", "S", "E", "W", "NORTH", "SOUTH", "EAST", "WEST", "SO"};
  return std::find(std::begin(kWords), std::end(kWords), w) != std::end(kWords);
}

// How many words at the end of t[from, end) name a known place (0 if none),
// longest name first. A place is taken only where what is left in front of
// it is still a street: some word besides directionals (so "17 N
// SPRINGFIELD" is the street N SPRINGFIELD); no N/S/E/W right in front
// ("EAST SPRINGFIELD" may be a town the cache does not know), nor after a
// street type a word that cannot end a street; and a place
// made only of street-type words ("PARK", "LAKE FOREST") needs a type word
// in the street ("17 MAIN ST LAKE FOREST", not "17 OAK LAKE FOREST"). When the
// longest known name is refused no shorter one is tried: that would be a guess.
std::size_t known_place_at_end(const Tokens& t, std::size_t from, std::size_t end, const Gazetteer& places,
                               std::string& city) {
  if (places.empty() || end <= from) return 0;
  for (std::size_t n = std::min(places.longest_name_words(), end - from); n >= 1; --n) {
    auto found = places.find(detail::place_key(t, end - n, end));
    if (!found) continue;
    const std::size_t rest = end - n;
    bool named = false, typed = false;
    for (std::size_t k = from; k < rest; ++k) {
      if (!is_directional(t[k]) && t[k] != "#"sv && t[k] != "&"sv && t[k] != "/"sv) named = true;
      // "E VIA DE VENTURA SCOTTSDALE": a type that comes first does not end the street.
      if (k > from && is_suffix(t[k]) && !(is_leading_type(t[k]) && (k == from + 1 && is_directional(t[from]))))
        typed = true;
    }
    if (!named) return 0;  // also when nothing is in front of the place (rest == from)
    const std::string& before = t[rest - 1];
    // "HWY 104 N CEDAR GROVE", "HWY 104 NORTH CEDAR GROVE": after a route's
    // number a compass word, letter or spelled out, is the route's direction
    // ("US 19 N"), not the first word of a town. A town that starts with it
    // and is known was taken above, as the longer name.
    if (is_compass_word(before) && !route_number_at(t, from, rest - 2)) return 0;
    // After a typed street the place must follow what ends a street (type,
    // directional, unit): in "17 OAK AVE NEW SPRINGFIELD" NEW is the town's.
    // "1208 N MAPLE ST LOWER LEVEL SPRINGFIELD": unit words without an id end it too,
    // and so do a county road's letters ("COUNTY ROAD MM JANESVILLE", "CTH J").
    const auto road = rest - from >= 3 ? standard_suffix(t[rest - 2]) : std::nullopt;
    const bool lettered_county_road =
        rest - from >= 2 && all_alpha(before) && before.size() <= 3 &&
        (t[rest - 2] == "CTH"sv || ((road == "RD"sv || road == "HWY"sv || road == "RTE"sv) &&
                                  (t[rest - 3] == "COUNTY"sv || t[rest - 3] == "CNTY"sv || t[rest - 3] == "CTY"sv)));
    if (typed && !(is_suffix(before) || is_directional(before) || is_designator(before) || looks_like_unit_id(before) ||
                   is_route_modifier(before) || lettered_county_road || idless_unit_phrase_at(t, from, rest) < rest))
      return 0;
    bool place_all_type_words = true, place_all_directionals = true;
    for (std::size_t k = rest; k < end; ++k) {
      place_all_type_words = place_all_type_words && is_suffix(t[k]);
      place_all_directionals = place_all_directionals && is_directional(t[k]);
    }
    if (place_all_type_words && !typed) return 0;
    // "5 MAIN ST NORTH": a town named NORTH, or Main St N anywhere? Not a
    // guess to make; with its state ("NORTH SC") it is the town.
    if (place_all_directionals && (is_suffix(before) || is_route_word(before))) return 0;
    city = *found;
    return n;
  }
  return 0;
}

// Takes "SPRINGFIELD IL" or "SPRINGFIELD" off the end of t[from, end) when the
// place is known; returns the new end (unchanged when nothing was known).
std::size_t take_known_place(const Tokens& t, std::size_t from, std::size_t end, const Gazetteer& places,
                             NormalizedAddress& a) {
  if (end <= from) return end;
  std::string state, city;
  const std::size_t n = take_state(t, end, state);
  if (n > 0 && end - n > from) {
    if (const std::size_t m = known_place_at_end(t, from, end - n, places, city)) {
      a.state = state;
      a.city = city;
      return end - n - m;
    }
  }
  if (const std::size_t m = known_place_at_end(t, from, end, places, city)) {
    a.city = city;
    return end - m;
  }
  // "1 DNA WAY MSC 24 CA S SAN FRAN": the state written before a known place.
  // Read as if it were not there; the place must still end the line.
  for (std::size_t k = end - 1; k > from + 1 && end - k <= places.longest_name_words() + 1; --k) {
    if (t[k - 1].size() != 2 || !standard_state(t[k - 1])) continue;
    Tokens without(t.begin(), t.begin() + static_cast<long>(end));
    without.erase(without.begin() + static_cast<long>(k - 1));
    if (known_place_at_end(without, from, end - 1, places, city) == end - k) {
      a.state = *standard_state(t[k - 1]);
      a.city = city;
      return k - 1;
    }
  }
  return end;
}

bool is_corner_word(std::string_view w) { return w == "/"sv || w == "&"sv || w == "AND"sv || w == "AT"sv; }

bool is_travel_direction(const std::string& w) {
  static constexpr std::string_view kBound[] = {"NB", "SB", "EB", "WB", "NORTHBOUND", "SOUTHBOUND", "EASTBOUND",
                                                 "WESTBOUND"};
  return std::find(std::begin(kBound), std::end(kBound), w) != std::end(kBound);
}

// "4500 US HWY 20 WB", "2100 STATE ROUTE 9 SB": the direction of travel after
// a route's number names no part of the road (as at a mile marker).
void drop_travel_direction(Tokens& t) {
  for (std::size_t k = 2; k < t.size(); ++k)
    if (is_travel_direction(t[k]) && all_digits(t[k - 1]) && (is_route_word(t[k - 2]) || is_route_prefix(t[k - 2]))) {
      t.erase(t.begin() + static_cast<long>(k));
      return;
    }
}

bool ends_cross_street(std::string_view w);

// Where a cross street starts after a house-numbered street ("77 PINE RD /
// OAK AVE", "& OAK AVE", "AT", "NEAR"), or street.size(). The words before
// the corner word must end the way a street ends (a type, a directional) so
// that a name with "&" in it ("77 A & B RD") stays whole, and a street must
// follow it. "THE CIRCLE AT NORTH HILLS ST" is one name, as developments
// are called: AT after a name that starts with THE does not cut. CAD's own
// cross-street words mark it too ("X OAK AVE", "XST", "BTWN OAK AVE AND ELM
// ST"); a lone X only when a street type follows it, since "W AVENUE X" is
// a street.
std::size_t cross_street_at(const Tokens& street) {
  static constexpr std::string_view kMarkers[] = {"NEAR", "BTWN", "BETWEEN", "XST", "XSTS", "X-ST", "XS", "CROSS"};
  const auto typed_after = [&](std::size_t k) {
    return std::any_of(street.begin() + static_cast<long>(k) + 2, street.end(),
                       [](const std::string& w) { return ends_cross_street(w); });
  };
  for (std::size_t k = 3; k + 1 < street.size(); ++k) {
    const bool marker = is_corner_word(street[k]) ||
                        std::find(std::begin(kMarkers), std::end(kMarkers), street[k]) != std::end(kMarkers) ||
                        (street[k] == "X"sv && typed_after(k));
    if (!marker) continue;
    if (street[k] == "AT"sv && street[1] == "THE"sv) continue;
    if (is_suffix(street[k - 1]) || is_directional(street[k - 1])) return k;
    // "5801 N HWY 763 / OAK AVE", "28402 CR 561 / OAK AVE", "2010 W AVE K &
    // ELM ST", "… STE 545 BTWN ELM ST AND OAK AVE": a route's number, the
    // name after a type that comes first, or a unit ends a street too, when
    // a named street follows ("US 1 & 9" is one road).
    const bool named_after = std::any_of(street.begin() + static_cast<long>(k) + 1, street.end(),
                                         [](const std::string& w) { return w.size() >= 2 && all_alpha(w); });
    const std::size_t first = 1 + (is_directional(street[1]) ? 1 : 0);
    const bool after_unit = (street[k - 2] == "#"sv || is_designator(street[k - 2])) && looks_like_unit_id(street[k - 1]);
    const auto road = standard_suffix(street[k - 2]);
    const bool county_letters = k >= 4 && all_alpha(street[k - 1]) && street[k - 1].size() <= 3 &&
                                (road == "RD"sv || road == "HWY"sv) && is_route_prefix(street[k - 3]);
    const bool after_first_type =
        k >= first + 2 && (is_leading_type(street[first]) || (k == first + 2 && is_suffix(street[first])));
    // ("HWY 71 BUSINESS / OAK AVE": the number's modifier too.)
    const std::size_t number = k - 1 - (is_route_modifier(street[k - 1]) ? 1 : 0);
    const bool route_number = all_digits(street[number]) && route_number_at(street, 1, number);
    if (named_after && (route_number || county_letters || after_first_type || after_unit)) return k;
  }
  return street.size();
}

// "MAPLE ST / OAK AVE [SPRINGFIELD]": two streets and the place after the second.
Result<NormalizedAddress> read_intersection(const Tokens& street, std::size_t corner, bool one_segment,
                                            const Gazetteer& places, NormalizedAddress a) {
  std::size_t end = street.size();
  if (one_segment) {
    if (end - corner >= 3 && is_zip(street[end - 1])) {
      a.zip = zip5(street[end - 1]);
      --end;
    }
    end = take_known_place(street, corner + 1, end, places, a);
  }
  NormalizedAddress cross;
  cross.state = a.state;  // "CO HWY" is read by the state
  if (!read_street(street, 0, corner, a) || !read_street(street, corner + 1, end, cross))
    return make_error("address.no_street_name", "intersection: expected a street on each side of the corner word");
  a.intersection = true;
  a.cross_street = cross.street_line();
  return a;
}

// "MM 92", "MILE MARKER 92", "MP 92.5", "MILE 92" anywhere in a route
// location: returns the index of its first word and sets `words` to its length.
std::size_t find_mile_marker(const Tokens& t, std::size_t& words) {
  auto number = [](std::string_view w) {
    return !w.empty() && is_digit(w[0]) &&
           std::all_of(w.begin(), w.end(), [](char c) { return is_digit(c) || c == '.'; });
  };
  for (std::size_t k = 0; k + 1 < t.size(); ++k) {
    const std::string& w = t[k];
    if ((w == "MM"sv || w == "MP"sv || w == "MILEPOST"sv || w == "MILEMARKER"sv || w == "MILE"sv) && number(t[k + 1])) {
      words = 2;
      return k;
    }
    if (w == "MILE"sv && k + 2 < t.size() && (t[k + 1] == "MARKER"sv || t[k + 1] == "POST"sv || t[k + 1] == "MKR"sv) &&
        number(t[k + 2])) {
      words = 3;
      return k;
    }
  }
  return t.size();
}

// "92.0" and "092" are marker 92, "92.50" is 92.5: one number, one spelling.
std::string marker_number(std::string number) {
  while (number.size() > 1 && number[0] == '0' && is_digit(number[1])) number.erase(0, 1);
  if (const auto dot = number.find('.'); dot != std::string::npos) {
    while (number.back() == '0') number.pop_back();
    if (number.back() == '.') number.pop_back();
  }
  return number;
}

// Where on the road at a marker: no part of which marker it is.
bool is_roadside_word(const std::string& w) {
  return w == "MEDIAN"sv || w == "SHOULDER"sv || w == "SHLDR"sv;
}

bool is_shoulder_side(const std::string& w) { return w == "RIGHT"sv || w == "LEFT"sv || w == "INSIDE"sv || w == "OUTSIDE"sv; }

// "..., SPRINGFIELD, IL 62701, USA": the country at the end, as geocoders
// and some CAD exports write it, read as part of the city and no premise
// compared equal. Taken off when it is its own segment after another, or
// the last words of the last segment right after a state or ZIP.
void drop_country(std::vector<Tokens>& segments) {
  static const std::vector<Tokens> kCountry = {
      {"USA"}, {"US"}, {"UNITED", "STATES"}, {"UNITED", "STATES", "OF", "AMERICA"}, {"U", "S", "A"}, {"U", "S"}};
  if (segments.empty()) return;
  Tokens& last = segments.back();
  for (const Tokens& c : kCountry) {
    if (last.size() < c.size() || !std::equal(c.begin(), c.end(), last.end() - static_cast<long>(c.size()))) continue;
    if (last.size() == c.size()) {
      if (segments.size() > 1) segments.pop_back();
      return;
    }
    std::string state;
    const std::size_t before = last.size() - c.size();
    if (is_zip(last[before - 1]) || take_state(last, before, state) > 0) last.resize(before);
    return;
  }
}

bool starts_with_house_number(const Tokens& t) {
  std::string number, suffix;
  return !t.empty() && split_house_number(t[0], number, suffix);
}

// Street types no city name ends with. PARK, SQUARE, SPRINGS, FALLS and
// the like end many (OAK PARK, NEWTOWN SQUARE), and CT is also Connecticut.
bool ends_cross_street(std::string_view w) {
  static constexpr std::string_view kTypes[] = {"ST",  "AVE", "RD",  "DR",  "BLVD", "LN",  "CIR", "TER",
                                                "PKWY", "HWY", "TRL", "ALY", "FWY",  "EXPY"};
  const auto t = standard_suffix(w);
  return t && std::find(std::begin(kTypes), std::end(kTypes), *t) != std::end(kTypes) && !standard_state(w);
}

// ", ELM ST" or ", ELM ST SPRINGFIELD IL" after a house-numbered street: CAD's
// cross street, which locates the door for a driver. Read as the city, it
// matched no premise and said nothing. Returns how many leading words of the
// segment are that street (0 if none): the words before any ZIP, state and
// known place, when they end with a street type and are no known place.
std::size_t cross_street_words(const Tokens& seg, const Gazetteer& places) {
  std::size_t end = seg.size();
  if (end > 0 && is_zip(seg[end - 1])) --end;
  if (end < 2) return 0;
  NormalizedAddress place;
  const std::size_t front = take_known_place(seg, 0, end, places, place);
  if (front < 2 || !ends_cross_street(seg[front - 1]) || places.find(detail::place_key(seg, 0, front)))
    return 0;
  return front;
}

// "1208 N", "1208 ST", "12 34": what follows the number is no street, only
// a directional, a type or a number (a number names a street with a type,
// a route's pre-type or a directional: "34 ST", "HWY 66", Utah's "S 500 E").
bool names_a_street(const NormalizedAddress& a) {
  if (!a.pretype.empty() || !a.type.empty() || a.name.find(' ') != std::string::npos) return true;
  if (all_digits(a.name)) return !a.predir.empty() || !a.postdir.empty();
  return !is_directional(a.name) && !is_common_type(a.name);
}

// Digits of a house number without its leading zeros ("01208" has 4).
std::size_t significant_digits(std::string_view w) {
  std::size_t digits = 0;
  while (digits < w.size() && is_digit(w[digits])) ++digits;
  std::size_t zeros = 0;
  while (zeros + 1 < digits && w[zeros] == '0') ++zeros;
  return digits - zeros;
}

// "1208-1210": a range, which Queens numbers ("123-45", "150-12") are not:
// both sides of three digits or more, the second the larger.
bool is_house_number_range(std::string_view w) {
  const auto dash = w.find('-');
  if (dash == std::string_view::npos) return false;
  const std::string_view from = w.substr(0, dash), to = w.substr(dash + 1);
  if (!all_digits(from) || !all_digits(to) || from.size() < 3 || to.size() < 3) return false;
  return to.size() != from.size() ? to.size() > from.size() : to > from;
}

// Why a street line names no single door, or "": a block ("1200 BLK N MAPLE
// ST", "1200 BLOCK OF ..."), a range or two house numbers ("1208-1210",
// "1208 AND 1210"), a house number no street has. Read as one address, each
// found nothing and said nothing; an error says the flags were not checked.
std::string not_one_address(const Tokens& t) {
  if (t.empty() || !is_digit(t[0][0])) return {};
  if (is_house_number_range(t[0])) return "a range of house numbers is not one address";
  if (significant_digits(t[0]) > 6) return "a house number has at most 6 digits";
  if (t.size() >= 3 && all_digits(t[0]) && (t[1] == "AND"sv || t[1] == "&"sv) && all_digits(t[2]))
    return "two house numbers are not one address";
  // "1200 BLOCK RD" is a street named BLOCK.
  if (t.size() >= 3 && (t[1] == "BLK"sv || t[1] == "BLOCK"sv) && !(t.size() == 3 && is_suffix(t[2])))
    return "a block is not an address";
  return {};
}

// "APT 4 10A MLK BLVD", "SUITE 200, BUILDING 17, 7000 PEACHTREE RD", "41ST
// FLOOR 1221 AVE OF THE AMERICAS": units written before the house number.
// Takes them off the front of the segments and returns them; leaves the
// segments alone unless a house number follows. Ids left over in a segment
// of their own belong to its unit ("DEPT 96 0430, 3545 NW 58TH").
NormalizedAddress take_leading_units(std::vector<Tokens>& segments) {
  NormalizedAddress lead;
  while (segments.size() > 0 && !starts_with_house_number(segments[0])) {
    Tokens& seg = segments[0];
    if (const auto d = standard_unit_designator(seg[0]); d && is_idless_designator(*d)) break;  // "FRONT ST"
    NormalizedAddress units;
    std::size_t used = read_units(seg, 0, units);
    if (used == 0) break;
    Tokens rest(seg.begin() + static_cast<long>(used), seg.end());
    const bool last = segments.size() == 1;
    if (!rest.empty() && (rest.size() == 1 || !starts_with_house_number(rest)) &&
        !(std::all_of(rest.begin(), rest.end(), looks_like_unit_id) && !last))
      break;
    if (rest.empty() || !starts_with_house_number(rest) || rest.size() == 1) {
      if (last || !(starts_with_house_number(segments[1]) || any_unit_designator(segments[1][0]))) break;
      const std::string extra = join(rest, 0, rest.size());
      units.unit += extra.empty() ? "" : " " + extra;
      units.unit_display += extra.empty() ? "" : " " + extra;
      segments.erase(segments.begin());
    } else {
      seg = std::move(rest);
    }
    lead.unit += (lead.unit.empty() ? "" : " ") + units.unit;
    lead.unit_display += (lead.unit_display.empty() ? "" : " ") + units.unit_display;
  }
  return lead;
}

// Whether text reads as unit words only ("REAR", "UPSTAIRS", "APT 4").
bool only_unit_words(std::string_view text) {
  const std::vector<Tokens> segments = tokenize(text);
  return !segments.empty() && std::all_of(segments.begin(), segments.end(), [](const Tokens& seg) {
    // Led by a unit word: "CALLBACK 555-0100" reads like "TPN 13A" but is a note.
    if (seg[0] != "#"sv && !any_unit_designator(seg[0]) && !ordinal_floor_at(seg, 0) && location_words_at(seg, 0) == 0)
      return false;
    NormalizedAddress units;
    return read_units(seg, 0, units) == seg.size();
  });
}

// CAD appends notes to the address: "77 PINE RD (BACK YARD)", "[BACK]",
// "*RP ADVISES DOG*", "- RP STATES SUBJ HAS KNIFE", "; RP IN VEH". Read as
// address words they became the street, unit or city, and the premise
// answered no flags. Text in brackets or between asterisks is dropped unless
// it is unit words ("(REAR)", "(UPSTAIRS)"), kept as before; what follows
// " - " (a hyphen between spaces, not in "123-45") or ";" is dropped to the
// end unless it is unit words on the street line ("77 PINE RD - APT 4"), and
// so is what follows an opening mark never closed.
std::string drop_cad_notes(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t k = 0; k < text.size(); ++k) {
    const char c = text[k];
    if (c == ';' || (c == '-' && k > 0 && text[k - 1] == ' ' && k + 1 < text.size() && text[k + 1] == ' ')) {
      // "77 PINE RD - APT 4": unit words on the street line are the unit.
      const std::string_view rest = text.substr(k + 1, text.find(',', k) - k - 1);
      if (out.find(',') != std::string::npos || !only_unit_words(rest)) break;
      out += ' ';
      continue;
    }
    const char close = c == '(' ? ')' : c == '[' ? ']' : c == '{' ? '}' : c == '*' ? '*' : '\0';
    if (!close) {
      out += c;
      continue;
    }
    // "**CALLER STATES SUBJ HAS KNIFE**": a run of asterisks is one mark.
    std::size_t open_end = k + 1;
    while (close == '*' && open_end < text.size() && text[open_end] == '*') ++open_end;
    std::size_t end = text.find(close, open_end);
    if (end == std::string_view::npos) break;
    const std::string_view inside = text.substr(open_end, end - open_end);
    while (close == '*' && end + 1 < text.size() && text[end + 1] == '*') ++end;
    out += ' ';
    if (only_unit_words(inside)) out.append(inside);
    out += ' ';
    k = end;
  }
  return out;
}

}  // namespace

// Interstates read "I-55"; a mile marker follows its route ("I-55 MM 92"),
// and a corner joins its streets with "&".
std::string NormalizedAddress::street_line() const {
  std::string out;
  const bool marker = house_number.starts_with("MM ");
  // A letter suffix prints joined ("14A"): "1208 N MAPLE" would read as North.
  const std::string_view suffix_word = std::string_view(house_suffix).substr(0, house_suffix.find(' '));
  const bool joined_suffix = !marker && suffix_word.size() <= 2 && all_alpha(suffix_word);
  for (const std::string* p : {&house_number, &house_suffix, &predir, &pretype, &name, &type, &postdir}) {
    if (p->empty() || (marker && p == &house_number)) continue;
    if (!out.empty() && !(p == &house_suffix && joined_suffix)) out += (p == &name && pretype == "I"sv) ? '-' : ' ';
    out += *p;
  }
  if (marker) out += " " + house_number;
  if (intersection && !cross_street.empty()) out += " & " + cross_street;
  return out;
}

std::string NormalizedAddress::display() const {
  std::string out = street_line();
  if (!unit_display.empty()) out += " " + unit_display;
  std::string place;
  for (const std::string* p : {&city, &state, &zip}) {
    if (p->empty()) continue;
    if (!place.empty()) place += ' ';
    place += *p;
  }
  if (!place.empty()) out += ", " + place;
  return out;
}

Result<NormalizedAddress> normalize_address(std::string_view text, AddressSource source) {
  static const Gazetteer kNoPlaces;
  return normalize_address(text, kNoPlaces, source);
}

Result<NormalizedAddress> normalize_address(std::string_view text, const Gazetteer& places, AddressSource source) {
  const bool cad = source == AddressSource::cad;
  if (text.size() > kMaxAddressLength)
    return make_error("address.too_long", "address of " + std::to_string(text.size()) +
                                              " bytes: expected at most " + std::to_string(kMaxAddressLength));
  std::vector<Tokens> segments = tokenize(drop_cad_notes(ascii_spacing(text)));
  drop_country(segments);
  // "… BROOKTON IL 61001 1234": a ZIP+4 written with a space after the
  // state; its last four digits name no place, and read as words they made
  // the ZIP a unit's number.
  if (!segments.empty()) {
    Tokens& last = segments.back();
    const std::size_t n = last.size();
    if (n >= 3 && last[n - 1].size() == 4 && all_digits(last[n - 1]) && last[n - 2].size() == 5 &&
        all_digits(last[n - 2]) && standard_state(last[n - 3]))
      last.pop_back();
  }
  if (segments.empty()) return make_error("address.empty", "address is empty");
  const NormalizedAddress lead = take_leading_units(segments);

  drop_municipality_words(segments);
  NormalizedAddress a;
  Tokens street = segments[0];
  join_grid_number(street);
  join_split_name_words(street);
  drop_travel_direction(street);
  spell_leading_types(street);
  split_route_words(street);
  spell_route_kinds(street);
  // "LUCERNE DR S E": a quadrant written as two letters after the type.
  // Not right after the house number: "2000 DR N W ATKINSON BLVD" is Dr. N. W. Atkinson.
  for (std::size_t k = 3; k + 1 < street.size(); ++k)
    if ((street[k] == "N"sv || street[k] == "S"sv) && (street[k + 1] == "E"sv || street[k + 1] == "W"sv) &&
        is_suffix(street[k - 1])) {
      street[k] += street[k + 1];
      street.erase(street.begin() + static_cast<long>(k) + 1);
    }
  // "PINECREST DR NORTH EAST, LINDALE": spelled out too, when the two words
  // end the street line (before a comma they cannot start a town's name).
  if (const std::size_t k = street.size() - 2; segments.size() > 1 && street.size() >= 4 &&
      is_suffix(street[k - 1]) && (street[k] == "NORTH"sv || street[k] == "SOUTH"sv) &&
      (street[k + 1] == "EAST"sv || street[k + 1] == "WEST"sv)) {
    street[k] = street[k].substr(0, 1) + street[k + 1].substr(0, 1);
    street.pop_back();
  }

  // Place segments after the first comma: unit segments first ("APT 3B"),
  // then city, state, ZIP in whatever comma arrangement.
  Tokens place;
  // Whether a segment after s names the city: "..., FL 2 CONFERENCE ROOM, NEW
  // YORK, NY" or "..., NY, N.Y.", but not "..., SUITE 530 ATLANTA, GA".
  const auto city_follows = [&](std::size_t s) {
    int states = 0;
    for (std::size_t k = s + 1; k < segments.size(); ++k) {
      std::size_t e = segments[k].size();
      if (e > 0 && is_zip(segments[k][e - 1])) --e;
      std::string st;
      const std::size_t n = take_state(segments[k], e, st);
      if (e > n) return true;
      if (n > 0 && ++states == 2) return true;  // "NY, N.Y.": the city and its state
    }
    return false;
  };
  // The words of segment s after its unit: more of the unit when the city
  // comes later, else the start of the place.
  const auto rest_of_unit_segment = [&](std::size_t s, Tokens rest) {
    if (rest.empty()) return;
    if (!city_follows(s)) {
      place.insert(place.end(), rest.begin(), rest.end());
      return;
    }
    NormalizedAddress more;
    if (rest.size() == 1 && !looks_like_unit_id(rest[0])) {
      more.unit = more.unit_display = rest[0];  // "LOWER LEVEL,": a word, not an id
    } else {
      read_unit_element(std::move(rest), more);
    }
    if (!a.unit.empty()) { a.unit += ' '; a.unit_display += ' '; }
    a.unit += more.unit;
    a.unit_display += more.unit_display;
  };
  for (std::size_t s = 1; s < segments.size(); ++s) {
    Tokens seg = segments[s];
    // ", S. W. # 2": a quadrant written as two letters.
    if (seg.size() >= 2 && (seg[0] == "N"sv || seg[0] == "S"sv) && (seg[1] == "E"sv || seg[1] == "W"sv)) {
      seg[0] += seg[1];
      seg.erase(seg.begin() + 1);
    }
    // ", NW," after the street is its post-directional (DC writes it so), as
    // is "N" in ", N SEBASTOPOL CA" when SEBASTOPOL is a known place and N
    // SEBASTOPOL is not.
    const auto known_after = [&](const Tokens& words) {
      std::size_t e = words.size();
      if (e > 1 && is_zip(words[e - 1])) --e;
      std::string st;
      if (const std::size_t n = take_state(words, e, st); n > 0 && e - n > 1) e -= n;
      return e > 1 && places.find(detail::place_key(words, 1, e)) && !places.find(detail::place_key(words, 0, e));
    };
    // A quadrant ("NW") is the street's; a one-letter word ("NO", a
    // spelling of N) before a known town is the town's ("NO BROOKTON"), and
    // so is a spelled-out one ("EAST BROOKTON" is another town, even one the
    // cache does not know).
    if (place.empty() && standard_directional(seg[0]) && street.size() >= 3 && !is_directional(street.back()) &&
        (seg.size() == 1 || (seg[0].size() <= 2 && (standard_directional(seg[0])->size() == 2 || known_after(seg))))) {
      street.push_back(seg[0]);
      Tokens rest(seg.begin() + 1, seg.end());
      NormalizedAddress units;
      const std::size_t used = read_units(rest, 0, units);
      if (!units.unit.empty()) {
        if (!a.unit.empty()) { a.unit += ' '; a.unit_display += ' '; }
        a.unit += units.unit;
        a.unit_display += units.unit_display;
      }
      rest_of_unit_segment(s, Tokens(rest.begin() + static_cast<long>(used), rest.end()));
      continue;
    }
    // ", 1506," or ", 12C," or a last ", C-5" right after the street: a unit
    // without designator (a ZIP alone is still a ZIP).
    // ", 106 D," too: an id and a letter.
    if (place.empty() && seg.size() <= 2 && has_digit(seg[0]) && !is_zip(seg[0]) && looks_like_unit_id(seg[0]) &&
        (seg.size() == 1 || (seg[1].size() == 1 && is_alpha(seg[1][0]) && !standard_state(seg[1])))) {
      NormalizedAddress units;
      Tokens id{"#"};
      id.insert(id.end(), seg.begin(), seg.end());
      const std::size_t used = read_units(id, 0, units);
      if (used < id.size()) {
        units.unit += " " + id.back();
        units.unit_display += " " + id.back();
      }
      if (!a.unit.empty()) { a.unit += ' '; a.unit_display += ' '; }
      a.unit += units.unit;
      a.unit_display += units.unit_display;
      continue;
    }
    if (place.empty() && (seg[0] == "#"sv || any_unit_designator(seg[0]) || ordinal_floor_at(seg, 0) ||
                          (seg[0] == "ST"sv && seg.size() > 1 && has_digit(seg[1])) || unit_name_words(seg, 0) > 0)) {
      // ", SUITE 530 ATLANTA, GA": the unit, then the place in one segment.
      NormalizedAddress units;
      const std::size_t used = read_units(seg, 0, units);
      if (used > 0) {
        if (!a.unit.empty()) { a.unit += ' '; a.unit_display += ' '; }
        a.unit += units.unit;
        a.unit_display += units.unit_display;
        rest_of_unit_segment(s, Tokens(seg.begin() + static_cast<long>(used), seg.end()));
        continue;
      }
    }
    // ", INTERIM UNIT 1 SAN FRANCISCO": a word naming the unit, then its
    // designator and number.
    if (place.empty() && seg.size() >= 3 && all_alpha(seg[0]) && !is_directional(seg[0]) && !standard_state(seg[0]) &&
        is_designator(seg[1]) && has_digit(seg[2]) && looks_like_unit_id(seg[2]) && !is_zip(seg[2])) {
      NormalizedAddress units;
      read_unit_element(Tokens(seg.begin(), seg.begin() + 3), units);
      if (!a.unit.empty()) { a.unit += ' '; a.unit_display += ' '; }
      a.unit += units.unit;
      a.unit_display += units.unit_display;
      rest_of_unit_segment(s, Tokens(seg.begin() + 3, seg.end()));
      continue;
    }
    // "..., BROOKTON IL, APT 5": a unit as a segment of its own after the
    // place. Read into the city it left a premise that matched nothing.
    if (!place.empty() && unit_segment_after_place(seg)) {
      NormalizedAddress units;
      read_units(seg, 0, units);
      if (!a.unit.empty()) { a.unit += ' '; a.unit_display += ' '; }
      a.unit += units.unit;
      a.unit_display += units.unit_display;
      continue;
    }
    // "…, BROOKTON IL, RP IN LOBBY", "…, BROOKTON IL 61001, WINNEBAGO CO": once
    // a town and its state (or a ZIP) are read, what follows is a note, not
    // more town; only a ZIP may still come.
    const bool zip_only = is_zip(seg[0]) && (seg.size() == 1 || (seg.size() == 2 && seg[1].size() == 4 && all_digits(seg[1])));
    if (place_is_whole(place) && !zip_only) continue;
    if (place.empty() && starts_with_house_number(street)) {
      if (const std::size_t n = cross_street_words(seg, places)) seg.erase(seg.begin(), seg.begin() + static_cast<long>(n));
    }
    place.insert(place.end(), seg.begin(), seg.end());
  }
  if (!place.empty()) {
    std::size_t pend = place.size();
    // "97212 4321": ZIP+4 written with a space.
    if (pend >= 2 && place[pend - 1].size() == 4 && all_digits(place[pend - 1]) && place[pend - 2].size() == 5 &&
        all_digits(place[pend - 2]))
      --pend;
    if (is_zip(place[pend - 1])) {
      a.zip = zip5(place[pend - 1]);
      --pend;
    }
    std::string state;
    std::size_t n = take_state(place, pend, state);
    // "1800 M ST NW, WASHINGTON", "…, NEVADA": a known town named like a
    // state, with no state after it, is the town. Read as the state, the
    // query named no town and found nothing, in silence.
    if (n == pend && places.find(detail::place_key(place, 0, pend))) n = 0;
    if (n > 0) {
      a.state = state;
      pend -= n;
    }
    if (pend > 0) a.city = lookup_city(place, 0, pend, places);
  }
  const bool one_segment = segments.size() == 1;

  if (const std::string why = cad ? not_one_address(street) : std::string(); !why.empty())
    return make_error("address.not_one_address", "address '" + std::string(text.substr(0, 80)) + "': " + why);
  std::string hno, hns;
  // Split for both sources: the glued directional below must read the
  // registry's "1208E CHERRY ST" as CAD's, or the same text never matched.
  if (!street.empty() && split_house_number(street[0], hno, hns) && cad && hno == "0"sv)
    return make_error("address.no_house_number",
                      "address '" + std::string(text.substr(0, 80)) + "': house number 0 is no door");
  // "1208N MAPLE ST" is 1208 N MAPLE ST: a compass letter glued to the number
  // before a street name is the pre-directional, not a house-number suffix
  // (so it never matched, printed alike). "14A BIRCH LN" keeps A.
  if (hns.size() == 1 && is_directional(hns) && street.size() >= 2 && all_alpha(street[1]) &&
      !is_suffix(street[1]) && !is_directional(street[1])) {
    street[0] = hno;
    street.insert(street.begin() + 1, hns);
  }
  if (street.empty() || !split_house_number(street[0], hno, hns)) {
    // "I-55 @ MM 92", "I-55 NB NEAR MM 92": the marker on the route, no corner.
    std::size_t at_words = 0;
    if (const std::size_t m = find_mile_marker(street, at_words);
        m < street.size() && m > 1 && (street[m - 1] == "AT"sv || street[m - 1] == "NEAR"sv))
      street.erase(street.begin() + static_cast<long>(m) - 1);
    if (street.size() >= 3) {
      const auto corner = std::find_if(street.begin() + 1, street.end() - 1, is_corner_word);
      if (corner != street.end() - 1)
        return read_intersection(street, static_cast<std::size_t>(corner - street.begin()), one_segment, places, a);
    }
    std::size_t marker_words = 0;
    const std::size_t marker = find_mile_marker(street, marker_words);
    if (marker == street.size())
      return make_error("address.no_house_number",
                        "address '" + std::string(text.substr(0, 80)) + "': expected a house number first");
    // A route location: "I-55 MM 92" is kept as house number "MM 92" on I-55.
    hno = "MM " + marker_number(street[marker + marker_words - 1]);
    street.erase(street.begin() + static_cast<long>(marker), street.begin() + static_cast<long>(marker + marker_words));
    street.insert(street.begin(), hno);
    // "I-55 NB MM 92": the side of the road travelled is no part of where
    // the marker stands, and kept it made a name no premise had; nor is the
    // part of the road ("MM 92 MEDIAN", "NB SHOULDER").
    for (std::size_t k = 0; k + 1 < street.size(); ++k)  // "RIGHT SHOULDER", "INSIDE SHOULDER"
      if (is_roadside_word(street[k + 1]) && is_shoulder_side(street[k]))
        street.erase(street.begin() + static_cast<long>(k));
    std::erase_if(street, [](const std::string& w) { return is_travel_direction(w) || is_roadside_word(w); });
  }
  // "77 PINE RD / OAK AVE", "77 PINE RD AT OAK AVE": an address CAD gives
  // with its cross street, which locates the door for a driver. Read as one
  // street ("PINE RD OAK"), it found nothing and said nothing; the address
  // is what comes before the corner word, once that reads as a whole street.
  else if (const std::size_t cut = cross_street_at(street); cut < street.size()) {
    // A known town (its state, ZIP) after the cross street is still the
    // address's: "77 PINE RD X OAK AVE SPRINGFIELD IL".
    std::size_t kept_from = street.size();
    if (one_segment) {
      std::size_t end = street.size();
      if (is_zip(street[end - 1])) --end;
      NormalizedAddress town;
      if (const std::size_t at = take_known_place(street, cut + 2, end, places, town); at < end) kept_from = at;
    }
    street.erase(street.begin() + static_cast<long>(cut), street.begin() + static_cast<long>(kept_from));
  }
  // "A&B ST" is the street A B (as before "&" was a word of its own).
  std::erase(street, std::string("&"));
  a.house_number = hno;
  a.house_suffix = hns;
  std::size_t i = 1;
  if (i < street.size() && is_fraction(street[i])) {
    a.house_suffix = a.house_suffix.empty() ? street[i] : a.house_suffix + " " + street[i];
    ++i;
  } else if (a.house_suffix.empty() && i + 2 <= street.size() && street[i].size() == 1 && is_alpha(street[i][0]) &&
             !is_directional(street[i]) && !is_suffix(street[i + 1]) && all_alpha(street[i + 1]) &&
             (street[i + 1].size() >= 3 || is_directional(street[i + 1])) && street[i + 1] != "AND"sv) {
    // "214 B SOUTH BLVD" and "4224 A LINCOLNSHIRE" are 214B and 4224A; "12 B
    // ST" is B Street, "2964 L B J FWY" LBJ Freeway, "728 C AND N SMITH MILL
    // RD" the C and N Smith Mill Road.
    a.house_suffix = street[i];
    ++i;
  }

  // "6910 # G MARY CAROLINE CIRCLE": the unit written between the house
  // number and the street.
  NormalizedAddress early;
  if (i + 3 < street.size() && street[i] == "#"sv && looks_like_unit_id(street[i + 1]) && all_alpha(street[i + 2])) {
    append_unit(early, {"#", street[i + 1]});
    street.erase(street.begin() + static_cast<long>(i), street.begin() + static_cast<long>(i) + 2);
  }

  std::size_t end = street.size();
  bool city_in_street = false;
  if (one_segment) {
    if (end - i >= 2 && is_zip(street[end - 1])) {
      a.zip = zip5(street[end - 1]);
      --end;
    }
    const std::size_t before = end;
    end = take_known_place(street, i, end, places, a);
    if (end == before) {
      // No known place: a trailing state is only believed when a street
      // type precedes the city words ("CT" in "1208 MAPLE CT" is a court,
      // "NE" in "1208 MAPLE ST NE" a directional).
      std::string state;
      std::size_t n = take_state(street, end, state);
      if (n == 1 && end >= i + 2 && ordinal_floor_at(street, end - 2)) n = 0;  // "6TH FL" is a floor, not Florida
      if (n > 0 && end - n > i) {
        // The city words after the type must hold a word that is neither a
        // type nor a directional ("FLOWERS CROSSING DR NE" has no city).
        bool typed_with_tail = false;
        for (std::size_t k = i + 1; k + 1 < end - n; ++k)
          if (is_suffix(street[k]))
            for (std::size_t j = k + 1; j < end - n; ++j)
              typed_with_tail = typed_with_tail || (!is_suffix(street[j]) && !is_directional(street[j]));
        // "17 OAK AVE IL": a state right after the type, when the state's
        // code is no street or unit word there (not CT, NE, FL, PR ...).
        const bool state_after_type = n == 1 && end - 1 > i + 1 && is_suffix(street[end - 2]) &&
                                      !is_suffix(street[end - 1]) && !is_directional(street[end - 1]) &&
                                      !is_designator(street[end - 1]) && street[end - 1] != "MT"sv;
        if (typed_with_tail || !a.zip.empty() || state_after_type) {
          a.state = state;
          end -= n;
          city_in_street = typed_with_tail;
        }
      }
    }
  } else if (a.city.empty()) {
    // "17 OAK AVE SPRINGFIELD, IL": the place is on the street's side of the comma.
    end = take_known_place(street, i, end, places, a);
  }

  std::size_t unit_at =
      find_unit_start(Tokens(street.begin(), street.begin() + static_cast<long>(end)), i, end == street.size());
  std::size_t street_end = std::min(unit_at, end);
  std::size_t tail_from = end;
  bool town_after_unit = false;
  if (unit_at < end) {
    NormalizedAddress units;
    const Tokens line(street.begin(), street.begin() + static_cast<long>(end));
    if (one_segment && city_in_street) {
      // "1208 N MAPLE ST STE 3B SPRINGFIELD IL": the words after the unit are the city.
      tail_from = std::min(read_units(line, unit_at, units, end == street.size()), end);
    } else if (const std::size_t after =
                   one_segment ? std::min(read_units(line, unit_at, units, end == street.size()), end) : end;
               one_segment && town_words(line, after)) {
      // "40 OAK AVE APT 2 SHELBYVILLE": words after the unit that are no
      // unit's are a town the cache does not know, or remarks. In the unit,
      // a premise without one took them for "the whole building": another
      // town's 40 Oak Ave was shown at building level.
      tail_from = after;
      town_after_unit = true;
    } else {
      // Words it cannot read stay in the unit, so the address can never
      // compare equal to one without them.
      units = NormalizedAddress{};
      read_unit_element(Tokens(line.begin() + static_cast<long>(unit_at), line.end()), units, end == street.size());
    }
    if (!a.unit.empty()) {
      units.unit += ' ' + a.unit;
      units.unit_display += ' ' + a.unit_display;
    }
    a.unit = units.unit;
    a.unit_display = units.unit_display;
  } else if (city_in_street) {
    // "1208 N MAPLE ST SPRINGFIELD IL": the street ends at its first type
    // word that is not followed by another type word.
    for (std::size_t k = i + 1; k < end; ++k) {
      if (is_suffix(street[k]) && !(k + 1 < end && is_suffix(street[k + 1]))) {
        street_end = k + 1;
        if (street_end < end && is_directional(street[street_end]) && street_end + 1 < end) ++street_end;
        break;
      }
    }
    tail_from = street_end;
  } else if (const std::size_t k = idless_unit_phrase_at(street, i, end); k < end) {
    NormalizedAddress units;
    read_unit_element(Tokens(street.begin() + static_cast<long>(k), street.begin() + static_cast<long>(end)), units);
    a.unit = units.unit + (a.unit.empty() ? "" : " " + a.unit);
    a.unit_display = units.unit_display + (a.unit_display.empty() ? "" : " " + a.unit_display);
    street_end = k;
  } else if (unlabelled_unit_at_end(street, i, end)) {
    NormalizedAddress units;
    append_unit(units, {"#", street[end - 1]});
    a.unit = units.unit + (a.unit.empty() ? "" : " " + a.unit);
    a.unit_display = units.unit_display + (a.unit_display.empty() ? "" : " " + a.unit_display);
    street_end = end - 1;
  }

  if (!read_street(street, i, street_end, a) || (cad && !names_a_street(a)))
    return make_error("address.no_street_name",
                      "address '" + std::string(text.substr(0, 80)) + "': expected a street name after the house number");
  if (a.house_number.starts_with("MM ") && !is_route(a))
    return make_error("address.no_house_number",
                      "address '" + std::string(text.substr(0, 80)) + "': a mile marker needs a highway or route");

  if (tail_from < end) {
    if (one_segment && city_in_street && end - tail_from == 1 && has_digit(street[tail_from]) &&
        looks_like_unit_id(street[tail_from])) {
      // "171 AUBURN AVE 303 GA": a number is no city; it is the unit.
      NormalizedAddress units;
      append_unit(units, {"#", street[tail_from]});
      a.unit = units.unit + (a.unit.empty() ? "" : " " + a.unit);
      a.unit_display = units.unit_display + (a.unit_display.empty() ? "" : " " + a.unit_display);
    } else if (one_segment && (city_in_street || town_after_unit)) {
      a.city = lookup_city(street, tail_from, end, places);
    } else {
      // Words we could not place: keep them in the unit so the address can
      // never compare equal to one without them.
      const std::string extra = join(street, tail_from, end);
      a.unit += (a.unit.empty() ? "" : " ") + extra;
      a.unit_display += (a.unit_display.empty() ? "" : " ") + extra;
    }
  }
  for (const NormalizedAddress* before : {static_cast<const NormalizedAddress*>(&early), &lead}) {
    if (before->unit.empty()) continue;
    a.unit = before->unit + (a.unit.empty() ? "" : " " + a.unit);
    a.unit_display = before->unit_display + (a.unit_display.empty() ? "" : " " + a.unit_display);
  }
  return a;
}


Result<NormalizedAddress> normalize_civic(const CivicAddress& c) {
  auto words = [](const std::string& s) {
    auto segs = tokenize(s);
    Tokens out;
    for (auto& seg : segs) out.insert(out.end(), seg.begin(), seg.end());
    return out;
  };
  auto one = [&](const std::string& s) { return join(words(s), 0, SIZE_MAX); };

  std::size_t total = 0;
  for (const std::string* f : {&c.hno, &c.hns, &c.prd, &c.prm, &c.pretype, &c.rd, &c.sts, &c.pod, &c.pom, &c.unit,
                               &c.a3, &c.a1, &c.pc, &c.country})
    total += f->size();
  if (total > 2 * kMaxAddressLength)
    return make_error("address.too_long", "civic address of " + std::to_string(total) + " bytes: expected at most " +
                                              std::to_string(2 * kMaxAddressLength));

  NormalizedAddress a;
  Tokens hno = words(c.hno);
  join_grid_number(hno);
  if (hno.empty() || !split_house_number(hno[0], a.house_number, a.house_suffix))
    return make_error("address.no_house_number", "civic address: hno '" + c.hno.substr(0, 40) + "' is not a house number");
  for (std::size_t k = 1; k < hno.size(); ++k) a.house_suffix += (a.house_suffix.empty() ? "" : " ") + hno[k];
  const std::string hns = one(c.hns);
  if (!hns.empty()) a.house_suffix += (a.house_suffix.empty() ? "" : " ") + hns;

  // "N E" is NE as in text.
  auto directional = [&](const std::string& s) {
    std::string joined = s;
    std::erase(joined, ' ');
    return standard_directional(s).value_or(standard_directional(joined).value_or(s));
  };
  a.predir = directional(one(c.prd));
  a.postdir = directional(one(c.pod));

  Tokens prm = words(c.prm);
  Tokens pretype = words(c.pretype);
  Tokens rd = words(c.rd);
  if (!pretype.empty()) {
    // Routes reduce as in text ("STATE ROAD" 75 = "SR" 75 = "HWY" 75).
    spell_route_kinds(pretype);
    Tokens both = pretype;
    both.insert(both.end(), rd.begin(), rd.end());
    // A county's name given as the pre-modifier stays with its road, as in
    // text: "ANDERSON" "CR" 312 = "ANDERSON COUNTY RD" 312.
    Tokens named = prm;
    named.insert(named.end(), both.begin(), both.end());
    std::string route;
    if (!prm.empty() && !rd.empty() && read_pretype(named, 0, named.size(), route) == prm.size() + pretype.size()) {
      a.pretype = route;
      prm.clear();
    } else if (!rd.empty() && read_pretype(both, 0, both.size(), route) == pretype.size()) {
      a.pretype = route;
    } else {
      if (auto t = standard_suffix(pretype.back())) pretype.back() = *t;
      a.pretype = join(pretype, 0, pretype.size());
    }
    // "US HIGHWAY" "NO 202": the number's own word, dropped as in text.
    if (rd.size() >= 2 && (rd[0] == "NO"sv || rd[0] == "NUMBER"sv) && all_digits(rd[1]) &&
        detail::is_route_pretype(a.pretype))
      rd.erase(rd.begin());
  }

  const std::string sts = one(c.sts);
  if (!sts.empty()) {
    a.type = standard_suffix(sts).value_or(sts);
  } else if (rd.size() >= 2 && is_suffix(rd.back()) && pretype.empty()) {
    a.type = *standard_suffix(rd.back());
    rd.pop_back();
  }
  Tokens name = prm;
  name.insert(name.end(), rd.begin(), rd.end());
  std::erase(name, std::string("&"));  // as in text: "PEACE & PLENTY LN" is PEACE PLENTY
  Tokens pom = words(c.pom);
  for (std::string& w : pom)
    if (standard_suffix(w) == "EXT"sv) w = "EXT";  // "AVON ST EXTENSION" = "AVON ST EXT"
  name.insert(name.end(), pom.begin(), pom.end());
  spell_numbered_street(name, a);
  a.name = canonical_name(name);
  if (a.name.empty())
    return make_error("address.no_street_name", "civic address: rd is empty");

  read_unit_element(words(c.unit), a);
  Tokens city = words(c.a3);
  a.city = canonical_city(city, 0, city.size());
  const std::string state = one(c.a1);
  a.state = standard_state(state).value_or(state);
  settle_county_or_colorado(a);
  const std::string pc = one(c.pc);
  if (is_zip(pc)) a.zip = zip5(pc);
  else a.zip = pc;
  return a;
}

namespace detail {

bool is_route_pretype(std::string_view pretype) {
  static constexpr std::string_view kPretypes[] = {"I",        "US HWY",  "HWY",      "COUNTY RD", "COUNTY HWY",
                                                   "CITY HWY", "CITY RD", "BUSINESS", "FM", "RM",
                                                   kCountyOrColoradoHwy, "HISTORIC HWY", "HISTORIC US HWY"};
  return std::find(std::begin(kPretypes), std::end(kPretypes), pretype) != std::end(kPretypes);
}

std::vector<Words> tokenize_address(std::string_view text) { return tokenize(text); }

std::string spelled_out_directional(std::string_view standard) { return spelled_directional(standard); }

bool zip_word(std::string_view w) { return is_zip(w); }

std::string canonical_place(const Words& words, std::size_t from, std::size_t to) {
  return canonical_city(words, from, std::min(to, words.size()));
}

// Looser than canonical_place: besides SAINT/MOUNT/FORT anywhere, a leading
// compass abbreviation is spelled out and a few words places abbreviate are
// written in full, so "E ST LOUIS" finds "EAST SAINT LOUIS".
std::string place_key(const Words& words, std::size_t from, std::size_t to) {
  static constexpr std::pair<std::string_view, std::string_view> kPlaceWords[] = {
      {"TWP", "TOWNSHIP"}, {"HTS", "HEIGHTS"}, {"HGTS", "HEIGHTS"}, {"SPGS", "SPRINGS"}};
  to = std::min(to, words.size());
  std::string key;
  for (std::size_t k = from; k < to; ++k) {
    std::string w = name_word(ordinal(words[k]));
    if (k == from && to - from >= 2 && w.size() <= 2)
      if (auto d = standard_directional(w)) w = spelled_directional(*d);
    for (const auto& [abbr, full] : kPlaceWords)
      if (w == abbr) w = full;
    if (!key.empty()) key += ' ';
    key += w;
  }
  return key;
}

}  // namespace detail
}  // namespace mdtc::cache
