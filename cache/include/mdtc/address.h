// Address normalization and matching for the flag cache, after USPS
// Publication 28 (street suffixes, directionals, secondary unit designators).
// Everything here is pure: values in, values out, no I/O, so it can be unit
// tested with plain strings and fuzzed alone.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "mdtc/civic_address.h"
#include "mdtc/geo.h"
#include "mdtc/result.h"

namespace mdtc::cache {

// The version of the normalization rules below. Raise it whenever a change
// would give some stored premise another canonical form: a cache records the
// version its premises were normalized with at each snapshot, and while that
// differs it asks the registry for a snapshot before any delta
// (Cache::wants_snapshot), so a premise stored in the old form cannot go on
// missing queries written the new way. 1 = every cache that did not record it.
inline constexpr int kAddressRulesVersion = 10;

// The canonical form both registry premises and CAD queries are reduced to.
// Empty string = element absent.
struct NormalizedAddress {
  std::string house_number;   // "1208" (leading zeros dropped)
  std::string house_suffix;   // "1/2", "A"
  std::string predir;         // "N", "NE" ...
  std::string pretype;        // "AVE" in "AVENUE B", "HWY" in "HIGHWAY 66"
  std::string name;           // "MAPLE", "1ST", "SAINT PAUL", "MOUNT VERNON"
  std::string type;           // Pub 28 standard suffix: "ST", "AVE", "BLVD"
  std::string postdir;        // "SW"
  std::string unit;           // unit key: identifiers only ("3B"); BLDG/FL keep their designator
  std::string unit_display;   // "APT 3B", "# 3B", "BLDG 2 APT 4"
  std::string city, state, zip;
  // A corner, not a house: "MAPLE ST / OAK AVE", "MAPLE & OAK", "MAPLE ST AT
  // OAK AVE". The first street is in predir..postdir with no house number
  // (so compare_addresses never calls it the same place as a premise); the
  // other is cross_street, in its street_line() form ("OAK AVE").
  bool intersection = false;
  std::string cross_street;

  bool has_street() const { return !house_number.empty() && !name.empty(); }
  bool operator==(const NormalizedAddress&) const = default;
  // "1208 1/2 N MAPLE ST APT 3B, SPRINGFIELD IL 62701"
  std::string display() const;
  // "1208 N MAPLE ST" (no unit, no city)
  std::string street_line() const;
};

// The places (cities, communities) a cache knows, and the other names CAD
// uses for them (MSAG community names, abbreviations). With it,
// normalize_address finds a trailing place that has no comma or state before
// it: "17 OAK AVE SPRINGFIELD". Spellings of one place agree ("E ST LOUIS" =
// "EAST SAINT LOUIS"); what is found is answered in the spelling of the
// place as added, which is how premises carry it.
class Gazetteer {
 public:
  void add_place(std::string_view name);  // "SPRINGFIELD", "SALT LAKE CITY"
  // "SPFLD" names "SPRINGFIELD". A place added with add_place keeps its own
  // name even when an alias is spelled the same.
  void add_alias(std::string_view alias, std::string_view place);
  // The place named by `name` in any of its spellings, or std::nullopt.
  std::optional<std::string> find_place(std::string_view name) const;
  // Same, for a key the normalizer already made (internal).
  std::optional<std::string> find(std::string_view key) const;
  // Whether premises carry the place named by `name` in any of its
  // spellings (an alias does not count).
  bool has_place(std::string_view name) const;
  // The places carried by premises spelled most like `name` (at most
  // `max_edits` letters apart, and never more than a third of the name), in
  // the places' own spelling: every one equally near ("MORLOW": MARLOW and
  // MERLOW), in spelling order; none when none is close.
  std::vector<std::string> closest_places(std::string_view name, std::size_t max_edits = 2) const;
  // The first of those, or std::nullopt.
  std::optional<std::string> closest_place(std::string_view name, std::size_t max_edits = 2) const;
  std::size_t longest_name_words() const { return longest_; }
  bool empty() const { return places_.empty() && aliases_.empty(); }
  bool carries_places() const { return !places_.empty(); }  // added with add_place
  std::size_t size() const { return places_.size() + aliases_.size(); }

 private:
  struct Alias {
    std::string key, spelling;
  };
  std::unordered_map<std::string, std::string> places_;  // key -> spelling
  std::unordered_map<std::string, Alias> aliases_;        // key -> the place it names
  std::size_t longest_ = 0;                               // words in the longest name
};

// A place alias (config cache.place_aliases) whose place no premise carries:
// "SPFLD = SPRINGFEILD". An alias reads CAD's text as that place, so every
// address written with it looks for premises in a place that has none and
// finds nothing. `closest` is the known place spelled most like it, if any.
struct AliasWithoutPlace {
  std::string alias, place, closest;
};

// The aliases whose place `places` does not carry, in the order given.
// Empty when `places` carries no place at all (nothing to compare with yet).
std::vector<AliasWithoutPlace> aliases_without_place(
    const std::vector<std::pair<std::string, std::string>>& aliases, const Gazetteer& places);

// What an admin reads about it (doctor, the plugin's log): "cache.place_aliases:
// SPFLD = SPRINGFEILD: no premise in the cache is in SPRINGFEILD, so every CAD
// address written with SPFLD finds nothing; did you mean SPRINGFIELD?"
std::string alias_without_place_text(const AliasWithoutPlace& a);

// Whose text is read. CAD's text that names no single door (a block, a
// range or two house numbers, house number 0 or of over 6 digits, a number
// with no street after it) is an error, so the lookup says its flags were
// not checked. A registry's premise text is read as it always was: a
// premise is a door on file, and one such line must never refuse a whole
// registry file (every car would stop taking updates).
enum class AddressSource { cad, registry };

// Free text in any common spelling: "1208 n. maple street #3b, Springfield IL".
// Errors: address.empty, address.too_long, address.no_house_number,
// address.no_street_name, address.not_one_address (CAD's text only).
Result<NormalizedAddress> normalize_address(std::string_view text, AddressSource source = AddressSource::cad);
// The same, knowing the places: a trailing known place is the city even
// without a comma or state (longest name first; never when taking it would
// leave no street name, so "17 SPRINGFIELD AVE" stays a street), and a
// city given in an alias spelling is answered in the place's own.
Result<NormalizedAddress> normalize_address(std::string_view text, const Gazetteer& places,
                                            AddressSource source = AddressSource::cad);

// "17 OAK AVE SPRINGFIELD IL CALLER ADVISES DOG", "1208 N MAPLE ST,
// SPRINGFIELD, CALLER ON SCENE": CAD's remarks running on after the town
// read as part of the street, the unit or the town. The text up to a known
// place and its state (and ZIP), or up to a known place written between
// commas, and the words after it, when there are both (a house number and a
// street word at least before the place). A known place with more words
// after it and no state or comma to end it is not cut: "SPRINGFIELD
// GARDENS" may be another town.
struct TrailingNote {
  std::string address;  // the text up to the state, ZIP or town, as written
  std::string note;     // what follows, without the separators before it
};
std::optional<TrailingNote> split_trailing_note(std::string_view text, const Gazetteer& places);

// CLDXF civic elements (as CAD and the registry send them).
Result<NormalizedAddress> normalize_civic(const CivicAddress& civic);

// Pub 28 lookups, exposed for tests and the docs: std::nullopt when the word
// is not in the table.
std::optional<std::string> standard_suffix(std::string_view word);       // "STREET" -> "ST"
std::optional<std::string> standard_directional(std::string_view word);  // "NORTHEAST" -> "NE"
std::optional<std::string> standard_unit_designator(std::string_view word);  // "APARTMENT" -> "APT"
std::optional<std::string> standard_state(std::string_view word);        // "ILLINOIS" -> "IL"

// --- Matching -------------------------------------------------------------

enum class AddressFit {
  exact,       // same building, same unit (both may be absent)
  building,    // same building, other or no unit
  incomplete,  // nothing contradicts, but an element (directional, suffix, city) is missing on one side
  different,   // some element present on both sides differs: never the same place
};

struct FitResult {
  AddressFit fit = AddressFit::different;
  std::string reason;  // for "different"/"incomplete": which element
};

// Compares one query with one premise. Precision first: a different house
// number, house suffix, directional, street name, type, city, state or ZIP
// is `different`.
FitResult compare_addresses(const NormalizedAddress& query, const NormalizedAddress& premise);

// Why a premise that fits (exact, building or incomplete) is not this exact
// address, in an officer's words: "unit not given", "other unit in this
// building", "directional missing", "city not given", "city not on file".
// Empty for an exact fit.
std::vector<std::string> fit_reasons(const NormalizedAddress& query, const NormalizedAddress& premise);

struct Candidate {
  std::string premise_id;
  NormalizedAddress address;
};

enum class AddressMatchLevel { exact, building, none };

struct AddressDecision {
  AddressMatchLevel level = AddressMatchLevel::none;
  std::vector<std::string> premise_ids;           // the premises to show
  // Level exact for a query without a unit: the units of the building on
  // file, shown with it one level below (building), each with its reasons.
  std::vector<std::string> other_units;
  std::vector<std::string> ambiguous_candidates;  // level none: the query fits several buildings
  // Per premise shown below exact: fit_reasons (none for exact premises).
  std::map<std::string, std::vector<std::string>> reasons;
};

// Decides what a query matches among the premises that share its house
// number and street name (the rules are documented in docs/registry-format.md).
AddressDecision decide_match(const NormalizedAddress& query, const std::vector<Candidate>& candidates);

// Great-circle distance: mdtc::distance_m in mdtc/geo.h.

// How a distance is read beside a premise or in a reason: "7 m", "4.4 km".
std::string distance_text(double metres);

}  // namespace mdtc::cache
