// Address normalization and matching for the flag cache, after USPS
// Publication 28 (street suffixes, directionals, secondary unit designators).
// Everything here is pure: values in, values out, no I/O, so it can be unit
// tested with plain strings and fuzzed alone.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mdtc/civic_address.h"
#include "mdtc/result.h"

namespace mdtc::cache {

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

  bool has_street() const { return !house_number.empty() && !name.empty(); }
  bool operator==(const NormalizedAddress&) const = default;
  // "1208 1/2 N MAPLE ST APT 3B, SPRINGFIELD IL 62701"
  std::string display() const;
  // "1208 N MAPLE ST" (no unit, no city)
  std::string street_line() const;
};

// Free text in any common spelling: "1208 n. maple street #3b, Springfield IL".
// Errors: address.empty, address.too_long, address.no_house_number,
// address.no_street_name.
Result<NormalizedAddress> normalize_address(std::string_view text);

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
  std::vector<std::string> ambiguous_candidates;  // level none: the query fits several buildings
  // Per premise shown below exact: fit_reasons (none for exact premises).
  std::map<std::string, std::vector<std::string>> reasons;
};

// Decides what a query matches among the premises that share its house
// number and street name (the rules are documented in docs/registry-format.md).
AddressDecision decide_match(const NormalizedAddress& query, const std::vector<Candidate>& candidates);

// Great-circle distance in metres (haversine, mean Earth radius).
double distance_m(double lat1, double lon1, double lat2, double lon2);

// How a distance is read beside a premise or in a reason: "7 m", "4.4 km".
std::string distance_text(double metres);

}  // namespace mdtc::cache
