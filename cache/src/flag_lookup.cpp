// Cache::match: normalize the query, pick premises (address first, then
// coordinates), and gather what may be shown about them. Never throws: any
// failure answers Freshness::unavailable, never "no flags".
#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <set>

#include "address_words.h"
#include "cache_impl.h"
#include "flag_vocabulary.h"
#include "place_alias.h"
#include "sealed_fields.h"
#include "mdtc/time_text.h"

namespace mdtc::cache {
namespace {

NormalizedAddress premise_address(const Stmt& q, int from) {
  NormalizedAddress a;
  std::string* fields[] = {&a.house_number, &a.house_suffix, &a.predir, &a.pretype, &a.name, &a.type,
                           &a.postdir, &a.unit, &a.unit_display, &a.city, &a.state, &a.zip};
  for (std::string* f : fields) *f = q.text(from++);
  return a;
}

// Every column here is in the premises_street index, so the candidates and
// what is shown of the chosen ones are read from the index alone. The index
// finds the house number and name; could_fit then leaves out, in place and
// before anything is copied, only rows that compare_addresses calls
// `different` whatever else they hold — an element present on both sides
// and not equal (house suffix and pre-type must be equal outright) — so
// decide_match sees every candidate that could matter, without the cost of
// reading the ones that cannot. (The same conditions written in SQL cost
// more than reading the few rows they leave out.)
const std::string kCandidates =
    "SELECT id, display, lat, lon, hno, hns, predir, pretype, name, type, postdir, unit, unit_display, city, "
    "state, zip FROM premises WHERE hno=?1 AND name=?2";
// The same for street names from ?2 up to ?3 ("MEADOW " to "MEADOW ~": the
// names that go on from MEADOW), one range of the same index.
const std::string kCandidatesNamed = [] {
  std::string sql = kCandidates;
  sql.replace(sql.find("name=?2"), 7, "name>=?2 AND name<?3");
  return sql;
}();
// Columns of kCandidates as premise_address reads them, from 4.
constexpr int kHns = 5, kPredir = 6, kPretype = 7, kType = 9, kPostdir = 10, kCity = 13, kState = 14, kZip = 15;

// With any_route_kind, a route of any kind fits a's number (a near miss's
// search; a's own pre-type is not compared).
bool could_fit(const Stmt& row, const NormalizedAddress& a, bool any_route_kind) {
  const auto either = [&](int col, const std::string& want) {
    if (want.empty()) return true;
    const std::string_view have = row.text_view(col);
    return have.empty() || have == want;
  };
  const std::string_view pretype = row.text_view(kPretype);
  const bool pretype_fits = any_route_kind ? detail::is_route_pretype(pretype) : pretype == a.pretype;
  return row.text_view(kHns) == a.house_suffix && pretype_fits &&
         either(kPredir, a.predir) && either(kType, a.type) && either(kPostdir, a.postdir) &&
         either(kCity, a.city) && either(kState, a.state) && either(kZip, a.zip);
}
const std::string kAlias =
    "SELECT p.id, p.display, p.lat, p.lon, p.hno, p.hns, p.predir, p.pretype, p.name, p.type, p.postdir, p.unit,"
    " p.unit_display, p.city, p.state, p.zip FROM premise_aliases a JOIN premises p ON p.id = a.premise_id"
    " WHERE a.alias=?1 ORDER BY p.id";
const std::string kNearby =
    "SELECT p.id, p.display, p.lat, p.lon FROM premise_geo g JOIN premises p ON p.rowid = g.rid"
    " WHERE g.min_lat <= ?1 AND g.max_lat >= ?2 AND g.min_lon <= ?3 AND g.max_lon >= ?4";
// A premise's flags (rec 0) and then its history (rec 1), clustered by
// premise in one table: one descent and one statement read them all.
const std::string kPremiseRows =
    "SELECT rec, id, subject_id, kind, code, note, audience, expires, validated, at, detail FROM premise_rows"
    " WHERE premise_id=?1";
const std::string kSubject = "SELECT name, born FROM subjects WHERE id=?1";

Premise read_premise(const Stmt& q) {
  Premise p;
  p.id = q.text(0);
  p.address = q.text(1);
  if (!q.is_null(2) && !q.is_null(3)) {
    p.lat = q.real(2);
    p.lon = q.real(3);
  }
  return p;
}

void add_reason(std::vector<std::string>& to, const std::string& reason) {
  if (std::find(to.begin(), to.end(), reason) == to.end()) to.push_back(reason);
}

// CAD sent a usable point with the query.
bool has_cad_point(const AddressQuery& query) {
  return query.lat && query.lon && std::isfinite(*query.lat) && std::isfinite(*query.lon);
}

// CAD's own coordinates against each premise a text (or place name) match
// chose: one farther than the gap is not taken as certain. Every premise
// learns its distance; the answer's level is its best premise's.
void cross_check_geo(MatchResult& r, const AddressQuery& query, double max_gap_m) {
  if (!has_cad_point(query)) return;
  MatchLevel best = MatchLevel::none;
  for (Premise& p : r.premises) {
    if (p.lat && p.lon) {
      p.distance_m = distance_m(*query.lat, *query.lon, *p.lat, *p.lon);
      if (max_gap_m > 0 && *p.distance_m > max_gap_m) {
        if (p.level == MatchLevel::exact) p.level = MatchLevel::building;
        p.reasons.push_back(distance_text(*p.distance_m) + " from the CAD location");
      }
    }
    best = std::min(best, p.level);
  }
  if (!r.premises.empty()) r.level = best;
}

// The one premise of several within max_gap_m of CAD's point, if exactly one is.
const Premise* only_one_near(const std::vector<Premise>& premises, const AddressQuery& query, double max_gap_m) {
  if (!has_cad_point(query) || max_gap_m <= 0)
    return nullptr;
  const Premise* found = nullptr;
  for (const Premise& p : premises) {
    if (!p.lat || !p.lon || distance_m(*query.lat, *query.lon, *p.lat, *p.lon) > max_gap_m) continue;
    if (found) return nullptr;
    found = &p;
  }
  return found;
}

// What CAD's point says of these premises: at every one of them (within
// max_gap_m), away from one of them, or nothing, and then why not.
struct PointSays {
  bool at_premises = false;
  bool elsewhere = false;
  std::string why_silent;  // when neither: "no CAD location to tell", ...
};
PointSays point_says(const std::vector<std::string>& ids, const std::map<std::string, Premise>& by_id,
                     const AddressQuery& query, double max_gap_m) {
  if (!has_cad_point(query)) return {false, false, "no CAD location to tell"};
  if (max_gap_m <= 0) return {false, false, "the CAD location is not checked (max_text_geo_gap_m = 0)"};
  bool unplaced = false;
  for (const std::string& id : ids) {
    const Premise& p = by_id.at(id);
    if (!p.lat || !p.lon) unplaced = true;
    else if (distance_m(*query.lat, *query.lon, *p.lat, *p.lon) > max_gap_m) return {false, true, {}};
  }
  if (unplaced) return {false, false, "no location on file for the premise to tell"};
  return {true, false, {}};
}

// b is a with two neighbouring letters exchanged: SPRINGFEILD for
// SPRINGFIELD, the mark of a slip of the fingers. Two real towns a letter
// apart are common (CHINO and CHICO, NEWTON and NEWTOWN); two whose names
// differ by such a swap hardly exist.
bool one_swap_apart(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  std::size_t i = 0;
  while (i < a.size() && a[i] == b[i]) ++i;
  return i + 1 < a.size() && a[i] == b[i + 1] && a[i + 1] == b[i] && a.substr(i + 2) == b.substr(i + 2);
}

// Each premise's reasons once, in order: the answer's own.
void gather_reasons(MatchResult& r) {
  for (const Premise& p : r.premises)
    for (const std::string& why : p.reasons) add_reason(r.reasons, why);
}

FlagKind kind_of(std::string_view k) {
  if (k == "safety") return FlagKind::safety;
  if (k == "sud") return FlagKind::sud;
  return FlagKind::care;
}

// Civic elements take precedence over the text. When both are given and
// name the same house number and street, elements the civic form leaves out
// (often the city) are taken from the text rather than left missing.
std::optional<NormalizedAddress> normalize_query(const AddressQuery& query, const Gazetteer& places) {
  std::optional<NormalizedAddress> civic, text;
  if (!query.civic.empty()) {
    if (auto n = normalize_civic(query.civic)) civic = std::move(*n);
  }
  if (!query.address.empty()) {
    if (auto n = normalize_address(query.address, places)) {
      text = std::move(*n);
    } else if (const auto comma = query.address.find(','); comma != std::string::npos) {
      // "CASEYS, 1900 LINCOLN HWY, LINDALE WI", "MCDONALDS #1234, 800 MAIN
      // ST": a place's name, then the address; read whole it was "not
      // understood". A name has a word in it: "12,12 MAIN ST" is no name
      // before 12 MAIN ST.
      const std::string_view head = std::string_view(query.address).substr(0, comma);
      const auto letter = [](char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; };
      const bool named = std::adjacent_find(head.begin(), head.end(), [&](char a, char b) { return letter(a) && letter(b); }) != head.end();
      if (auto rest = normalize_address(std::string_view(query.address).substr(comma + 1), places);
          named && rest && rest->has_street())
        text = std::move(*rest);
    }
  }
  if (!civic) return text;
  if (text && text->house_number == civic->house_number && text->house_suffix == civic->house_suffix &&
      text->name == civic->name) {
    for (auto field : {&NormalizedAddress::predir, &NormalizedAddress::pretype, &NormalizedAddress::type,
                       &NormalizedAddress::postdir, &NormalizedAddress::city, &NormalizedAddress::state,
                       &NormalizedAddress::zip}) {
      if ((*civic).*field == "") (*civic).*field = (*text).*field;
    }
    if (civic->unit.empty()) {
      civic->unit = text->unit;
      civic->unit_display = text->unit_display;
    }
  }
  return civic;
}

// The other reading of "200 LAKE ST N LINDALE" when NORTH LINDALE and
// LINDALE are both known places: the compass word as the street's
// post-directional and the rest as the city. Only for text with no comma
// (after one, "…, NORTH LINDALE" names the town) and a street without one.
// So is "1020 PINECREST DR NORTH EAST LINDALE" with EAST LINDALE and LINDALE
// both known: the street's NE, or its N and the town EAST LINDALE.
std::optional<NormalizedAddress> postdir_reading(const NormalizedAddress& q, const AddressQuery& query,
                                                 const Gazetteer& places) {
  if (!query.civic.empty() || query.address.find(',') != std::string::npos) return {};
  if (!q.postdir.empty() && q.postdir != "N" && q.postdir != "S") return {};
  const auto space = q.city.find(' ');
  if (space == std::string::npos) return {};
  const auto dir = standard_directional(std::string_view(q.city).substr(0, space));
  const auto rest = places.find_place(std::string_view(q.city).substr(space + 1));
  if (!dir || !rest) return {};
  NormalizedAddress alt = q;
  if (q.postdir.empty()) {
    alt.postdir = *dir;
  } else if (*dir == "E" || *dir == "W") {
    alt.postdir = q.postdir + *dir;
  } else {
    return {};
  }
  alt.city = *rest;
  return alt;
}

// The other way of writing a lone letter at a door, and the reason saying so.
std::optional<std::pair<NormalizedAddress, std::string>> letter_moved(const NormalizedAddress& q) {
  const auto letter = [](const std::string& s) { return s.size() == 1 && s[0] >= 'A' && s[0] <= 'Z'; };
  NormalizedAddress alt = q;
  if (q.house_suffix.empty() && letter(q.unit)) {
    alt.house_suffix = q.unit;
    alt.unit.clear();
    alt.unit_display.clear();
    return std::make_pair(alt, "unit " + q.unit + " read as house number " + q.house_number + q.unit);
  }
  if (q.unit.empty() && letter(q.house_suffix)) {
    alt.house_suffix.clear();
    alt.unit = q.house_suffix;
    alt.unit_display = "# " + q.house_suffix;
    return std::make_pair(alt, "house number " + q.house_number + q.house_suffix + " read as " + q.house_number +
                                   " unit " + q.house_suffix);
  }
  return std::nullopt;
}

// What CAD wrote after a place name's comma ("CASEYS, 1900 LINCOLN HWY,
// LINDALE WI", "CASEYS, LINDALE WI") against the premise the name found:
// a chain's name is shared by stores in many towns, and the name alone
// showed one store's flags as the address of another.
bool rest_contradicts(std::string_view rest, const NormalizedAddress& premise, const Gazetteer& places) {
  if (const auto street = normalize_address(rest, places); street.ok() && street->has_street())
    return compare_addresses(*street, premise).fit == AddressFit::different;
  std::vector<std::string> words;
  std::string word;
  for (const char c : std::string(rest) + " ") {
    if (c == ' ' || c == ',' || c == '.') {
      if (!word.empty()) words.push_back(std::move(word));
      word.clear();
    } else {
      word += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
  }
  const auto differs = [](const std::string& a, const std::string& b) { return !a.empty() && !b.empty() && a != b; };
  if (!words.empty() && words.back().size() >= 5 && std::all_of(words.back().begin(), words.back().begin() + 5, ::isdigit)) {
    if (differs(words.back().substr(0, 5), premise.zip)) return true;
    words.pop_back();
  }
  if (!words.empty()) {
    if (const auto state = standard_state(words.back())) {
      if (differs(*state, premise.state)) return true;
      words.pop_back();
    }
  }
  std::string city;
  for (const std::string& w : words) city += (city.empty() ? "" : " ") + w;
  return differs(places.find_place(city).value_or(city), premise.city);
}

// "17 OAK AVE EAST SPRINGFIELD IL", "17 OAK AVE, E SPRINGFIELD IL": the
// compass word the reading took as the street's post-directional may as
// well be the first word of another town (East Springfield), one the cache
// does not know. The compass word as written, when the text reads so: in
// the street's words, or first after a comma ("…, E SPRINGFIELD"; not
// "… AVE E, SPRINGFIELD", where the comma says whose it is).
std::optional<std::string> compass_before_town(const NormalizedAddress& q, const AddressQuery& query,
                                               const Gazetteer& places) {
  if (!query.civic.empty() || q.postdir.empty() || q.city.empty()) return std::nullopt;
  const std::vector<detail::Words> segments = detail::tokenize_address(query.address);
  for (std::size_t s = 0; s < segments.size(); ++s) {
    const detail::Words& w = segments[s];
    for (std::size_t k = 0; k + 1 < w.size() && (s == 0 || k == 0); ++k) {
      if (standard_directional(w[k]) != q.postdir) continue;
      std::string town;
      for (std::size_t m = k + 1; m < w.size() && m <= k + 3; ++m) {
        town += (town.empty() ? "" : " ") + w[m];
        if (places.find_place(town) == q.city) return w[k];
      }
    }
  }
  return std::nullopt;
}

// The known town that ends the text, before any state and ZIP, as written
// ("... DR S LONG BEACH", "... BLVD EAST WACO TX"), or empty.
std::string known_town_at_end(std::string_view text, const Gazetteer& places) {
  std::vector<detail::Words> segments = detail::tokenize_address(text);
  if (segments.empty()) return {};
  detail::Words& w = segments.back();
  if (!w.empty() && detail::zip_word(w.back())) w.pop_back();
  for (int state = 0; state < 2; ++state) {
    for (std::size_t n = std::min(places.longest_name_words(), w.size()); n >= 1; --n)
      if (auto town = places.find(detail::place_key(w, w.size() - n, w.size()))) return *town;
    if (w.empty() || w.back().size() != 2 || !standard_state(w.back())) break;
    w.pop_back();
  }
  return {};
}

// When nothing fits a reading, the readings of its number and street alone:
// without a town the cache does not know ("77 PINE RD, SHELBYVILLE"), and
// without words that ended up in the street's name: after a type ("77 PINE
// RD RP IN DRIVEWAY" reads as a street named PINE RD RP IN DRIVEWAY), or
// after a name with no type at its end ("7441 COUNTY RD Y RP ON SCENE",
// "200 SPUR 113 RP ON SCENE"). Each with the words it leaves out.
struct NearMiss {
  NormalizedAddress reading;
  std::string left_out;
  std::string type_in_name;  // the names that go on from reading.name with a word of this type
  bool name_prefix = false;  // the names on file that reading.name goes on from, by whole words
  bool route_kind = false;   // the same number on another kind of route
  std::string why{};         // how the reading differs from the text, when it is not only what it leaves out
};
std::vector<NearMiss> near_miss_readings(const NormalizedAddress& q, const Gazetteer& places) {
  std::vector<NearMiss> out;
  NormalizedAddress base = q;
  std::string unknown_town;
  if (!q.city.empty() && !places.find_place(q.city)) {
    unknown_town = q.city;
    base.city.clear();
    out.push_back({base, unknown_town, {}});
  }
  if (q.intersection) return out;
  // "101 E MARKET ST UNIT 17771": a unit's five-digit number at the end,
  // read as a ZIP, leaving the unit without one.
  if (!q.zip.empty() && q.city.empty() && (q.unit == "#" || standard_unit_designator(q.unit) == q.unit)) {
    NearMiss m{base, unknown_town, {}};
    m.reading.unit = q.zip;
    m.reading.unit_display = q.unit_display + " " + q.zip;
    m.reading.zip.clear();
    m.why = q.zip + " read as the unit's number";
    out.push_back(std::move(m));
  }
  const auto with_town = [&](std::string left_out) {
    if (!unknown_town.empty()) left_out += ", " + unknown_town;
    return left_out;
  };
  // "540 MEADOW RIDGE" for the registry's 540 MEADOW RIDGE BLVD: the name's
  // last word read as the street's type, and its own type not given. Every
  // spelling of the type (RIDGE, RDGE, RDG) in one search of the index.
  if (!q.type.empty()) {
    NearMiss m{base, unknown_town, q.type};
    m.reading.type.clear();
    out.push_back(std::move(m));
  }
  std::vector<std::string> words;
  for (std::size_t from = 0; from <= q.name.size();) {
    const std::size_t space = std::min(q.name.find(' ', from), q.name.size());
    words.push_back(q.name.substr(from, space - from));
    from = space + 1;
  }
  // A name reads ST before its last word as SAINT: as a type it is ST.
  const auto type_word = [](const std::string& w) {
    return w == "SAINT" ? std::optional<std::string>("ST") : standard_suffix(w);
  };
  // The reading is done with the name's words from k on left out, a
  // directional first among them taken as the street's ("W SIDE PL SW RP ON
  // SCENE"), and the query's own type and unknown town left out after them.
  const auto leave_out_from = [&](NearMiss m, std::size_t k) {
    if (const auto dir = k < words.size() && m.reading.postdir.empty() ? standard_directional(words[k]) : std::nullopt) {
      m.reading.postdir = *dir;
      ++k;
    }
    for (; k < words.size(); ++k) m.left_out += (m.left_out.empty() ? "" : " ") + words[k];
    if (!q.type.empty()) m.left_out += (m.left_out.empty() ? "" : " ") + q.type;
    m.left_out = with_town(std::move(m.left_out));
    out.push_back(std::move(m));
  };
  // A type inside the name ends the street: "PINE RD" of PINE RD RP IN
  // DRIVEWAY, "BIRCHWOOD PARK DR" of BIRCHWOOD PARK DR S CHERRY HL (a
  // compass word before a town is not read as the town's).
  std::string name;
  for (std::size_t j = 1; j + 1 < words.size(); ++j) {
    name += (name.empty() ? "" : " ") + words[j - 1];
    const auto type = type_word(words[j]);
    if (!type) continue;
    NearMiss m{base, {}, {}};
    m.reading.name = name;
    m.reading.type = *type;
    leave_out_from(std::move(m), j + 1);
  }
  // A directional that is the street's name: "4222 N WAY RP ON SCENE" for
  // 4222 NORTH WAY, "641 S ST NW" for 641 SOUTH ST NW, "306 N AVE NW" (read
  // as the avenue named NW) for 306 NORTH AVE NW; and the other way round,
  // "1255 WEST NORTH AVE" for 1255 W NORTH AVE.
  const bool typed_first = !q.pretype.empty() && !detail::is_route_pretype(q.pretype);
  if (const auto type = q.predir.empty() ? std::nullopt
                        : typed_first    ? std::optional<std::string>(q.pretype)
                        : q.pretype.empty() ? type_word(words[0])
                                            : std::nullopt) {
    NearMiss m{base, {}, {}};
    m.reading.predir.clear();
    m.reading.pretype.clear();
    m.reading.name = detail::spelled_out_directional(q.predir);
    m.reading.type = *type;
    m.why = q.predir + " read as the street's name " + m.reading.name;
    leave_out_from(std::move(m), typed_first ? 0 : 1);
  }
  if (const auto dir = q.predir.empty() && words.size() >= 2 && words[0].size() > 2 ? standard_directional(words[0])
                                                                                      : std::nullopt) {
    NearMiss m{base, unknown_town, {}};
    m.reading.predir = *dir;
    m.reading.name = q.name.substr(words[0].size() + 1);
    m.why = words[0] + " read as the directional " + *dir;
    out.push_back(std::move(m));
  }
  if (q.type.empty() && words.size() >= 2) {
    out.push_back({base, with_town({}), {}, true});
    // "200 SPUR 113 RP ON SCENE": read alone, SPUR 113 is the type SPUR
    // before the name 113; with words after the number it was a name.
    if (const auto type = q.pretype.empty() && words.size() >= 3 ? standard_suffix(words[0]) : std::nullopt) {
      NearMiss m{base, with_town({}), {}, true};
      m.reading.pretype = *type;
      m.reading.name = q.name.substr(words[0].size() + 1);
      out.push_back(std::move(m));
    }
  }
  // "254 ROUTE 202" for the registry's 254 US HWY 202, and the other way
  // round: a route's number with its kind left out on one side.
  if (detail::is_route_pretype(q.pretype)) {
    NearMiss m{base, unknown_town, {}};
    m.route_kind = true;
    out.push_back(std::move(m));
  }
  return out;
}

// Each id once, in order: how a question lists the premises it names.
std::vector<std::string> each_once(std::vector<std::string> ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

// Takes none of `ids`: asks about each of them instead.
AddressDecision asking_about(std::vector<std::string> ids) {
  AddressDecision d;
  d.ambiguous_candidates = each_once(std::move(ids));
  return d;
}

std::vector<std::string> decided_ids(const AddressDecision& d) {
  std::vector<std::string> ids = d.premise_ids;
  ids.insert(ids.end(), d.other_units.begin(), d.other_units.end());
  ids.insert(ids.end(), d.ambiguous_candidates.begin(), d.ambiguous_candidates.end());
  return ids;
}

// "; flagged premise on file: 77 PINE RD, SPRINGFIELD IL": what a question
// names, after why it is asked.
std::string premises_on_file(const std::vector<std::string>& ids, const std::map<std::string, Premise>& by_id) {
  std::string out = "; flagged premise on file:";
  for (const std::string& id : ids) out += (id == ids.front() ? " " : "; ") + by_id.at(id).address;
  return out;
}

// The premises a reading could name, from the street index: its house
// number and name (or a range of names from a.name up to name_to), checked
// against the rest of it in place. Every premise met is kept by id for the
// answer (display, location, unit), with whether it has a directional.
// read_cached(sql) is the reader's prepared statement for sql.
template <class ReadCached>
class CandidateSearch {
 public:
  explicit CandidateSearch(ReadCached read_cached) : read_cached_(std::move(read_cached)) {}

  // With any_route_kind, a route of any kind fits a's number.
  std::vector<Candidate> operator()(const NormalizedAddress& a, const std::string& name_to = {},
                                    bool any_route_kind = false) {
    std::vector<Candidate> found;
    StatementLease cand(read_cached_(name_to.empty() ? kCandidates : kCandidatesNamed));
    if (!name_to.empty()) cand->bind_static(3, name_to);
    cand->bind_static(1, a.house_number).bind_static(2, a.name);
    while (cand->step()) {
      if (!could_fit(*cand, a, any_route_kind)) continue;
      Premise p = read_premise(*cand);
      found.push_back({p.id, premise_address(*cand, 4)});
      const NormalizedAddress& at = found.back().address;
      if (at.predir.empty() && at.postdir.empty()) undirected.insert(p.id);
      p.unit_display = at.unit_display;
      by_id[p.id] = std::move(p);
    }
    return found;
  }

  std::map<std::string, Premise> by_id;
  std::set<std::string> undirected;  // premises with no directional of their own

 private:
  ReadCached read_cached_;
};

// What to ask when no reading of the text fits, yet its number and street
// are on file in a town the cache does not know, or before words it could
// not read: taken as that premise it could be another town's; left silent,
// no panel would read as no flags. The premises to name and why.
struct Question {
  std::vector<std::string> ids;
  std::string why;
};
template <class Search>
std::optional<Question> ask_near_miss(const NormalizedAddress& q, const AddressQuery& query, const Gazetteer& places,
                                      Search& candidates_of) {
  // A known town at the end of the text is the town meant, even where the
  // reading could not take it ("546 5TH AVE S LONG BEACH": South Long
  // Beach?): another town's premise is not asked about.
  std::optional<std::string> town;  // read once, and only when a reading finds candidates
  for (NearMiss& m : near_miss_readings(q, places)) {
    std::string why = m.why;
    std::vector<Candidate> near;
    // The one name a range of names leaves, the longest: the reading's.
    const auto one_name = [&] {
      const auto longest = std::max_element(near.begin(), near.end(), [](const Candidate& a, const Candidate& b) {
        return a.address.name.size() < b.address.name.size();
      });
      m.reading.name = longest->address.name;
      std::erase_if(near, [&](const Candidate& c) { return c.address.name != m.reading.name; });
    };
    if (!m.type_in_name.empty()) {
      // Names that go on from the query's by one word of its type.
      const std::string from = m.reading.name + " ";
      near = candidates_of(m.reading, from + "~");
      std::erase_if(near, [&](const Candidate& c) {
        if (!c.address.name.starts_with(from)) return true;
        const std::string_view word = std::string_view(c.address.name).substr(from.size());
        return word.find(' ') != std::string_view::npos || standard_suffix(word) != m.type_in_name;
      });
      if (near.empty()) continue;
      one_name();
      why = m.reading.name.substr(from.size()) + " read as part of the street's name";
    } else if (m.name_prefix) {
      // Names the query's goes on from, by whole words: from its first
      // word up to the whole name.
      const std::string whole = m.reading.name;
      NormalizedAddress first = m.reading;
      first.name = whole.substr(0, whole.find(' '));
      near = candidates_of(first, whole);
      std::erase_if(near, [&](const Candidate& c) {
        return !whole.starts_with(c.address.name) || whole[c.address.name.size()] != ' ';
      });
      if (near.empty()) continue;
      one_name();
      m.left_out = whole.substr(m.reading.name.size() + 1) + m.left_out;
    } else if (m.route_kind) {
      // Only a route the query's kind leaves open: the plain HWY (or
      // ROUTE) on one side, a kind of its own on the other.
      near = candidates_of(m.reading, {}, true);
      std::erase_if(near, [&](const Candidate& c) {
        return c.address.pretype == q.pretype || (q.pretype != "HWY" && c.address.pretype != "HWY");
      });
      if (near.empty()) continue;
      m.reading.pretype = near.front().address.pretype;
      std::erase_if(near, [&](const Candidate& c) { return c.address.pretype != m.reading.pretype; });
      why = q.pretype + " " + q.name + " could be " + m.reading.pretype + " " + q.name;
    } else {
      near = candidates_of(m.reading);
    }
    if (near.empty()) continue;
    if (!town) town = known_town_at_end(query.address, places);
    if (!town->empty())
      std::erase_if(near, [&](const Candidate& c) { return !c.address.city.empty() && c.address.city != *town; });
    std::vector<std::string> ids = each_once(decided_ids(decide_match(m.reading, near)));
    if (ids.empty()) continue;
    if (!m.left_out.empty()) why += (why.empty() ? "\"" : ", \"") + m.left_out + "\" not understood";
    why += premises_on_file(ids, candidates_of.by_id);
    return Question{std::move(ids), std::move(why)};
  }
  return std::nullopt;
}

}  // namespace

MatchResult Cache::match(const AddressQuery& query, const MatchOptions& options) {
  MatchResult r;
  if (!impl_) {
    r.unavailable_reason = "cache is not open";
    return r;
  }
  Impl& im = *impl_;
  try {
    std::lock_guard lock(im.read_mu);
    const int64_t now = now_unix();
    // One read transaction for every query of the lookup: the answer comes
    // from one registry version even if an import commits meanwhile, and the
    // WAL read lock is taken once instead of once per statement.
    Cache::Impl::ReadTransaction snapshot(im);

    // Freshness first: it decides what "no flags" is allowed to mean.
    if (auto last = im.read_last_sync()) {
      r.age_s = now - *last;
      r.freshness = *r.age_s > static_cast<int64_t>(im.options.max_age_h) * 3600 ? Freshness::stale : Freshness::fresh;
      // Found from outside: with the clock 200 days behind, the age was
      // negative and read as fresh, so a cache never went stale.
      if (*r.age_s < -kClockBehindSlackS) {
        r.freshness = Freshness::stale;
        r.stale_reason = std::string(kClockBehindWords);
        r.age_s.reset();
      }
    } else {
      r.freshness = Freshness::unavailable;
      const std::string moved = im.recovered();
      r.unavailable_reason = moved.empty() ? "the cache holds no complete registry snapshot yet"
                                           : "the cache file was corrupt and was moved to " + moved +
                                                 "; no registry sync since";
    }

    if (im.places_deferred) {
      im.load_places(im.reader);
      im.places_deferred = false;
    }
    const std::shared_ptr<const Gazetteer> places = im.current_places();
    std::optional<NormalizedAddress> q = normalize_query(query, *places);
    // Premise text is normalized as written, without the places the cache
    // learns from premises: "400 E ADAMS ST SPRINGFIELD" in the registry is
    // stored as the literal reading (street ADAMS SAINT SPRINGFIELD), while
    // the same text from CAD reads as Adams St in Springfield. When the
    // query's reading finds nothing, the literal reading of the same text is
    // tried too: equal text, equal form.
    if (q) r.normalized_address = q->display();
    // A text that is no address may still be a place name; counted below if not.
    const bool unparsed = !q && (!query.address.empty() || !query.civic.empty());

    // A corner names no premise by text: coordinates may still find one nearby.
    if (q && !q->intersection) {
      CandidateSearch candidates_of([&im](const std::string& sql) -> Stmt& { return im.read_cached(sql); });
      std::map<std::string, Premise>& by_id = candidates_of.by_id;
      std::vector<Candidate> candidates = candidates_of(*q);
      // Read again only when needed: lookups that find their premise (most
      // of them) normalize once.
      if (candidates.empty() && !query.address.empty() && query.civic.empty()) {
        static const Gazetteer kNoPlaces;
        const std::optional<NormalizedAddress> literal = normalize_query(query, kNoPlaces);
        if (literal && *literal != *q && !literal->intersection) {
          candidates = candidates_of(*literal);
          // Read literally, a known town after a unit ("40 OAK AVE APT 2
          // LINDALE") went into the unit and the reading named no town:
          // another town's 40 Oak Ave fitted it. Literal readings are for
          // premises stored with the town in the street; one stored with a
          // town of its own is not taken for another town's text.
          if (!q->city.empty())
            std::erase_if(candidates,
                          [&](const Candidate& c) { return !c.address.city.empty() && c.address.city != q->city; });
          if (!candidates.empty()) {
            q = literal;
            r.normalized_address = q->display();
          }
        }
      }
      // A city the cache does not know, a letter from one it does
      // ("SPRINGFEILD"; two in a name of nine or more letters): a
      // misspelling, taken for that place but never as exact, and said,
      // where CAD's point confirms it (see below). A city farther from every
      // known one stays a different place, and so does one with a word more
      // or less ("W SPRINGFIELD").
      // The reason when the text was read other than as written.
      std::string read_as;
      std::string respelled_from;  // the city as written, when read as a known one
      std::string as_written;      // and the whole reading as written then
      // Premises that two equally near towns would each find ("MORLOW":
      // MARLOW and MERLOW): never one of them.
      std::vector<std::string> towns_apart;
      if (candidates.empty() && !q->city.empty() && !places->find_place(q->city)) {
        const auto words = [](std::string_view s) { return std::count(s.begin(), s.end(), ' '); };
        std::vector<std::string> found_in;
        std::optional<NormalizedAddress> first;
        std::vector<Candidate> first_candidates;
        for (const std::string& near : places->closest_places(q->city, q->city.size() >= 9 ? 2 : 1)) {
          if (words(near) != words(q->city)) continue;
          NormalizedAddress respelled = *q;
          respelled.city = near;
          candidates = candidates_of(respelled);
          if (candidates.empty()) continue;
          found_in.push_back(near);
          const std::vector<std::string> ids = decided_ids(decide_match(respelled, candidates));
          towns_apart.insert(towns_apart.end(), ids.begin(), ids.end());
          if (!first) {
            first = respelled;
            first_candidates = candidates;
          }
          candidates.clear();
        }
        if (found_in.size() == 1) {
          read_as = "city " + q->city + " read as " + found_in[0];
          respelled_from = q->city;
          as_written = r.normalized_address;
          candidates = std::move(first_candidates);
          q = first;
          r.normalized_address = q->display();
          towns_apart.clear();
        } else if (found_in.size() > 1) {
          read_as = "city " + q->city + " could be " + found_in[0] + " or " + found_in[1];
        }
      }
      // "14 BIRCH LN APT A" for the registry's 14A BIRCH LN, "30B ELM ST"
      // for its 30 ELM ST APT B: the same letter written as the unit or as
      // the house number's suffix. Taken, never as exact, and said.
      if (candidates.empty() && towns_apart.empty()) {
        if (const auto moved = letter_moved(*q)) {
          candidates = candidates_of(moved->first);
          if (!candidates.empty()) {
            read_as = moved->second;
            q = moved->first;
            r.normalized_address = q->display();
          }
        }
      }
      AddressDecision d = decide_match(*q, candidates);
      if (!towns_apart.empty()) {
        d = asking_about(std::move(towns_apart));
      }
      // Remarks after the town and state: the text up to them, when read
      // whole it chose no premise (found none, or several without a town).
      const auto decided = [](const AddressDecision& x) { return x.level != AddressMatchLevel::none; };
      bool known_town_before_note = false;  // then no premise there is the answer
      if (read_as.empty() && !decided(d) && query.civic.empty()) {
        if (const auto cut = split_trailing_note(query.address, *places)) {
          if (auto before = normalize_address(cut->address, *places); before.ok() && !before->intersection) {
            known_town_before_note = !before->city.empty();
            const AddressDecision d_cut = decide_match(*before, candidates_of(*before));
            if (decided(d_cut) || (d.ambiguous_candidates.empty() && !d_cut.ambiguous_candidates.empty())) {
              read_as = "\"" + cut->note + "\" after the town read as a note";
              q = std::move(*before);
              r.normalized_address = q->display();
              d = d_cut;
            }
          }
        }
      }
      // Both readings of a compass word before a known town finding a
      // premise: never choose between them.
      if (const auto alt = read_as.empty() ? postdir_reading(*q, query, *places) : std::nullopt) {
        const AddressDecision d_alt = decide_match(*alt, candidates_of(*alt));
        const auto found = [](const AddressDecision& x) {
          return x.level != AddressMatchLevel::none || !x.ambiguous_candidates.empty();
        };
        if (found(d) && found(d_alt)) {
          std::vector<std::string> ids = decided_ids(d), more = decided_ids(d_alt);
          ids.insert(ids.end(), more.begin(), more.end());
          d = asking_about(std::move(ids));
        } else if (found(d_alt)) {
          q = alt;
          r.normalized_address = q->display();
          d = d_alt;
        }
      }
      // "88 QUARRY RD E SPRINGFIELD IL", "1208 N MAPLE ST W SPRINGFIELD IL":
      // with no comma, the compass word the reading took as the street's may
      // be the first word of another town (East Springfield) the cache does
      // not know. A premise that fits only without the word may be in that
      // town: it is asked about, never taken (one with that post-directional
      // still is). Left out, it was silent.
      std::string near_miss;
      if (const auto word = compass_before_town(*q, query, *places); word && d.ambiguous_candidates.empty()) {
        std::vector<std::string> without_word;
        if (decided(d)) {
          // Taken only by the directional they lack. Other units share the
          // chosen premise's street: when it goes, they go with it.
          const auto lacks = [&](const std::string& id) { return candidates_of.undirected.contains(id); };
          for (const std::string& id : decided_ids(d))
            if (lacks(id)) without_word.push_back(id);
          std::erase_if(d.premise_ids, lacks);
          std::erase_if(d.other_units, lacks);
          if (d.premise_ids.empty()) d = AddressDecision{};
        } else {
          NormalizedAddress without = *q;
          without.postdir.clear();
          without_word = decided_ids(decide_match(without, candidates_of(without)));
        }
        without_word = each_once(std::move(without_word));
        if (!without_word.empty()) {
          const std::string why = *word + " before " + q->city + " may name another town: " + *word + " " + q->city;
          if (decided(d)) {
            r.reasons.push_back(why);
          } else {
            near_miss = why + premises_on_file(without_word, by_id);
            d = asking_about(std::move(without_word));
          }
        }
      }
      // Nothing fits, yet the number and street may be on file: asked.
      if (!decided(d) && d.ambiguous_candidates.empty() && read_as.empty() && r.reasons.empty() &&
          query.civic.empty() && !known_town_before_note) {
        if (auto asked = ask_near_miss(*q, query, *places, candidates_of)) {
          near_miss = std::move(asked->why);
          d = asking_about(std::move(asked->ids));
        }
      }
      // A real town a letter from a known one (CHINO, CHICO) has its own
      // 88 MAIN ST: read as the known town, the call was shown that town's
      // premise and its flags. CAD's point at the premise confirms the
      // misspelling, and so do two letters swapped unless the point is
      // elsewhere; otherwise the premise is asked about, the text as written.
      if (!respelled_from.empty() && decided(d) && d.ambiguous_candidates.empty()) {
        std::vector<std::string> ids = each_once(decided_ids(d));
        const PointSays point = point_says(ids, by_id, query, options.max_text_geo_gap_m);
        if (!point.at_premises && (point.elsewhere || !one_swap_apart(respelled_from, q->city))) {
          near_miss = respelled_from + " may be a town of its own (" +
                      (point.elsewhere ? "the CAD location is not at the premise" : point.why_silent) + ")" +
                      premises_on_file(ids, by_id);
          read_as = "city " + respelled_from + " could be " + q->city;
          r.normalized_address = as_written;
          d = asking_about(std::move(ids));
        }
      }
      if (!d.ambiguous_candidates.empty()) {
        // Several buildings fit: say so and show nothing rather than guess.
        r.level = MatchLevel::none;
        r.ambiguous_candidates = d.ambiguous_candidates;
        r.reasons.push_back(!near_miss.empty() ? near_miss
                                               : "address fits " + std::to_string(d.ambiguous_candidates.size()) +
                                                     " flagged premises");
        if (!read_as.empty()) r.reasons.push_back(read_as);
        return r;
      }
      if (d.level != AddressMatchLevel::none) {
        r.level = d.level == AddressMatchLevel::exact && read_as.empty() ? MatchLevel::exact : MatchLevel::building;
        const auto take = [&](const std::string& id, MatchLevel level) {
          Premise& p = r.premises.emplace_back(std::move(by_id.at(id)));
          p.level = level;
          if (!read_as.empty()) p.reasons.push_back(read_as);
          if (auto why = d.reasons.find(id); why != d.reasons.end())
            p.reasons.insert(p.reasons.end(), why->second.begin(), why->second.end());
        };
        for (const std::string& id : d.premise_ids) take(id, r.level);
        for (const std::string& id : d.other_units) take(id, MatchLevel::building);
      }
    }

    // A common place name ("SPRINGFIELD HIGH SCHOOL, SPRINGFIELD IL"): the
    // whole text, or what comes before its first comma. A name two premises
    // share is never taken for either of them.
    if (r.level == MatchLevel::none && !query.address.empty()) {
      Cache::Impl::Lease named(im.read_cached(kAlias));
      const std::string whole = alias_key(query.address);
      const auto comma = query.address.find(',');
      const std::string head = comma == std::string::npos ? std::string() : alias_key(query.address.substr(0, comma));
      for (const std::string* key : {&whole, &head}) {
        if (key->empty() || !r.premises.empty()) continue;
        named->bind(1, *key);
        while (named->step()) {
          const NormalizedAddress at = premise_address(*named, 4);
          if (key == &head && rest_contradicts(std::string_view(query.address).substr(comma + 1), at, *places))
            continue;
          Premise p = read_premise(*named);
          p.unit_display = at.unit_display;
          r.premises.push_back(std::move(p));
        }
        named->reset();
      }
      if (r.premises.size() > 1) {
        const std::string shared = "place name shared by " + std::to_string(r.premises.size()) + " premises";
        // CAD's point may tell them apart: when exactly one lies within the
        // gap, it is shown, below exact and saying why. Otherwise ask.
        if (const Premise* near = only_one_near(r.premises, query, options.max_text_geo_gap_m)) {
          Premise chosen = *near;
          chosen.level = MatchLevel::building;
          chosen.reasons = {shared, "the one near the CAD location"};
          r.premises = {std::move(chosen)};
          r.level = MatchLevel::building;
        } else {
          r.ambiguous_candidates.reserve(r.premises.size());
          for (const Premise& p : r.premises) r.ambiguous_candidates.push_back(p.id);
          r.reasons.push_back(shared);
          r.premises.clear();
          return r;
        }
      } else if (!r.premises.empty()) {
        r.level = MatchLevel::exact;
      }
    }
    if (unparsed && r.premises.empty()) ++im.unparsed_queries;
    cross_check_geo(r, query, options.max_text_geo_gap_m);

    if (r.level == MatchLevel::none && has_cad_point(query) && options.nearby_radius_m > 0) {
      const double lat = *query.lat, lon = *query.lon, radius = options.nearby_radius_m;
      // Bounding box from the R*Tree, then the exact great-circle distance.
      const double dlat = radius / 111320.0;
      const double dlon = radius / (111320.0 * std::max(0.01, std::cos(lat * 3.14159265358979323846 / 180.0)));
      Cache::Impl::Lease near(im.read_cached(kNearby));
      near->bind(1, lat + dlat).bind(2, lat - dlat).bind(3, lon + dlon).bind(4, lon - dlon);
      while (near->step()) {
        Premise p = read_premise(*near);
        if (!p.lat) continue;
        const double d = distance_m(lat, lon, *p.lat, *p.lon);
        if (d > radius) continue;
        p.distance_m = d;
        p.level = MatchLevel::nearby;
        p.reasons.emplace_back("near the CAD location, no address match");
        r.premises.push_back(p);
      }
      std::sort(r.premises.begin(), r.premises.end(),
                [](const Premise& a, const Premise& b) { return *a.distance_m < *b.distance_m; });
      if (!r.premises.empty()) r.level = MatchLevel::nearby;
    }
    gather_reasons(r);
    const bool has_point = has_cad_point(query);
    if (unparsed && r.premises.empty()) {
      r.unparsed = true;
      r.reasons.emplace_back("address not understood");
    } else if (q && q->intersection && r.premises.empty() && !has_point) {
      // A corner names no door, and with no point from CAD nothing near it
      // was looked for: its flags were not checked, which is not "no flags".
      r.unparsed = r.corner = true;
      r.reasons.emplace_back("a corner, and no location to look near");
    } else if (!q && query.address.empty() && query.civic.empty() && !has_point) {
      r.unparsed = true;
      r.reasons.emplace_back("no address given");
    }
    if (r.premises.empty()) return r;

    if (im.dates.day != now / 86400 || im.dates.revalidate_days != options.revalidate_days)
      im.dates = {now / 86400, options.revalidate_days, iso_date_utc(now), revalidate_cutoff(now, options.revalidate_days)};
    const std::string& today = im.dates.today;
    const std::string& cutoff = im.dates.cutoff;
    const int64_t history_from = now - static_cast<int64_t>(options.history_lookback_days) * 86400;
    std::set<std::string> subject_ids;
    std::vector<std::pair<int64_t, HistoryEntry>> history;  // (time, entry)
    Cache::Impl::Lease rows(im.read_cached(kPremiseRows));
    std::string aad;
    // Rows are read in place (text_view) and copied only into what is kept:
    // handling the rows is about a quarter of a lookup.
    r.flags.reserve(4);
    history.reserve(8);
    for (const Premise& p : r.premises) {
      rows->bind(1, p.id);
      while (rows->step()) {
        if (rows->integer(0) == 0) {
          Flag f;
          f.expires = rows->text(7);
          f.validated = rows->text(8);
          if (flag_hidden(f.expires, f.validated, today, cutoff)) continue;
          f.id = rows->text(1);
          f.subject_id = rows->text(2);
          f.premise_id = p.id;
          const std::string_view kind = rows->text_view(3);
          f.kind = kind_of(kind);
          f.code = rows->text(4);
          f.audience = rows->text_view(6) == "all" ? Audience::all : Audience::clinician;
          const VocabularyEntry* v = find_code(f.code);
          if (v && v->kind == "sud") {
            // A substance-use treatment code is a 42 CFR Part 2 record
            // whatever kind the registry filed it under (a cache imported
            // before the import enforced it may still hold it so).
            f.kind = FlagKind::sud;
            f.audience = Audience::clinician;
          }
          f.display_name = display_name(f.code, kind);
          f.severity = v ? v->severity : default_severity(kind);
          // An unreadable note still leaves the flag itself on the panel.
          flag_note_aad(aad, f.id);
          f.note = im.open_sealed(rows->blob_view(5), aad).value_or("[note unreadable]");
          if (!f.subject_id.empty()) subject_ids.insert(f.subject_id);
          r.flags.push_back(std::move(f));
          continue;
        }
        const std::string_view at_text = rows->text_view(9);
        const auto at = parse_rfc3339(at_text);
        if (!at || *at < history_from) continue;
        HistoryEntry h;
        h.at = at_text;
        h.premise_id = p.id;
        h.incident = rows->text(1);
        history_aad(aad, p.id, h.incident);
        const auto detail = im.open_sealed(rows->blob_view(10), aad);
        auto parts = detail ? decode_history_detail(*detail) : std::nullopt;
        h.call_type = parts ? std::move(parts->first) : "[unreadable]";
        h.disposition = parts ? std::move(parts->second) : "[unreadable]";
        history.emplace_back(*at, std::move(h));
      }
      rows->reset();
    }
    std::sort(r.flags.begin(), r.flags.end(), [](const Flag& a, const Flag& b) {
      return a.severity != b.severity ? a.severity > b.severity : a.id < b.id;
    });
    // Newest first; equal times keep the order they were read in.
    const auto newer = [](const auto& a, const auto& b) { return a.first > b.first; };
    if (!std::is_sorted(history.begin(), history.end(), newer)) std::stable_sort(history.begin(), history.end(), newer);
    r.history.reserve(history.size());
    for (auto& [at, h] : history) r.history.push_back(std::move(h));
    Cache::Impl::Lease sq(im.read_cached(kSubject));
    for (const std::string& id : subject_ids) {
      sq->bind(1, id);
      if (sq->step()) {
        Subject s;
        s.id = id;
        subject_name_aad(aad, id);
        s.name = im.open_sealed(sq->blob_view(0), aad).value_or("[unreadable]");
        subject_born_aad(aad, id);
        s.born = im.open_sealed(sq->blob_view(1), aad).value_or("");
        r.subjects.push_back(std::move(s));
      }
      sq->reset();
    }
    return r;
  } catch (const std::exception& e) {
    MatchResult failed;
    failed.freshness = Freshness::unavailable;
    failed.unavailable_reason = std::string("flag cache error: ") + e.what();
    failed.normalized_address = r.normalized_address;
    return failed;
  } catch (...) {
    MatchResult failed;
    failed.unavailable_reason = "flag cache error";
    return failed;
  }
}

}  // namespace mdtc::cache
