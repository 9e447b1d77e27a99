// Decides which premises a CAD address is. A wrong match shows one person's
// mental-health history on another person's call, so every rule here leans
// towards "not the same place": anything present on both sides must agree,
// anything missing on one side caps the level at "building", and a query
// that fits more than one building matches none of them.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "address_words.h"
#include "mdtc/address.h"

namespace mdtc::cache {
namespace {

// Element present on both sides and different -> different place.
// Present on one side only -> the query (or the premise) is incomplete.
enum class Cmp { same, missing, differs };

Cmp cmp(const std::string& q, const std::string& p) {
  if (q == p) return Cmp::same;
  if (q.empty() || p.empty()) return Cmp::missing;
  return Cmp::differs;
}

// Everything that identifies the building a premise stands for (not the unit).
std::string building_key(const NormalizedAddress& a) {
  return a.house_number + '|' + a.house_suffix + '|' + a.predir + '|' + a.pretype + '|' + a.name + '|' +
         a.type + '|' + a.postdir + '|' + a.city + '|' + a.state + '|' + a.zip;
}

// Two records a state or ZIP tells apart (both given, different) are two
// places, however well the rest of a query fits both.
bool told_apart(const NormalizedAddress& a, const NormalizedAddress& b) {
  return cmp(a.state, b.state) == Cmp::differs || cmp(a.zip, b.zip) == Cmp::differs;
}

// "1200 HWY 35 N" for the registry's "1200 N HWY 35": on a numbered road
// the directional is written on either side of the number, and both are
// the same road far more often than two roads. Never taken as certain
// (grid streets like N MAPLE ST and MAPLE ST N stay different).
bool route_directional_moved(const NormalizedAddress& q, const NormalizedAddress& p) {
  if (!detail::is_route_pretype(q.pretype) || q.pretype != p.pretype) return false;
  return (q.predir.empty() && !q.postdir.empty() && q.postdir == p.predir && p.postdir.empty()) ||
         (q.postdir.empty() && !q.predir.empty() && q.predir == p.postdir && p.predir.empty());
}

}  // namespace

FitResult compare_addresses(const NormalizedAddress& q, const NormalizedAddress& p) {
  if (q.house_number.empty() || q.house_number != p.house_number) return {AddressFit::different, "house number"};
  // 1208 and 1208 1/2 are different buildings; both sides must agree exactly.
  if (q.house_suffix != p.house_suffix) return {AddressFit::different, "house number suffix"};
  if (q.name.empty() || q.name != p.name) return {AddressFit::different, "street name"};

  if (route_directional_moved(q, p)) {
    NormalizedAddress as_filed = q;
    std::swap(as_filed.predir, as_filed.postdir);
    const FitResult f = compare_addresses(as_filed, p);
    return f.fit == AddressFit::different ? f : FitResult{AddressFit::incomplete, "directional's place"};
  }
  // "N MAPLE ST" and "MAPLE ST N" are distinct streets in grid cities: a
  // directional on both sides but in different places is a contradiction.
  const bool q_dir = !q.predir.empty() || !q.postdir.empty();
  const bool p_dir = !p.predir.empty() || !p.postdir.empty();
  if (q_dir && p_dir && (q.predir.empty() != p.predir.empty() || q.postdir.empty() != p.postdir.empty()))
    return {AddressFit::different, "directional"};

  struct Element {
    const char* what;
    Cmp result;
  };
  const Element elements[] = {
      {"directional", cmp(q.predir, p.predir)},
      // "AVENUE B" and "B AVE" are different streets: a pre-type on one
      // side only is a different name, not a missing element.
      {"pre-type", q.pretype == p.pretype ? Cmp::same : Cmp::differs},
      {"street type", cmp(q.type, p.type)},
      {"post-directional", cmp(q.postdir, p.postdir)},
      {"city", cmp(q.city, p.city)},
  };
  std::string missing;
  for (const Element& e : elements) {
    if (e.result == Cmp::differs) return {AddressFit::different, e.what};
    if (e.result == Cmp::missing && missing.empty()) missing = e.what;
  }
  // State and ZIP contradict when both are given; their absence alone does
  // not make a query ambiguous in a cache that serves one jurisdiction.
  if (cmp(q.state, p.state) == Cmp::differs) return {AddressFit::different, "state"};
  if (cmp(q.zip, p.zip) == Cmp::differs) return {AddressFit::different, "ZIP"};
  if (!missing.empty()) return {AddressFit::incomplete, missing};
  if (q.unit == p.unit) return {AddressFit::exact, ""};
  return {AddressFit::building, "unit"};
}

std::vector<std::string> fit_reasons(const NormalizedAddress& q, const NormalizedAddress& p) {
  std::vector<std::string> out;
  // Which side lacks the element matters to the officer: "not given" asks
  // dispatch for it, "not on file" is the registry's gap.
  auto gap = [&](bool q_has, bool p_has, const char* q_missing, const char* p_missing) {
    if (q_has == p_has) return;
    out.emplace_back(q_has ? p_missing : q_missing);
  };
  gap(!q.predir.empty() || !q.postdir.empty(), !p.predir.empty() || !p.postdir.empty(), "directional missing",
      "directional not on file");
  if (route_directional_moved(q, p))
    out.push_back(q.predir.empty() ? q.postdir + " written after the road, on file before it"
                                   : q.predir + " written before the road, on file after it");
  gap(!q.type.empty(), !p.type.empty(), "street type not given", "street type not on file");
  gap(!q.city.empty(), !p.city.empty(), "city not given", "city not on file");
  if (q.unit != p.unit) {
    if (q.unit.empty()) out.emplace_back("unit not given");
    else if (p.unit.empty()) out.emplace_back("record is for the whole building");
    else out.emplace_back("other unit in this building");
  }
  return out;
}

AddressDecision decide_match(const NormalizedAddress& query, const std::vector<Candidate>& candidates) {
  AddressDecision d;
  std::vector<const Candidate*> complete, incomplete;
  for (const Candidate& c : candidates) {
    const FitResult f = compare_addresses(query, c.address);
    if (f.fit == AddressFit::exact || f.fit == AddressFit::building) complete.push_back(&c);
    else if (f.fit == AddressFit::incomplete) incomplete.push_back(&c);
  }

  auto ids = [](const std::vector<const Candidate*>& v) {
    std::vector<std::string> out;
    for (const Candidate* c : v) out.push_back(c->premise_id);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  };

  if (!complete.empty()) {
    // A query without state or ZIP fits records in two states alike
    // ("900 MAIN ST, LINDALE" in IL and in WI): never guess between them.
    for (std::size_t i = 0; i < complete.size(); ++i)
      for (std::size_t j = i + 1; j < complete.size(); ++j)
        if (told_apart(complete[i]->address, complete[j]->address)) {
          d.ambiguous_candidates = ids(complete);
          return d;
        }
    // Every element agrees with the query, so these are one building.
    std::vector<const Candidate*> same_unit, whole_building;
    for (const Candidate* c : complete) {
      if (c->address.unit == query.unit) same_unit.push_back(c);
      else if (c->address.unit.empty()) whole_building.push_back(c);
    }
    if (!same_unit.empty()) {
      d.level = AddressMatchLevel::exact;
      // A record for the whole building (no unit) describes the door every
      // unit shares; it is shown with the unit's own records.
      if (!query.unit.empty()) same_unit.insert(same_unit.end(), whole_building.begin(), whole_building.end());
      d.premise_ids = ids(same_unit);
      if (query.unit.empty()) {
        // A call to the building names no door: its units' records come
        // too, below the building's own, as they do when the building has
        // no record of its own. Before, a record for the building hid them:
        // a weapon on file for APT 4 never reached a call to 77 PINE RD.
        std::vector<const Candidate*> units;
        for (const Candidate* c : complete)
          if (!c->address.unit.empty()) units.push_back(c);
        d.other_units = ids(units);
        for (const Candidate* c : units) d.reasons[c->premise_id] = fit_reasons(query, c->address);
      }
    } else {
      d.level = AddressMatchLevel::building;
      d.premise_ids = ids(complete);
      for (const Candidate* c : complete) d.reasons[c->premise_id] = fit_reasons(query, c->address);
    }
    return d;
  }

  if (incomplete.empty()) return d;
  std::set<std::string> buildings;
  for (const Candidate* c : incomplete) buildings.insert(building_key(c->address));
  if (buildings.size() > 1) {
    // "1208 MAPLE ST" with both N MAPLE and S MAPLE on file: never guess.
    d.ambiguous_candidates = ids(incomplete);
    return d;
  }
  d.level = AddressMatchLevel::building;
  d.premise_ids = ids(incomplete);
  for (const Candidate* c : incomplete) d.reasons[c->premise_id] = fit_reasons(query, c->address);
  return d;
}

std::string distance_text(double metres) {
  char d[32];
  if (metres >= 1000) std::snprintf(d, sizeof d, "%.1f km", metres / 1000.0);
  else std::snprintf(d, sizeof d, "%ld m", std::lround(metres));
  return d;
}

}  // namespace mdtc::cache
