// Free text and CLDXF civic addresses reduced to one canonical form, so that
// "1208 n. maple street #3b" and "1208 NORTH MAPLE ST UNIT 3B" compare equal.
// Pure: no I/O, no locale, no allocation beyond the result.
#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>
#include <vector>

#include "mdtc/address.h"

namespace mdtc::cache {
namespace {

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

// Splits into comma-separated segments of upper-case words. Periods and
// apostrophes vanish ("N." -> "N", "O'BRIEN" -> "OBRIEN"); "#" is a word of
// its own ("#3B" -> "#", "3B"); "/" and "-" stay inside words (1/2, 123-45).
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
  for (char raw : text) {
    const char c = upper(raw);
    if (is_alpha(c) || is_digit(c) || c == '/' || c == '-' || static_cast<unsigned char>(c) >= 0x80) {
      word += c;
    } else if (c == '.' || c == '\'') {
      // dropped inside words
    } else if (c == '#') {
      flush();
      segments.back().push_back("#");
    } else if (c == ',' || c == ';' || c == '\n') {
      flush();
      segments.emplace_back();
    } else {
      flush();
    }
  }
  flush();
  std::erase_if(segments, [](const Tokens& t) { return t.empty(); });
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

std::string spelled_directional(std::string_view std_dir) {
  static constexpr std::pair<std::string_view, std::string_view> kNames[] = {
      {"N", "NORTH"},      {"S", "SOUTH"},         {"E", "EAST"},          {"W", "WEST"},
      {"NE", "NORTHEAST"}, {"NW", "NORTHWEST"},    {"SE", "SOUTHEAST"},    {"SW", "SOUTHWEST"}};
  for (const auto& [abbr, name] : kNames)
    if (std_dir == abbr) return std::string(name);
  return std::string(std_dir);
}

// Street or city name words. At the start of a multi-word name ST, MT and FT
// are SAINT, MOUNT and FORT (Pub 28 spells suffix words out when they begin a
// name); ordinals become numbers ("FIRST" -> "1ST"); a name that is only a
// directional is spelled out ("N AVE" and "NORTH AVE" are the same street).
std::string canonical_name(Tokens words) {
  if (words.empty()) return {};
  for (auto& w : words) w = ordinal(w);
  if (words.size() >= 2) {
    if (words[0] == "ST" || words[0] == "SAINT" || words[0] == "STE") words[0] = "SAINT";
    else if (words[0] == "MT" || words[0] == "MOUNT") words[0] = "MOUNT";
    else if (words[0] == "FT" || words[0] == "FORT") words[0] = "FORT";
  }
  if (words.size() == 1) {
    if (auto d = standard_directional(words[0])) words[0] = spelled_directional(*d);
  }
  return join(words, 0, words.size());
}

// "1208" -> {"1208",""}; "01208A" -> {"1208","A"}; "123-45" stays whole;
// "1208-B" -> {"1208","B"}. Returns false when the word is not a house number.
bool split_house_number(std::string_view w, std::string& number, std::string& suffix) {
  if (w.empty() || !is_digit(w[0])) return false;
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

void append_unit(NormalizedAddress& a, const UnitPart& u) {
  std::string id = u.id;
  std::erase(id, '-');
  const bool keeps_designator = u.designator == "BLDG" || u.designator == "FL";
  const std::string key = id.empty() ? u.designator : (keeps_designator ? u.designator + " " + id : id);
  const std::string shown = id.empty() ? u.designator : u.designator + " " + id;
  if (!a.unit.empty()) a.unit += ' ';
  a.unit += key;
  if (!a.unit_display.empty()) a.unit_display += ' ';
  a.unit_display += shown;
}

// Reads "APT 3B", "APT # 3B", "# 3B", "REAR", "BLDG A UNIT 4" from t[i]; returns
// the index after the last unit word it understood.
std::size_t read_units(const Tokens& t, std::size_t i, NormalizedAddress& a) {
  while (i < t.size()) {
    if (t[i] == "#") {
      if (i + 1 < t.size() && looks_like_unit_id(t[i + 1])) {
        append_unit(a, {"#", t[i + 1]});
        i += 2;
        continue;
      }
      break;
    }
    auto d = standard_unit_designator(t[i]);
    if (!d) break;
    std::size_t j = i + 1;
    if (j < t.size() && t[j] == "#") ++j;
    if (j < t.size() && looks_like_unit_id(t[j])) {
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

// Where the unit part of a street line starts: a "#" or a designator followed
// by something that looks like a unit id, after at least one street word.
std::size_t find_unit_start(const Tokens& t, std::size_t first_street_word) {
  for (std::size_t j = first_street_word + 1; j < t.size(); ++j) {
    if (t[j] == "#") return j;
    auto d = standard_unit_designator(t[j]);
    if (!d) continue;
    std::size_t k = j + 1;
    if (k < t.size() && t[k] == "#") ++k;
    if (k < t.size() && looks_like_unit_id(t[k])) return j;
    if (is_idless_designator(*d) && (k >= t.size() || t[k] == "#" || is_designator(t[k]))) return j;
  }
  return t.size();
}

// Multi-word pre-types of rural and state routes: "COUNTY ROAD 12", "STATE
// HIGHWAY 9", "US HIGHWAY 66", and their short forms CR / SR.
std::size_t read_pretype(const Tokens& s, std::size_t i, std::size_t end, std::string& pretype) {
  if (i + 1 >= end) return i;  // a pre-type needs a name after it
  if (s[i] == "CR") { pretype = "COUNTY RD"; return i + 1; }
  if (s[i] == "SR") { pretype = "STATE RTE"; return i + 1; }
  if ((s[i] == "COUNTY" || s[i] == "STATE" || s[i] == "US") && i + 2 < end) {
    auto t = standard_suffix(s[i + 1]);
    if (t && (*t == "RD" || *t == "HWY" || *t == "RTE")) {
      pretype = s[i] + " " + *t;
      return i + 2;
    }
  }
  // "AVENUE B", "HIGHWAY 66": a type word first and a non-type word last.
  if (end - i >= 2) {
    auto t = standard_suffix(s[i]);
    if (t && !is_suffix(s[end - 1]) && (*t == "AVE" || *t == "HWY" || *t == "RTE" || *t == "RD" ||
                                        *t == "ST" || *t == "FWY" || *t == "EXPY" || *t == "TPKE")) {
      // "ST PAUL" is SAINT PAUL, not a street named PAUL of type ST.
      if (*t == "ST" && s[i] != "STREET") return i;
      pretype = *t;
      return i + 1;
    }
  }
  return i;
}

// Street words s[i, end): [predir] [pretype] name... [type] [postdir].
// Returns false if no name is left.
bool read_street(const Tokens& s, std::size_t i, std::size_t end, NormalizedAddress& a) {
  if (end - i >= 2 && is_directional(s[i]) && !(end - i == 2 && is_suffix(s[i + 1]))) {
    a.predir = *standard_directional(s[i]);
    ++i;
  }
  std::size_t j = read_pretype(s, i, end, a.pretype);
  if (!a.pretype.empty()) {
    if (end - j >= 2 && is_directional(s[end - 1])) {
      a.postdir = *standard_directional(s[end - 1]);
      --end;
    }
    if (j >= end) return false;
    a.name = canonical_name(Tokens(s.begin() + static_cast<long>(j), s.begin() + static_cast<long>(end)));
    return !a.name.empty();
  }
  if (end - i >= 2 && is_directional(s[end - 1])) {
    a.postdir = *standard_directional(s[end - 1]);
    --end;
  }
  if (end - i >= 2 && is_suffix(s[end - 1])) {
    a.type = *standard_suffix(s[end - 1]);
    --end;
  }
  if (i >= end) return false;
  a.name = canonical_name(Tokens(s.begin() + static_cast<long>(i), s.begin() + static_cast<long>(end)));
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

std::string canonical_city(const Tokens& t, std::size_t from, std::size_t to) {
  return canonical_name(Tokens(t.begin() + static_cast<long>(from), t.begin() + static_cast<long>(to)));
}

}  // namespace

std::string NormalizedAddress::street_line() const {
  std::string out;
  for (const std::string* p : {&house_number, &house_suffix, &predir, &pretype, &name, &type, &postdir}) {
    if (p->empty()) continue;
    if (!out.empty()) out += ' ';
    out += *p;
  }
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

Result<NormalizedAddress> normalize_address(std::string_view text) {
  if (text.size() > kMaxAddressLength)
    return make_error("address.too_long", "address of " + std::to_string(text.size()) +
                                              " bytes: expected at most " + std::to_string(kMaxAddressLength));
  std::vector<Tokens> segments = tokenize(text);
  if (segments.empty()) return make_error("address.empty", "address is empty");

  NormalizedAddress a;
  Tokens street = segments[0];

  // Place segments after the first comma: unit segments first ("APT 3B"),
  // then city, state, ZIP in whatever comma arrangement.
  Tokens place;
  for (std::size_t s = 1; s < segments.size(); ++s) {
    const Tokens& seg = segments[s];
    if (place.empty() && (seg[0] == "#" || is_designator(seg[0]))) {
      NormalizedAddress units;
      if (read_units(seg, 0, units) == seg.size()) {
        if (!a.unit.empty()) { a.unit += ' '; a.unit_display += ' '; }
        a.unit += units.unit;
        a.unit_display += units.unit_display;
        continue;
      }
    }
    place.insert(place.end(), seg.begin(), seg.end());
  }

  std::string hno, hns;
  if (street.empty() || !split_house_number(street[0], hno, hns))
    return make_error("address.no_house_number",
                      "address '" + std::string(text.substr(0, 80)) + "': expected a house number first");
  a.house_number = hno;
  a.house_suffix = hns;
  std::size_t i = 1;
  if (i < street.size() && is_fraction(street[i])) {
    a.house_suffix = a.house_suffix.empty() ? street[i] : a.house_suffix + " " + street[i];
    ++i;
  }

  const bool one_segment = segments.size() == 1;
  std::size_t end = street.size();
  bool city_in_street = false;
  if (one_segment) {
    // No commas: ZIP and state may trail the street line. A trailing state is
    // only believed when a street type precedes the city words ("CT" in
    // "1208 MAPLE CT" is a court, "NE" in "1208 MAPLE ST NE" a directional).
    if (end - i >= 2 && is_zip(street[end - 1])) {
      a.zip = zip5(street[end - 1]);
      --end;
    }
    std::string state;
    const std::size_t n = take_state(street, end, state);
    if (n > 0 && end - n > i) {
      bool typed_with_tail = false;
      for (std::size_t k = i + 1; k + 1 < end - n; ++k)
        if (is_suffix(street[k])) typed_with_tail = true;
      if (typed_with_tail || !a.zip.empty()) {
        a.state = state;
        end -= n;
        city_in_street = typed_with_tail;
      }
    }
  }

  std::size_t unit_at = find_unit_start(Tokens(street.begin(), street.begin() + static_cast<long>(end)), i);
  std::size_t street_end = std::min(unit_at, end);
  std::size_t tail_from = end;
  if (unit_at < end) {
    NormalizedAddress units;
    const std::size_t after = read_units(street, unit_at, units);
    if (!a.unit.empty()) {
      units.unit += ' ' + a.unit;
      units.unit_display += ' ' + a.unit_display;
    }
    a.unit = units.unit;
    a.unit_display = units.unit_display;
    tail_from = std::min(after, end);
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
  } else if (end - i >= 3 && looks_like_unit_id(street[end - 1]) && has_digit(street[end - 1]) &&
             (is_suffix(street[end - 2]) || (is_directional(street[end - 2]) && is_suffix(street[end - 3]))) &&
             !(street[end - 3] == "COUNTY" || street[end - 3] == "STATE" || street[end - 3] == "US")) {
    // ("COUNTY ROAD 12" is a road named 12, not unit 12.)
    // "1208 MAPLE ST 3B": an unlabelled unit after the type.
    Tokens id{"#", street[end - 1]};
    NormalizedAddress units;
    read_units(id, 0, units);
    a.unit = units.unit + (a.unit.empty() ? "" : " " + a.unit);
    a.unit_display = units.unit_display + (a.unit_display.empty() ? "" : " " + a.unit_display);
    street_end = end - 1;
  }

  if (!read_street(street, i, street_end, a))
    return make_error("address.no_street_name",
                      "address '" + std::string(text.substr(0, 80)) + "': expected a street name after the house number");

  if (tail_from < end) {
    if (one_segment && city_in_street) {
      a.city = canonical_city(street, tail_from, end);
    } else {
      // Words we could not place: keep them in the unit so the address can
      // never compare equal to one without them.
      const std::string extra = join(street, tail_from, end);
      a.unit += (a.unit.empty() ? "" : " ") + extra;
      a.unit_display += (a.unit_display.empty() ? "" : " ") + extra;
    }
  }

  if (!place.empty()) {
    std::size_t pend = place.size();
    if (is_zip(place[pend - 1])) {
      a.zip = zip5(place[pend - 1]);
      --pend;
    }
    std::string state;
    const std::size_t n = take_state(place, pend, state);
    if (n > 0) {
      a.state = state;
      pend -= n;
    }
    if (pend > 0) a.city = canonical_city(place, 0, pend);
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
  if (hno.empty() || !split_house_number(hno[0], a.house_number, a.house_suffix))
    return make_error("address.no_house_number", "civic address: hno '" + c.hno.substr(0, 40) + "' is not a house number");
  for (std::size_t k = 1; k < hno.size(); ++k) a.house_suffix += (a.house_suffix.empty() ? "" : " ") + hno[k];
  const std::string hns = one(c.hns);
  if (!hns.empty()) a.house_suffix += (a.house_suffix.empty() ? "" : " ") + hns;

  const std::string prd = one(c.prd);
  a.predir = standard_directional(prd).value_or(prd);
  const std::string pod = one(c.pod);
  a.postdir = standard_directional(pod).value_or(pod);

  Tokens pretype = words(c.pretype);
  if (!pretype.empty()) {
    if (auto t = standard_suffix(pretype.back())) pretype.back() = *t;
    a.pretype = join(pretype, 0, pretype.size());
  }

  Tokens rd = words(c.rd);
  const std::string sts = one(c.sts);
  if (!sts.empty()) {
    a.type = standard_suffix(sts).value_or(sts);
  } else if (rd.size() >= 2 && is_suffix(rd.back()) && pretype.empty()) {
    a.type = *standard_suffix(rd.back());
    rd.pop_back();
  }
  Tokens name = words(c.prm);
  name.insert(name.end(), rd.begin(), rd.end());
  Tokens pom = words(c.pom);
  name.insert(name.end(), pom.begin(), pom.end());
  a.name = canonical_name(name);
  if (a.name.empty())
    return make_error("address.no_street_name", "civic address: rd is empty");

  Tokens unit = words(c.unit);
  if (!unit.empty()) {
    if (unit[0] != "#" && !is_designator(unit[0])) unit.insert(unit.begin(), "#");
    std::size_t used = read_units(unit, 0, a);
    if (used < unit.size()) {
      const std::string extra = join(unit, used, unit.size());
      a.unit += (a.unit.empty() ? "" : " ") + extra;
      a.unit_display += (a.unit_display.empty() ? "" : " ") + extra;
    }
  }
  Tokens city = words(c.a3);
  a.city = canonical_name(city);
  const std::string state = one(c.a1);
  a.state = standard_state(state).value_or(state);
  const std::string pc = one(c.pc);
  if (is_zip(pc)) a.zip = zip5(pc);
  else a.zip = pc;
  return a;
}

}  // namespace mdtc::cache
