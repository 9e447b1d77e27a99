// Cache::match end to end on a real file: levels, filtering, freshness.
#include <algorithm>
#include <ctime>

#include "cache_fixture.h"

namespace mdtc::cache::test {
namespace {

class FlagLookup : public CacheTest {
 protected:
  Cache c = open();
  void SetUp() override {
    auto r = c.import_text(kExample, "example.jsonl");
    ASSERT_TRUE(r.ok()) << r.error().message;
  }
  void add(const std::string& lines) {
    auto r = c.import_text(lines, "extra.jsonl", {.legacy = true});
    ASSERT_TRUE(r.ok()) << r.error().message;
  }
  // Premises with one safety flag each.
  void add_flagged(std::initializer_list<std::pair<const char*, const char*>> premises) {
    std::string lines;
    for (const auto& [id, address] : premises)
      lines += std::string(R"({"type":"premise","id":")") + id + R"(","address":")" + address + "\"}\n" +
               R"({"type":"flag","id":"F)" + id + R"(","premise":")" + id +
               R"(","kind":"safety","code":"WEAPONS","audience":"all"})" "\n";
    add(lines);
  }
  // A near miss: no flags, the one premise asked about, and why.
  void expect_asked(const char* text, const char* id, const std::string& reason) {
    const MatchResult m = match(c, text);
    EXPECT_EQ(m.level, MatchLevel::none) << text;
    EXPECT_TRUE(m.flags.empty()) << text;
    EXPECT_EQ(m.ambiguous_candidates, (std::vector<std::string>{id})) << text;
    EXPECT_EQ(m.reasons, (std::vector<std::string>{reason})) << text;
  }
  // No such premise, and nothing to ask about.
  void expect_nothing(const char* text) {
    const MatchResult m = match(c, text);
    EXPECT_EQ(m.level, MatchLevel::none) << text;
    EXPECT_TRUE(m.ambiguous_candidates.empty()) << text;
    EXPECT_TRUE(m.reasons.empty()) << text;
  }
};

TEST_F(FlagLookup, ExactMatchReturnsFlagsSubjectsHistory) {
  const MatchResult m = match(c, "1208 n. maple street #3b, springfield il");
  EXPECT_EQ(m.level, MatchLevel::exact);
  EXPECT_EQ(m.freshness, Freshness::fresh);
  ASSERT_EQ(m.premises.size(), 1u);
  EXPECT_EQ(m.premises[0].id, "P-1");
  EXPECT_EQ(flag_ids(m), (std::vector<std::string>{"F-1", "F-2", "F-3"}));
  EXPECT_EQ(m.flags[0].code, "WEAPONS");  // most severe first
  EXPECT_EQ(m.flags[0].display_name, "Weapons reported");
  EXPECT_EQ(m.flags[0].severity, 3);
  EXPECT_EQ(m.flags[0].note, "Legally owns rifles");
  ASSERT_EQ(m.subjects.size(), 1u);
  EXPECT_EQ(m.subjects[0].name, "J. Doe");
  ASSERT_EQ(m.history.size(), 1u);
  EXPECT_EQ(m.history[0].call_type, "WELFARE CHECK");
  EXPECT_EQ(m.normalized_address, "1208 N MAPLE ST # 3B, SPRINGFIELD IL");
}

// A registry premise written as CAD writes it, city after the type with no
// comma, is stored as read without the cache's places; CAD sending the same
// text reads it with them. The same text must still find it.
TEST_F(FlagLookup, PremiseTextWithATrailingCityIsFoundByTheSameText) {
  add(R"({"type":"premise","id":"R-7","address":"400 E ADAMS ST SPRINGFIELD"}
{"type":"flag","id":"F-7","premise":"R-7","kind":"safety","code":"WEAPONS","audience":"all"}
)");
  const MatchResult m = match(c, "400 E ADAMS ST SPRINGFIELD");
  EXPECT_EQ(m.level, MatchLevel::exact);
  EXPECT_EQ(flag_ids(m), std::vector<std::string>{"F-7"});
  // Another house on that street is still not this one.
  EXPECT_EQ(match(c, "402 E ADAMS ST SPRINGFIELD").level, MatchLevel::none);
}

// And once the file is in, such a premise is read again with the places
// the cache now knows, so CAD's other spellings find it too.
TEST_F(FlagLookup, PremiseTextWithATrailingCityIsReadWithTheCachesPlaces) {
  add(R"({"type":"premise","id":"R-7","address":"400 E ADAMS ST SPRINGFIELD"}
{"type":"flag","id":"F-7","premise":"R-7","kind":"safety","code":"WEAPONS","audience":"all"}
{"type":"premise","id":"R-8","address":"12 ELM AVE SHELBYVILLE"}
{"type":"flag","id":"F-8","premise":"R-8","kind":"safety","code":"WEAPONS","audience":"all"}
)");
  EXPECT_EQ(match(c, "400 E ADAMS ST, SPRINGFIELD IL").level, MatchLevel::exact);
  EXPECT_EQ(match(c, "400 E Adams St, Springfield").level, MatchLevel::exact);
  EXPECT_EQ(match(c, "400 E ADAMS ST, SHELBYVILLE").level, MatchLevel::none) << "another town";
  // A town no premise names stays as written: the same text still finds it.
  EXPECT_EQ(match(c, "12 ELM AVE SHELBYVILLE").level, MatchLevel::exact);
}

TEST_F(FlagLookup, CivicQueryTakesPrecedenceOverText) {
  AddressQuery q;
  q.address = "999 NOWHERE RD";
  q.civic.hno = "1208";
  q.civic.prd = "N";
  q.civic.rd = "MAPLE";
  q.civic.sts = "ST";
  q.civic.unit = "3B";
  q.civic.a3 = "SPRINGFIELD";
  q.civic.a1 = "IL";
  EXPECT_EQ(c.match(q).level, MatchLevel::exact);
}

TEST_F(FlagLookup, CivicWithoutCityBorrowsItFromTheSameAddressText) {
  AddressQuery q;
  q.address = "1208 N Maple St Apt 3B, Springfield IL";
  q.civic.hno = "1208";
  q.civic.prd = "N";
  q.civic.rd = "MAPLE";
  q.civic.sts = "ST";
  q.civic.unit = "3B";
  EXPECT_EQ(c.match(q).level, MatchLevel::exact);
  q.address = "1208 N Maple St Apt 3B, Shelbyville IL";
  EXPECT_EQ(c.match(q).level, MatchLevel::none);
  q.address = "";
  EXPECT_EQ(c.match(q).level, MatchLevel::building);  // no city anywhere: at most building
}

TEST_F(FlagLookup, OtherUnitIsBuildingLevel) {
  const MatchResult m = match(c, "1208 N MAPLE ST APT 1A, SPRINGFIELD IL");
  EXPECT_EQ(m.level, MatchLevel::building);
  EXPECT_EQ(flag_ids(m).size(), 3u);
}

TEST_F(FlagLookup, NearMissesReturnNoFlags) {
  for (const char* s : {"1210 N MAPLE ST APT 3B, SPRINGFIELD IL", "1208 S MAPLE ST APT 3B, SPRINGFIELD IL",
                        "1208 N MAPLE AVE APT 3B, SPRINGFIELD IL", "1208 N MAPLEWOOD ST APT 3B, SPRINGFIELD IL",
                        "1208 N MAPLE ST APT 3B, SHELBYVILLE IL", "1208 1/2 N MAPLE ST APT 3B, SPRINGFIELD IL"}) {
    const MatchResult m = match(c, s);
    EXPECT_EQ(m.level, MatchLevel::none) << s;
    EXPECT_TRUE(m.flags.empty()) << s;
    EXPECT_TRUE(m.subjects.empty()) << s;
    EXPECT_TRUE(m.history.empty()) << s;
  }
}

TEST_F(FlagLookup, AmbiguousQueryListsCandidatesAndNoFlags) {
  add(R"({"type":"premise","id":"P-S","address":"1208 S Maple St, Springfield IL"}
{"type":"flag","id":"F-S","premise":"P-S","kind":"safety","code":"DOG","audience":"all"}
)");
  const MatchResult m = match(c, "1208 MAPLE ST APT 3B, SPRINGFIELD IL", 39.8012, -89.6437);
  EXPECT_EQ(m.level, MatchLevel::none);
  EXPECT_TRUE(m.flags.empty());
  EXPECT_EQ(m.ambiguous_candidates, (std::vector<std::string>{"P-1", "P-S"}));
}

TEST_F(FlagLookup, MissingDirectionalWithOneStreetIsBuilding) {
  const MatchResult m = match(c, "1208 MAPLE ST APT 3B, SPRINGFIELD IL");
  EXPECT_EQ(m.level, MatchLevel::building);
  EXPECT_EQ(flag_ids(m).size(), 3u);
}

TEST_F(FlagLookup, NearbyByCoordinatesReportsDistance) {
  const MatchResult m = match(c, "", 39.8013, -89.6437);  // about 11 m north of P-1
  EXPECT_EQ(m.level, MatchLevel::nearby);
  ASSERT_EQ(m.premises.size(), 1u);
  ASSERT_TRUE(m.premises[0].distance_m);
  EXPECT_NEAR(*m.premises[0].distance_m, 11.1, 0.5);
  EXPECT_EQ(flag_ids(m).size(), 3u);
}

TEST_F(FlagLookup, NearbyRespectsRadius) {
  MatchOptions o;
  o.nearby_radius_m = 50;
  EXPECT_EQ(match(c, "", 39.8022, -89.6437, o).level, MatchLevel::none);  // ~111 m
  EXPECT_EQ(match(c, "", 39.8022, -89.6437).level, MatchLevel::none);
  o.nearby_radius_m = 150;
  EXPECT_EQ(match(c, "", 39.8022, -89.6437, o).level, MatchLevel::nearby);
}

TEST_F(FlagLookup, UnknownAddressFallsBackToCoordinates) {
  EXPECT_EQ(match(c, "77 NOWHERE RD, SPRINGFIELD IL", 39.8012, -89.6437).level, MatchLevel::nearby);
}

TEST_F(FlagLookup, ExpiredFlagsAreNeverReturned) {
  add(R"({"type":"flag","id":"F-X","premise":"P-2","kind":"safety","code":"DOG","audience":"all","expires":"2001-01-01"}
{"type":"flag","id":"F-Y","premise":"P-2","kind":"safety","code":"HAZMAT","audience":"all","expires":"2099-01-01"}
)");
  EXPECT_EQ(flag_ids(match(c, "17 OAK AVE, SPRINGFIELD IL")), (std::vector<std::string>{"F-Y"}));
}

TEST_F(FlagLookup, UnvalidatedFlagsAreNeverReturned) {
  add(R"({"type":"flag","id":"F-V","premise":"P-2","kind":"care","code":"DEMENTIA","audience":"all","validated":"2001-01-01"}
{"type":"flag","id":"F-W","premise":"P-2","kind":"care","code":"AUTISM","audience":"all","validated":"2099-01-01"}
)");
  EXPECT_EQ(flag_ids(match(c, "17 OAK AVE, SPRINGFIELD IL")), (std::vector<std::string>{"F-W"}));
}

TEST_F(FlagLookup, RevalidationPeriodIsTheCallersEachTime) {
  // Validated three days ago: inside a week, outside a day. The lookup keeps
  // its dates between calls; a different period must still count.
  const std::time_t then = std::time(nullptr) - 3 * 86400;
  std::tm tm{};
  gmtime_r(&then, &tm);
  char validated[16];
  std::strftime(validated, sizeof validated, "%Y-%m-%d", &tm);
  add(R"({"type":"flag","id":"F-V","premise":"P-2","kind":"care","code":"DEMENTIA","audience":"all","validated":")" +
      std::string(validated) + "\"}\n");
  MatchOptions week, day;
  week.revalidate_days = 7;
  day.revalidate_days = 1;
  EXPECT_EQ(flag_ids(match(c, "17 OAK AVE, SPRINGFIELD IL", {}, {}, week)), (std::vector<std::string>{"F-V"}));
  EXPECT_TRUE(flag_ids(match(c, "17 OAK AVE, SPRINGFIELD IL", {}, {}, day)).empty());
  EXPECT_EQ(flag_ids(match(c, "17 OAK AVE, SPRINGFIELD IL", {}, {}, week)), (std::vector<std::string>{"F-V"}));
}

TEST_F(FlagLookup, HistoryOutsideLookbackIsLeftOut) {
  add(R"({"type":"history","premise":"P-2","incident":"I-OLD","at":"2001-01-01T00:00:00Z","call_type":"NOISE"}
{"type":"history","premise":"P-2","incident":"I-NEW","at":"2099-01-01T00:00:00Z","call_type":"CHECK"}
)");
  const MatchResult m = match(c, "17 OAK AVE, SPRINGFIELD IL");
  ASSERT_EQ(m.history.size(), 1u);
  EXPECT_EQ(m.history[0].incident, "I-NEW");
}

// The building of the issue: Apt 3B (weapons, autism) and Apt 1A (dementia),
// and 1210 next door 7 m away.
class WhoseFlags : public FlagLookup {
 protected:
  void SetUp() override {
    FlagLookup::SetUp();
    add(R"({"type":"premise","id":"P-1A","address":"1208 N Maple St Apt 1A, Springfield IL","lat":39.8012,"lon":-89.6437}
{"type":"flag","id":"F-1A","premise":"P-1A","kind":"care","code":"DEMENTIA","audience":"all"}
)");
  }
};

const Premise* premise(const MatchResult& m, const std::string& id) {
  for (const auto& p : m.premises)
    if (p.id == id) return &p;
  return nullptr;
}

TEST_F(WhoseFlags, OtherUnitAnswerSaysSoForEveryPremise) {
  const MatchResult m = match(c, "1208 N MAPLE ST APT 5C, SPRINGFIELD IL");
  EXPECT_EQ(m.level, MatchLevel::building);
  ASSERT_EQ(m.premises.size(), 2u);
  for (const auto& p : m.premises) {
    EXPECT_EQ(p.level, MatchLevel::building) << p.id;
    EXPECT_EQ(p.reasons, std::vector<std::string>{"other unit in this building"}) << p.id;
  }
  EXPECT_EQ(premise(m, "P-1A")->unit_display, "APT 1A");
  EXPECT_EQ(m.reasons, std::vector<std::string>{"other unit in this building"});
}

TEST_F(WhoseFlags, ExactAnswerNamesNoNeighbourAndNeedsNoReasons) {
  const MatchResult m = match(c, "1208 N MAPLE ST APT 1A, SPRINGFIELD IL");
  EXPECT_EQ(m.level, MatchLevel::exact);
  ASSERT_EQ(m.premises.size(), 1u);
  EXPECT_EQ(m.premises[0].id, "P-1A");
  EXPECT_TRUE(m.reasons.empty());
  EXPECT_EQ(flag_ids(m), std::vector<std::string>{"F-1A"});
}

// A call to the building (no unit) when the building has a record of its
// own: that record is this address, and every unit's records come with it,
// each as its unit. Before, the building's record hid the units': the
// weapon on file for APT 3B never reached a call to 1208 N MAPLE ST.
TEST_F(WhoseFlags, ACallToABuildingWithItsOwnRecordShowsItsUnitsToo) {
  add(R"({"type":"premise","id":"P-B","address":"1208 N Maple St, Springfield IL"}
{"type":"flag","id":"F-B","premise":"P-B","kind":"care","code":"DEMENTIA","audience":"all"}
)");
  const MatchResult m = match(c, "1208 N MAPLE ST, SPRINGFIELD IL");
  EXPECT_EQ(m.level, MatchLevel::exact);
  ASSERT_EQ(m.premises.size(), 3u);
  EXPECT_EQ(premise(m, "P-B")->level, MatchLevel::exact);
  EXPECT_TRUE(premise(m, "P-B")->reasons.empty());
  for (const char* unit : {"P-1", "P-1A"}) {
    ASSERT_NE(premise(m, unit), nullptr) << unit;
    EXPECT_EQ(premise(m, unit)->level, MatchLevel::building) << unit;
    EXPECT_EQ(premise(m, unit)->reasons, std::vector<std::string>{"unit not given"}) << unit;
  }
  const auto ids = flag_ids(m);
  for (const char* f : {"F-B", "F-1", "F-1A"})
    EXPECT_NE(std::find(ids.begin(), ids.end(), f), ids.end()) << f << " missing from a call to the building";
  EXPECT_EQ(m.reasons, std::vector<std::string>{"unit not given"});

  // A call to one unit still shows that unit and the building's record, not its neighbours.
  const MatchResult one = match(c, "1208 N MAPLE ST APT 1A, SPRINGFIELD IL");
  EXPECT_EQ(one.level, MatchLevel::exact);
  EXPECT_EQ(flag_ids(one), (std::vector<std::string>{"F-1A", "F-B"}));
}

TEST_F(WhoseFlags, MissingUnitAndCityAreBothSaid) {
  const MatchResult m = match(c, "1208 N MAPLE ST");
  EXPECT_EQ(m.level, MatchLevel::building);
  EXPECT_EQ(m.reasons, (std::vector<std::string>{"city not given", "unit not given"}));
}

TEST_F(WhoseFlags, NearbyAnswerSaysThereIsNoAddressMatch) {
  const MatchResult m = match(c, "1210 N MAPLE ST, SPRINGFIELD IL", 39.80126, -89.6437);  // ~7 m away
  EXPECT_EQ(m.level, MatchLevel::nearby);
  ASSERT_FALSE(m.premises.empty());
  for (const auto& p : m.premises) EXPECT_EQ(p.level, MatchLevel::nearby);
  EXPECT_EQ(m.reasons, std::vector<std::string>{"near the CAD location, no address match"});
}

TEST_F(WhoseFlags, AmbiguousAnswerSaysHowManyItFits) {
  add(R"({"type":"premise","id":"P-S","address":"1208 S Maple St, Springfield IL"})");
  const MatchResult m = match(c, "1208 MAPLE ST APT 3B, SPRINGFIELD IL");
  EXPECT_EQ(m.level, MatchLevel::none);
  EXPECT_EQ(m.reasons, std::vector<std::string>{"address fits 3 flagged premises"});
}

// --- CAD's own coordinates against the text (P-1 lies at 39.8012, -89.6437).

TEST_F(FlagLookup, TextMatchNearTheCadPointStaysExact) {
  const MatchResult m = match(c, "1208 N MAPLE ST APT 3B, SPRINGFIELD IL", 39.8020, -89.6437);  // ~90 m
  EXPECT_EQ(m.level, MatchLevel::exact);
  ASSERT_EQ(m.premises.size(), 1u);
  ASSERT_TRUE(m.premises[0].distance_m);
  EXPECT_NEAR(*m.premises[0].distance_m, 89, 1);
  EXPECT_TRUE(m.reasons.empty());
}

TEST_F(FlagLookup, SameNameStreetInTheNextTownIsNeverExact) {
  // CAD geocoded the call 4.4 km away: its "1208 N Maple St" is another town's.
  const MatchResult m = match(c, "1208 N MAPLE ST APT 3B, SPRINGFIELD IL", 39.8412, -89.6437);
  EXPECT_EQ(m.level, MatchLevel::building);
  ASSERT_EQ(m.premises.size(), 1u);
  EXPECT_EQ(m.premises[0].level, MatchLevel::building);
  EXPECT_EQ(m.reasons, std::vector<std::string>{"4.4 km from the CAD location"});
}

TEST_F(FlagLookup, GeoGapJustOverTheLimitDropsALevel) {
  MatchOptions o;
  o.max_text_geo_gap_m = 80;
  const MatchResult m = match(c, "1208 N MAPLE ST APT 3B, SPRINGFIELD IL", 39.8020, -89.6437, o);  // ~89 m
  EXPECT_EQ(m.level, MatchLevel::building);
  EXPECT_EQ(m.reasons, std::vector<std::string>{"89 m from the CAD location"});
}

TEST_F(FlagLookup, BuildingAnswerFarFromTheCadPointSaysBoth) {
  const MatchResult m = match(c, "1208 N MAPLE ST APT 5C, SPRINGFIELD IL", 39.8412, -89.6437);
  EXPECT_EQ(m.level, MatchLevel::building);
  EXPECT_EQ(m.reasons, (std::vector<std::string>{"other unit in this building", "4.4 km from the CAD location"}));
}

TEST_F(FlagLookup, GeoCrossCheckCanBeTurnedOff) {
  MatchOptions o;
  o.max_text_geo_gap_m = 0;
  EXPECT_EQ(match(c, "1208 N MAPLE ST APT 3B, SPRINGFIELD IL", 39.8412, -89.6437, o).level, MatchLevel::exact);
}

TEST_F(FlagLookup, PremiseWithoutCoordinatesCannotBeCrossChecked) {
  // P-2 has no coordinates: nothing to compare, the text decides.
  EXPECT_EQ(match(c, "17 OAK AVE, SPRINGFIELD IL", 39.9, -89.6).level, MatchLevel::exact);
}

// --- Common place names.

class PlaceNames : public FlagLookup {
 protected:
  void SetUp() override {
    FlagLookup::SetUp();
    add(R"({"type":"premise","id":"P-SHS","address":"100 School Rd, Springfield IL","lat":39.81,"lon":-89.65,"aliases":["Springfield High School","SHS"]}
{"type":"flag","id":"F-SHS","premise":"P-SHS","kind":"safety","code":"WEAPONS","audience":"all"}
{"type":"premise","id":"P-W1","address":"1 Commerce Dr, Springfield IL","lat":39.70,"lon":-89.60,"aliases":["WALMART"]}
{"type":"premise","id":"P-W2","address":"900 Dirksen Pkwy, Springfield IL","lat":39.78,"lon":-89.60,"aliases":["Walmart"]}
{"type":"flag","id":"F-W1","premise":"P-W1","kind":"care","code":"AUTISM","audience":"all"}
{"type":"flag","id":"F-W2","premise":"P-W2","kind":"care","code":"DEMENTIA","audience":"all"}
)");
  }
};

TEST_F(PlaceNames, UniquePlaceNameMatchesItsPremiseExactly) {
  for (const char* s : {"SPRINGFIELD HIGH SCHOOL", "Springfield High-School", "SHS, SPRINGFIELD IL"}) {
    const MatchResult m = match(c, s);
    EXPECT_EQ(m.level, MatchLevel::exact) << s;
    ASSERT_EQ(m.premises.size(), 1u) << s;
    EXPECT_EQ(m.premises[0].id, "P-SHS") << s;
    EXPECT_EQ(flag_ids(m), std::vector<std::string>{"F-SHS"}) << s;
  }
}

TEST_F(PlaceNames, PlaceNameSharedByTwoPremisesIsNeverExact) {
  const MatchResult m = match(c, "WALMART", 39.8012, -89.6437);
  EXPECT_EQ(m.level, MatchLevel::none);
  EXPECT_TRUE(m.flags.empty()) << "never one of the two, and not the CAD point's neighbour either";
  EXPECT_EQ(m.ambiguous_candidates, (std::vector<std::string>{"P-W1", "P-W2"}));
  EXPECT_EQ(m.reasons, std::vector<std::string>{"place name shared by 2 premises"});
}

TEST_F(PlaceNames, SharedPlaceNameWithoutCadPointAsksToConfirm) {
  const MatchResult m = match(c, "WALMART");
  EXPECT_EQ(m.level, MatchLevel::none);
  EXPECT_TRUE(m.flags.empty());
  EXPECT_EQ(m.ambiguous_candidates, (std::vector<std::string>{"P-W1", "P-W2"}));
}

TEST_F(PlaceNames, SharedPlaceNameNearOneOfThemIsThatOneBelowExact) {
  const MatchResult m = match(c, "WALMART", 39.7805, -89.6003);  // ~60 m from P-W2, 9 km from P-W1
  EXPECT_EQ(m.level, MatchLevel::building);
  ASSERT_EQ(m.premises.size(), 1u);
  EXPECT_EQ(m.premises[0].id, "P-W2");
  EXPECT_EQ(flag_ids(m), std::vector<std::string>{"F-W2"});
  EXPECT_EQ(m.reasons, (std::vector<std::string>{"place name shared by 2 premises", "the one near the CAD location"}));
}

TEST_F(PlaceNames, SharedPlaceNameNearBothStillAsks) {
  add(R"({"type":"premise","id":"P-W3","address":"902 Dirksen Pkwy, Springfield IL","lat":39.7801,"lon":-89.6001,"aliases":["WALMART"]})");
  const MatchResult m = match(c, "WALMART", 39.7805, -89.6003);
  EXPECT_EQ(m.level, MatchLevel::none);
  EXPECT_TRUE(m.flags.empty());
  EXPECT_EQ(m.ambiguous_candidates, (std::vector<std::string>{"P-W1", "P-W2", "P-W3"}));
}

// A chain's name before another store's address or town: the name alone
// showed the known store's flags as this address. The address CAD gave after
// the name is what is looked up.
TEST_F(PlaceNames, APlaceNameBeforeAnotherAddressOrTownIsNotThatPremise) {
  add(R"({"type":"premise","id":"P-C","address":"800 Commerce Dr, Springfield IL 62701","aliases":["CASEYS"]}
{"type":"flag","id":"F-C","premise":"P-C","kind":"safety","code":"WEAPONS","audience":"all"}
{"type":"premise","id":"P-L","address":"1900 Lincoln Hwy, Lindale WI"}
{"type":"flag","id":"F-L","premise":"P-L","kind":"safety","code":"DOG","audience":"all"}
)");
  for (const char* s : {"CASEYS, 12 ELM ST, SPRINGFIELD IL", "CASEYS, LINDALE WI", "CASEYS, SPRINGFIELD WI",
                        "CASEYS, SPRINGFIELD IL 62702"}) {
    const MatchResult m = match(c, s);
    EXPECT_TRUE(m.flags.empty()) << s;
    EXPECT_TRUE(m.premises.empty()) << s;
  }
  for (const char* s : {"CASEYS, 1900 LINCOLN HWY, LINDALE WI", "MCDONALDS #1234, 1900 LINCOLN HWY, LINDALE WI"}) {
    const MatchResult other = match(c, s);
    EXPECT_EQ(other.level, MatchLevel::exact) << s;
    ASSERT_EQ(other.premises.size(), 1u) << s;
    EXPECT_EQ(other.premises[0].id, "P-L") << s;
  }
  for (const char* s : {"CASEYS, SPRINGFIELD IL", "CASEYS, 800 COMMERCE DR, SPRINGFIELD IL", "CASEYS, SPRINGFIELD IL 62701"}) {
    const MatchResult m = match(c, s);
    ASSERT_EQ(m.premises.size(), 1u) << s;
    EXPECT_EQ(m.premises[0].id, "P-C") << s;
  }
}

TEST_F(PlaceNames, AKnownPlaceNameIsNotCountedAsUnparsed) {
  match(c, "SPRINGFIELD HIGH SCHOOL");
  EXPECT_EQ(c.stats()->unparsed_queries, 0);
  match(c, "SPRINGFIELD HIGH");
  EXPECT_EQ(c.stats()->unparsed_queries, 1);
}

TEST_F(PlaceNames, AnAddressNotUnderstoodIsSaidSoNeverNoFlags) {
  const MatchResult unread = match(c, "SPRINGFIELD HIGH");
  EXPECT_TRUE(unread.unparsed);
  EXPECT_EQ(unread.reasons, (std::vector<std::string>{"address not understood"}));
  // An address read and found clear is not "not understood".
  const MatchResult clear = match(c, "1 NOWHERE ST, SPRINGFIELD IL");
  EXPECT_FALSE(clear.unparsed);
  EXPECT_TRUE(clear.reasons.empty());
}

TEST_F(PlaceNames, PartOfAPlaceNameIsNotThePlace) {
  for (const char* s : {"SPRINGFIELD HIGH", "SHS ANNEX", "SPRINGFIELD HIGH SCHOOL GYM", "HIGH SCHOOL"})
    EXPECT_EQ(match(c, s).level, MatchLevel::none) << s;
}

TEST_F(PlaceNames, PlaceNameFarFromTheCadPointIsNotExact) {
  const MatchResult m = match(c, "SHS", 39.85, -89.65);  // ~4.4 km north
  EXPECT_EQ(m.level, MatchLevel::building);
  EXPECT_EQ(m.reasons, std::vector<std::string>{"4.4 km from the CAD location"});
}

TEST_F(PlaceNames, AStreetAddressIsNotLookedUpAsAPlaceName) {
  // The school's street address still matches by its address, and a house
  // on a street named like the alias does not become the school.
  EXPECT_EQ(match(c, "100 SCHOOL RD, SPRINGFIELD IL").premises.at(0).id, "P-SHS");
  EXPECT_EQ(match(c, "12 SHS RD, SPRINGFIELD IL").level, MatchLevel::none);
}

TEST_F(PlaceNames, DeltaThatRestatesAPremiseReplacesItsNames) {
  add(R"({"type":"header","mode":"delta","version":2}
{"type":"premise","id":"P-W2","address":"900 Dirksen Pkwy, Springfield IL"}
)");
  const MatchResult m = match(c, "WALMART");
  EXPECT_EQ(m.level, MatchLevel::exact) << "the name is now P-W1's alone";
  EXPECT_EQ(m.premises.at(0).id, "P-W1");
  add(R"({"type":"header","mode":"delta","version":3}
{"type":"delete","id":"P-W1"}
)");
  EXPECT_EQ(match(c, "WALMART").level, MatchLevel::none);
}

TEST_F(PlaceNames, SnapshotWithoutNamesForgetsThem) {
  add(kExample);
  EXPECT_EQ(match(c, "SHS").level, MatchLevel::none);
}

TEST_F(FlagLookup, AllAudiencesAreReturnedForThePanelToRedact) {
  const MatchResult m = match(c, "1208 N MAPLE ST APT 3B, SPRINGFIELD IL");
  bool clinician = false;
  for (const auto& f : m.flags) clinician |= f.audience == Audience::clinician;
  EXPECT_TRUE(clinician);
}

// The lookup narrows candidates in SQL before the matcher sees them; that
// must never change a decision. Combinations of the elements the narrowing
// looks at are stored as premises of one house number and street,
// and every combination is asked: Cache::match must decide exactly what
// decide_match decides over all of them.
TEST_F(CacheTest, LookupDecidesAsTheMatcherDoesOverEveryCandidate) {
  struct Variant {
    CivicAddress civic;
    std::string id;
  };
  std::vector<Variant> variants;
  for (const char* hns : {"", "1/2"})
    for (const char* prd : {"", "N", "S"})
      for (const char* sts : {"", "ST", "AVE"})
        for (const char* pod : {"", "NE"})
          for (const char* a3 : {"", "SPRINGFIELD", "CHATHAM"})
            for (const char* unit : {"", "3B"}) {
              CivicAddress a;
              a.hno = "77";
              a.rd = "MAPLE";
              a.hns = hns;
              a.prd = prd;
              a.sts = sts;
              a.pod = pod;
              a.a3 = a3;
              a.unit = unit;
              a.a1 = std::string(a3).empty() ? "" : "IL";
              variants.push_back({a, "P-" + std::to_string(variants.size())});
            }
  Cache c = open();
  std::string file = R"({"type":"header","mode":"snapshot","version":1})" "\n";
  // About a third are on file, so queries also meet missing and
  // conflicting elements, not only their own record.
  std::vector<Candidate> all;
  for (const Variant& v : variants) {
    if ((std::stoi(v.id.substr(2)) * 7) % 5 >= 2) continue;
    const auto n = normalize_civic(v.civic);
    ASSERT_TRUE(n.ok());
    all.push_back({v.id, *n});
    file += R"({"type":"premise","id":")" + v.id + R"(","civic":{"hno":")" + v.civic.hno + R"(","hns":")" +
            v.civic.hns + R"(","prd":")" + v.civic.prd + R"(","rd":")" + v.civic.rd + R"(","sts":")" + v.civic.sts +
            R"(","pod":")" + v.civic.pod + R"(","unit":")" + v.civic.unit + R"(","a3":")" + v.civic.a3 +
            R"(","a1":")" + v.civic.a1 + R"("}})" "\n";
  }
  ASSERT_TRUE(c.import_text(complete(file), "variants.jsonl").ok());
  int exact = 0, building = 0, ambiguous = 0;
  for (const Variant& v : variants) {
    AddressQuery q;
    q.civic = v.civic;
    const MatchResult m = c.match(q);
    const AddressDecision want = decide_match(*normalize_civic(v.civic), all);
    const MatchLevel level = want.level == AddressMatchLevel::exact      ? MatchLevel::exact
                             : want.level == AddressMatchLevel::building ? MatchLevel::building
                                                                         : MatchLevel::none;
    EXPECT_EQ(m.level, level) << v.id;
    std::vector<std::string> got;
    for (const Premise& p : m.premises) got.push_back(p.id);
    std::sort(got.begin(), got.end());
    std::vector<std::string> expected = want.premise_ids;
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(got, expected) << v.id;
    EXPECT_EQ(m.ambiguous_candidates, want.ambiguous_candidates) << v.id;
    exact += m.level == MatchLevel::exact;
    building += m.level == MatchLevel::building;
    ambiguous += !m.ambiguous_candidates.empty();
  }
  // The set exercises every outcome, not just one.
  EXPECT_GT(exact, 0);
  EXPECT_GT(building, 0);
  EXPECT_GT(ambiguous, 0);
}

TEST_F(CacheTest, NeverSyncedCacheIsUnavailableNotEmpty) {
  Cache c = open();
  const MatchResult m = match(c, "1208 N MAPLE ST APT 3B, SPRINGFIELD IL");
  EXPECT_EQ(m.freshness, Freshness::unavailable);
  EXPECT_FALSE(m.unavailable_reason.empty());
}

}  // namespace
}  // namespace mdtc::cache::test

namespace mdtc::cache::test {
namespace {

TEST_F(CacheTest, UnparseableQueryIsCountedAndMatchesNothing) {
  Cache c = open();
  ASSERT_TRUE(c.import_text(kExample, "a").ok());
  const MatchResult m = match(c, "BEHIND THE OLD MILL");  // (a corner now parses as an intersection)
  EXPECT_EQ(m.level, MatchLevel::none);
  EXPECT_TRUE(m.normalized_address.empty());
  EXPECT_EQ(c.stats()->unparsed_queries, 1);
}

}  // namespace
}  // namespace mdtc::cache::test

#include <atomic>
#include <thread>

namespace mdtc::cache::test {
namespace {

std::string versioned_snapshot(int version, int premises) {
  const std::string v = std::to_string(version);
  std::string out = R"({"type":"header","mode":"snapshot","version":)" + v + "}\n";
  for (int i = 0; i < premises; ++i) {
    const std::string n = std::to_string(i);
    out += R"({"type":"premise","id":"P-)" + n + R"(","address":")" + std::to_string(100 + i) +
           R"( N Maple St, Springfield IL"})" "\n";
    for (const char* code : {"WEAPONS", "AUTISM"})
      out += R"({"type":"flag","id":"F-)" + n + code + R"(","premise":"P-)" + n + R"(","kind":"safety","code":")" +
             code + R"(","note":"version )" + v + R"(","audience":"all"})" "\n";
  }
  return complete(out);
}

// Lookups run on their own connection: during a snapshot import on the same
// Cache they still answer, and always from one whole version.
TEST_F(CacheTest, LookupsDuringAnImportSeeOneWholeVersion) {
  Cache c = open();
  ASSERT_TRUE(c.import_text(versioned_snapshot(1, 400), "v1").ok());
  std::atomic<bool> done{false};
  std::thread importer([&] {
    for (int v = 2; v <= 6; ++v) EXPECT_TRUE(c.import_text(versioned_snapshot(v, 400), "v").ok());
    done = true;
  });
  int lookups = 0;
  while (!done) {
    const MatchResult m = match(c, "100 N MAPLE ST, SPRINGFIELD IL");
    ASSERT_EQ(m.freshness, Freshness::fresh) << m.unavailable_reason;
    ASSERT_EQ(m.flags.size(), 2u);
    ASSERT_EQ(m.flags[0].note, m.flags[1].note) << "flags from two versions in one answer";
    ++lookups;
  }
  importer.join();
  EXPECT_EQ(match(c, "100 N MAPLE ST, SPRINGFIELD IL").flags.at(0).note, "version 6");
  std::printf("%d lookups answered during 5 snapshot imports\n", lookups);
}

// The cache knows the cities its premises carry, so CAD's "no comma, no
// state" spelling finds them; a town it does not know still matches nothing.
TEST_F(FlagLookup, KnownCityWithoutCommaOrStateIsExact) {
  const MatchResult m = match(c, "17 OAK AVE SPRINGFIELD");
  EXPECT_EQ(m.level, MatchLevel::exact);
  ASSERT_EQ(m.premises.size(), 1u);
  EXPECT_EQ(m.premises[0].id, "P-2");
  EXPECT_EQ(m.normalized_address, "17 OAK AVE, SPRINGFIELD");
  EXPECT_EQ(match(c, "1208 N MAPLE ST 3B SPRINGFIELD").level, MatchLevel::exact);
}

TEST_F(FlagLookup, UnknownTownWithoutCommaMatchesNothing) {
  EXPECT_EQ(match(c, "17 OAK AVE SHELBYVILLE").level, MatchLevel::none);
  EXPECT_EQ(match(c, "17 OAK AVE EAST SPRINGFIELD").level, MatchLevel::none);
}

// With a state after the town the compass word was read as the street's,
// and a premise on the street without any directional was shown "below
// exact" for what may be East Springfield, another town. It is not taken:
// it is asked about, as a premise in a town the cache does not know is; a
// premise that has the post-directional still is taken, and a comma still
// says whose the word is.
TEST_F(FlagLookup, ACompassWordBeforeAKnownTownMayNameAnotherTown) {
  add(R"({"type":"premise","id":"P-Q","address":"88 Quarry Rd, Springfield IL"})" "\n"
      R"({"type":"premise","id":"P-B","address":"40 Birch Ave E, Springfield IL"})" "\n"
      R"({"type":"flag","id":"F-Q","premise":"P-Q","kind":"safety","code":"DOG","audience":"all"})" "\n"
      R"({"type":"flag","id":"F-B","premise":"P-B","kind":"safety","code":"WEAPONS","audience":"all"})" "\n");
  // Shown "below exact" for a comma before E, which says the E is the town's.
  for (const char* text :
       {"88 QUARRY RD EAST SPRINGFIELD IL", "88 QUARRY RD E SPRINGFIELD IL 62701", "88 QUARRY RD, E SPRINGFIELD IL"}) {
    const MatchResult m = match(c, text);
    EXPECT_EQ(m.level, MatchLevel::none) << text;
    EXPECT_TRUE(m.flags.empty()) << text;
    EXPECT_EQ(m.ambiguous_candidates, (std::vector<std::string>{"P-Q"})) << text;
    ASSERT_EQ(m.reasons.size(), 1u) << text;
    EXPECT_NE(m.reasons[0].find("may name another town"), std::string::npos) << m.reasons[0];
    EXPECT_NE(m.reasons[0].find("; flagged premise on file: 88 QUARRY RD, SPRINGFIELD IL"), std::string::npos)
        << m.reasons[0];
  }
  const MatchResult street = match(c, "40 BIRCH AVE E SPRINGFIELD IL");
  EXPECT_EQ(street.level, MatchLevel::exact);
  ASSERT_EQ(street.premises.size(), 1u);
  EXPECT_EQ(street.premises[0].id, "P-B");
  EXPECT_EQ(match(c, "88 QUARRY RD, SPRINGFIELD IL").level, MatchLevel::exact);
  const MatchResult comma = match(c, "88 QUARRY RD E, SPRINGFIELD IL");
  EXPECT_EQ(comma.level, MatchLevel::building);
  EXPECT_EQ(comma.reasons, (std::vector<std::string>{"directional not on file"}));
}

// "1208 N MAPLE ST W SPRINGFIELD IL": read with W as the street's, N MAPLE
// ST W is another street than the premise's N MAPLE ST, and the answer was
// no match with no reason, though W SPRINGFIELD may be the town meant. The
// premise is asked about; with a comma the street is the one written.
TEST_F(FlagLookup, ACompassWordBeforeAKnownTownAfterADirectionalStreetIsAskedAbout) {
  const MatchResult m = match(c, "1208 N MAPLE ST W SPRINGFIELD IL");
  EXPECT_EQ(m.level, MatchLevel::none);
  EXPECT_TRUE(m.flags.empty());
  EXPECT_EQ(m.ambiguous_candidates, (std::vector<std::string>{"P-1"}));
  ASSERT_EQ(m.reasons.size(), 1u);
  EXPECT_EQ(m.reasons[0], "W before SPRINGFIELD may name another town: W SPRINGFIELD; flagged premise on file: "
                          "1208 N MAPLE ST APT 3B, SPRINGFIELD IL");
  const MatchResult comma = match(c, "1208 N MAPLE ST W, SPRINGFIELD IL");
  EXPECT_EQ(comma.level, MatchLevel::none);
  EXPECT_TRUE(comma.ambiguous_candidates.empty()) << "another street, as written";
  // The comma before the compass word puts it with the town: asked too.
  EXPECT_EQ(match(c, "1208 N MAPLE ST, W SPRINGFIELD IL").ambiguous_candidates, (std::vector<std::string>{"P-1"}));
}

// "1200 HWY 35 N" for the registry's "1200 N HWY 35": read as "different"
// it matched nothing and said nothing. On a numbered road the directional's
// side is how it was written; on a grid street it names another street.
TEST_F(FlagLookup, ARoadsDirectionalOnTheOtherSideOfItsNumberIsFoundBelowExact) {
  add(R"({"type":"premise","id":"P-H","address":"1200 N Hwy 35, Lindale TX"})" "\n"
      R"({"type":"premise","id":"P-F","address":"4400 FM 1960 Rd W, Lindale TX"})" "\n"
      R"({"type":"premise","id":"P-M","address":"90 N Maple St, Lindale TX"})" "\n"
      R"({"type":"flag","id":"F-H","premise":"P-H","kind":"safety","code":"WEAPONS","audience":"all"})" "\n"
      R"({"type":"flag","id":"F-F","premise":"P-F","kind":"safety","code":"DOG","audience":"all"})" "\n"
      R"({"type":"flag","id":"F-M","premise":"P-M","kind":"safety","code":"DOG","audience":"all"})" "\n");
  for (const char* text : {"1200 HWY 35 N, LINDALE TX", "1200 STATE HWY 35 N LINDALE TX"}) {
    const MatchResult m = match(c, text);
    EXPECT_EQ(m.level, MatchLevel::building) << text;
    ASSERT_EQ(m.premises.size(), 1u) << text;
    EXPECT_EQ(m.premises[0].id, "P-H");
    EXPECT_EQ(m.reasons, (std::vector<std::string>{"N written after the road, on file before it"})) << text;
  }
  EXPECT_EQ(match(c, "1200 N HWY 35, LINDALE TX").level, MatchLevel::exact);
  const MatchResult before = match(c, "4400 W FM 1960, LINDALE TX");
  EXPECT_EQ(before.level, MatchLevel::building);
  EXPECT_EQ(before.reasons, (std::vector<std::string>{"W written before the road, on file after it"}));
  // Another directional, or another town, is still another place.
  EXPECT_EQ(match(c, "1200 HWY 35 S, LINDALE TX").level, MatchLevel::none);
  EXPECT_EQ(match(c, "1200 HWY 35 N, TYLER TX").level, MatchLevel::none);
  // Grid streets: MAPLE ST N is not N MAPLE ST.
  EXPECT_EQ(match(c, "90 MAPLE ST N, LINDALE TX").level, MatchLevel::none);
  // "FM 1960 RD W": the road FM already names, as the registry also wrote it.
  for (const char* text : {"4400 FM 1960 W, LINDALE TX", "4400 FM 1960 RD W, LINDALE TX", "4400 FM 1960 ROAD W LINDALE TX"})
    EXPECT_EQ(match(c, text).level, MatchLevel::exact) << text;
}

// The number and street on file, and words around them the lookup could
// not read: a town the cache does not know, remarks after the street, a unit
// spelled out. Matched nothing and said nothing; now asked, naming the
// premise, and still never shown as it (the town may truly be another).
TEST_F(FlagLookup, ANearMissIsAskedNeverSilent) {
  add(R"({"type":"premise","id":"P-P","address":"77 Pine Rd, Springfield IL"})" "\n"
      R"({"type":"premise","id":"P-L","address":"5 Lake St, Lindale WI"})" "\n"
      R"({"type":"flag","id":"F-P","premise":"P-P","kind":"safety","code":"WEAPONS","audience":"all"})" "\n"
      R"({"type":"flag","id":"F-L","premise":"P-L","kind":"safety","code":"DOG","audience":"all"})" "\n");
  const struct {
    const char* text;
    const char* left_out;
  } asked[] = {{"77 PINE RD RP IN DRIVEWAY", "RP IN DRIVEWAY"},
               {"77 PINE ROAD CALLER ON PORCH, SPRINGFIELD", "CALLER ON PORCH"},
               {"77 PINE RD, SHELBYVILLE IL", "SHELBYVILLE"},
               {"77 PINE RD SHELBYVILLE", "SHELBYVILLE"}};
  for (const auto& [text, left_out] : asked) {
    const MatchResult m = match(c, text);
    EXPECT_EQ(m.level, MatchLevel::none) << text;
    EXPECT_TRUE(m.flags.empty()) << text;
    EXPECT_EQ(m.ambiguous_candidates, (std::vector<std::string>{"P-P"})) << text;
    EXPECT_EQ(m.reasons, (std::vector<std::string>{"\"" + std::string(left_out) +
                                                   "\" not understood; flagged premise on file: 77 PINE RD, SPRINGFIELD IL"}))
        << text;
  }
  // Another town the cache knows, another street, another number: no such
  // premise, and nothing to ask.
  for (const char* text : {"77 PINE RD, LINDALE WI", "77 PINE VALLEY RD", "78 PINE RD RP IN DRIVEWAY"}) {
    const MatchResult m = match(c, text);
    EXPECT_EQ(m.level, MatchLevel::none) << text;
    EXPECT_TRUE(m.ambiguous_candidates.empty()) << text;
    EXPECT_TRUE(m.reasons.empty()) << text;
  }
  EXPECT_EQ(match(c, "77 PINE RD, SPRINGFIELD IL").level, MatchLevel::exact);
  // A name's last word that is also a type, the street's own type left out:
  // "540 MEADOW RIDGE" reads as Meadow Rdg, for the registry's 540 Meadow
  // Ridge Blvd.
  add(R"({"type":"premise","id":"P-R","address":"540 Meadow Ridge Blvd, Springfield IL"})" "\n"
      R"({"type":"flag","id":"F-R","premise":"P-R","kind":"safety","code":"DOG","audience":"all"})" "\n");
  const MatchResult ridge = match(c, "540 MEADOW RIDGE, SPRINGFIELD");
  EXPECT_EQ(ridge.level, MatchLevel::none);
  EXPECT_EQ(ridge.ambiguous_candidates, (std::vector<std::string>{"P-R"}));
  EXPECT_EQ(ridge.reasons, (std::vector<std::string>{"RIDGE read as part of the street's name; flagged premise on "
                                                     "file: 540 MEADOW RIDGE BLVD, SPRINGFIELD IL"}));
  EXPECT_TRUE(match(c, "541 MEADOW RIDGE, SPRINGFIELD").ambiguous_candidates.empty());
  // Whichever spelling of the type the name holds (PARK is its own standard form).
  add(R"({"type":"premise","id":"P-K","address":"10 Birchwood Park Dr S, Springfield IL"})" "\n"
      R"({"type":"flag","id":"F-K","premise":"P-K","kind":"safety","code":"DOG","audience":"all"})" "\n");
  EXPECT_EQ(match(c, "10 BIRCHWOOD PARK S, SPRINGFIELD").ambiguous_candidates, (std::vector<std::string>{"P-K"}));
}

// Remarks after a street whose name has no type at its end (a lettered
// county road, a spur, a route's modifier, a leading-type name) ran into the
// name; and a compass word before a town was not read as the street's, so
// the town went into the street too. Silent before; now asked, naming the
// premise. A known town at the end of the text is the one meant: another
// town's premise of that number and street is not asked about.
TEST_F(FlagLookup, RemarksAfterANameWithNoTypeAreAskedAbout) {
  add_flagged({{"P-Y", "7441 E County Road Y, Gordon WI"},
               {"P-S", "200 Spur 113, Teague TX"},
               {"P-B", "820 N Highway 71 Business, Lowell AR"},
               {"P-V", "9221 E Via De Ventura, Scottsdale AZ"},
               {"P-C", "10 Birchwood Park Dr S, Cherry Hill NJ"},
               {"P-W", "1 Elm St, Long Beach CA"}});
  const std::string on_file = " not understood; flagged premise on file: ";
  expect_asked("7441 E COUNTY ROAD Y RP ON SCENE", "P-Y", "\"RP ON SCENE\"" + on_file + "7441 E COUNTY RD Y, GORDON WI");
  expect_asked("200 SPUR 113 RP ON SCENE", "P-S", "\"RP ON SCENE\"" + on_file + "200 SPUR 113, TEAGUE TX");
  expect_asked("820 N HIGHWAY 71 BUSINESS RP ON SCENE", "P-B",
               "\"RP ON SCENE\"" + on_file + "820 N HWY 71 BUSINESS, LOWELL AR");
  expect_asked("9221 E VIA DE VENTURA CALLER ADVISES", "P-V",
               "\"CALLER ADVISES\"" + on_file + "9221 E VIA DE VENTURA, SCOTTSDALE AZ");
  expect_asked("10 BIRCHWOOD PARK DR S CHERRY HILL", "P-C",
               "\"CHERRY HL\"" + on_file + "10 BIRCHWOOD PARK DR S, CHERRY HILL NJ");
  // Another number, another county road, another known town: nothing to ask.
  for (const char* text : {"7443 E COUNTY ROAD Y RP ON SCENE", "7441 E COUNTY ROAD YY RP ON SCENE",
                           "200 SPUR 114 RP ON SCENE", "10 BIRCHWOOD PARK DR S LONG BEACH",
                           "10 BIRCHWOOD PARK DR S LONG BEACH CA"})
    expect_nothing(text);
  EXPECT_EQ(match(c, "7441 E COUNTY ROAD Y, GORDON WI").level, MatchLevel::exact);
  EXPECT_EQ(match(c, "10 BIRCHWOOD PARK DR S, CHERRY HILL NJ").level, MatchLevel::exact);
}

// A directional that is the street's name, written as a directional ("4222
// N WAY" for 4222 North Way), and a spelled-out directional before a
// directional-named street ("1255 WEST NORTH AVE" for 1255 W North Ave): the
// two readings found different streets. Asked about, saying how it was read;
// the other directional stays another street.
TEST_F(FlagLookup, ADirectionalReadAsTheNameOrTheNameAsADirectionalIsAskedAbout) {
  add_flagged({{"P-NW", "4222 North Way, Central City IA"},
               {"P-SS", "641 South St NW, Washington DC"},
               {"P-WN", "1255 W North Ave, Chicago IL"},
               {"P-NA", "306 North Ave NW, Cedar Rapids IA"},
               {"P-SP", "550 W Side Pl SW, Cedar Rapids IA"}});
  const std::string on_file = "\"RP ON SCENE\" not understood; flagged premise on file: ";
  expect_asked("4222 NORTH WAY RP ON SCENE", "P-NW",
               "N read as the street's name NORTH, " + on_file + "4222 NORTH WAY, CENTRAL CITY IA");
  expect_asked("641 S ST NW RP ON SCENE", "P-SS",
               "S read as the street's name SOUTH, " + on_file + "641 SOUTH ST NW, WASHINGTON DC");
  expect_asked("306 N AVE NW RP ON SCENE", "P-NA",
               "N read as the street's name NORTH, " + on_file + "306 NORTH AVE NW, CEDAR RAPIDS IA");
  expect_asked("550 WEST SIDE PL SW RP ON SCENE", "P-SP", on_file + "550 W SIDE PL SW, CEDAR RAPIDS IA");
  expect_asked("1255 WEST NORTH AVE, CHICAGO, IL", "P-WN",
               "WEST read as the directional W; flagged premise on file: 1255 W NORTH AVE, CHICAGO IL");
  for (const char* text : {"1255 EAST NORTH AVE, CHICAGO, IL", "4224 NORTH WAY RP ON SCENE", "642 S ST NW RP ON SCENE"})
    expect_nothing(text);
  EXPECT_EQ(match(c, "1255 W NORTH AVE, CHICAGO IL").level, MatchLevel::exact);
  EXPECT_EQ(match(c, "4222 NORTH WAY, CENTRAL CITY IA").level, MatchLevel::exact);
}

// A route's number with its kind on one side only: CAD's ROUTE 202 (read
// as the plain HWY 202) for the registry's US HWY 202, and the other way
// round. It may be the same road or another: asked, never shown. Two kinds
// of their own are two roads.
TEST_F(FlagLookup, ARouteWithItsKindLeftOutIsAskedAbout) {
  add_flagged({{"P-US", "254 US Highway 202, Pluckemin NJ"}, {"P-H", "5801 N Highway 763, Columbia MO"}});
  for (const char* text : {"254 ROUTE 202, PLUCKEMIN NJ", "254 RT 202 PLUCKEMIN", "254 HWY 202"})
    expect_asked(text, "P-US", "HWY 202 could be US HWY 202; flagged premise on file: 254 US HWY 202, PLUCKEMIN NJ");
  expect_asked("5801 N US HWY 763", "P-H", "US HWY 763 could be HWY 763; flagged premise on file: 5801 N HWY 763, COLUMBIA MO");
  for (const char* text : {"254 ROUTE 203, PLUCKEMIN NJ", "256 ROUTE 202, PLUCKEMIN NJ", "254 I 202, PLUCKEMIN NJ"})
    expect_nothing(text);
  EXPECT_EQ(match(c, "254 US 202, PLUCKEMIN NJ").level, MatchLevel::exact);
}

// A unit's five-digit number at the end of the text reads as a ZIP, and
// the unit is left with no number: asked about, saying so.
TEST_F(FlagLookup, AUnitNumberReadAsAZipIsAskedAbout) {
  add_flagged({{"P-U", "101 E Market St Unit 17771, Long Beach CA 90807"}});
  for (const char* text : {"101 E MARKET ST UNIT 17771", "101 E MARKET ST # 17771"})
    expect_asked(text, "P-U",
                 "17771 read as the unit's number; flagged premise on file: 101 E MARKET ST UNIT 17771, LONG BEACH CA 90807");
  EXPECT_TRUE(match(c, "101 W MARKET ST UNIT 17771").ambiguous_candidates.empty());
  EXPECT_EQ(match(c, "101 E MARKET ST UNIT 17771, LONG BEACH CA").level, MatchLevel::exact);
}

// A unit, then another town, no comma: the town went into the unit (read
// literally when the known town's reading found nothing), the reading named
// no town, and another town's premise of that number and street was shown
// at building level as "the whole building".
TEST_F(FlagLookup, AUnitThenAnotherTownIsNeverThatTownsPremise) {
  add(R"({"type":"premise","id":"P-O","address":"40 Oak Ave, Brookton IL"})" "\n"
      R"({"type":"premise","id":"P-M","address":"12 Main St, Lindale IL"})" "\n"
      R"({"type":"flag","id":"F-O","premise":"P-O","kind":"safety","code":"WEAPONS","audience":"all"})" "\n"
      R"({"type":"flag","id":"F-M","premise":"P-M","kind":"safety","code":"DOG","audience":"all"})" "\n");
  for (const char* text : {"40 OAK AVE APT 2 LINDALE", "40 OAK AVE # 2 LINDALE", "40 OAK AVE STE 200 LINDALE",
                           "40 OAK AVE LOT 7 LINDALE", "12 MAIN ST APT 3 BROOKTON IL CALLER ADVISES DOG"}) {
    const MatchResult m = match(c, text);
    EXPECT_EQ(m.level, MatchLevel::none) << text;
    EXPECT_TRUE(m.premises.empty()) << text;
    EXPECT_TRUE(m.flags.empty()) << text;
    EXPECT_TRUE(m.ambiguous_candidates.empty()) << text;
  }
  // A town the cache does not know: asked, never shown.
  const MatchResult unknown = match(c, "40 OAK AVE APT 2 SHELBYVILLE");
  EXPECT_EQ(unknown.level, MatchLevel::none);
  EXPECT_TRUE(unknown.flags.empty());
  EXPECT_EQ(unknown.ambiguous_candidates, (std::vector<std::string>{"P-O"}));
  // The premise's own town still finds it, below exact for the unit.
  const MatchResult own = match(c, "40 OAK AVE APT 2 BROOKTON");
  EXPECT_EQ(own.level, MatchLevel::building);
  ASSERT_EQ(own.premises.size(), 1u);
  EXPECT_EQ(own.premises[0].id, "P-O");
}

// A city a letter or two from a known one may be a misspelling, or a real
// town of its own with the same address: CHINO and CHICO are both in
// California. Read as the known town, a call in Chino was shown a Chico
// premise's flags. Two letters swapped (SPRINGFEILD) is a slip of the
// fingers and is read so (below exact, and said); any other such city only
// where CAD's point is at the premise, and it is asked otherwise, naming the
// premise. A city farther off, or with a word more, is another place.
TEST_F(FlagLookup, AMisspelledCityIsReadAsTheKnownOneWhenSwappedOrWhereCadsPointIsAtThePremise) {
  const MatchResult swapped = match(c, "17 OAK AVE, SPRINGFEILD IL");
  EXPECT_EQ(swapped.level, MatchLevel::building);
  ASSERT_EQ(swapped.premises.size(), 1u);
  EXPECT_EQ(swapped.premises[0].id, "P-2");
  EXPECT_EQ(swapped.reasons, (std::vector<std::string>{"city SPRINGFEILD read as SPRINGFIELD"}));
  EXPECT_EQ(swapped.normalized_address, "17 OAK AVE, SPRINGFIELD IL");

  add(R"({"type":"premise","id":"P-CH","address":"88 Main St, Chico CA","lat":39.7285,"lon":-121.8375})" "\n"
      R"({"type":"flag","id":"F-CH","premise":"P-CH","kind":"safety","code":"WEAPONS","audience":"all"})" "\n");
  const MatchResult unconfirmed = match(c, "88 MAIN ST, CHINO CA");
  EXPECT_EQ(unconfirmed.level, MatchLevel::none);
  EXPECT_TRUE(unconfirmed.premises.empty());
  EXPECT_TRUE(unconfirmed.flags.empty());
  EXPECT_EQ(unconfirmed.ambiguous_candidates, (std::vector<std::string>{"P-CH"}));
  EXPECT_EQ(unconfirmed.reasons,
            (std::vector<std::string>{"CHINO may be a town of its own (no CAD location to tell); flagged premise on "
                                      "file: 88 MAIN ST, CHICO CA",
                                      "city CHINO could be CHICO"}));
  EXPECT_EQ(unconfirmed.normalized_address, "88 MAIN ST, CHINO CA") << "the text as written: it was not read as Chico";
  // CAD's point in Chino, 600 km south: asked.
  const MatchResult elsewhere = match(c, "88 MAIN ST, CHINO CA", 34.0122, -117.6889);
  EXPECT_EQ(elsewhere.level, MatchLevel::none);
  EXPECT_TRUE(elsewhere.flags.empty());
  EXPECT_EQ(elsewhere.ambiguous_candidates, (std::vector<std::string>{"P-CH"}));
  ASSERT_FALSE(elsewhere.reasons.empty());
  EXPECT_NE(elsewhere.reasons[0].find("(the CAD location is not at the premise)"), std::string::npos);
  // CAD's point at the premise: the misspelling it looked like.
  const MatchResult typo = match(c, "88 MAIN ST, CHINO CA", 39.7286, -121.8376);
  EXPECT_EQ(typo.level, MatchLevel::building);
  ASSERT_EQ(typo.premises.size(), 1u);
  EXPECT_EQ(typo.premises[0].id, "P-CH");
  ASSERT_EQ(typo.flags.size(), 1u);
  EXPECT_EQ(typo.flags[0].id, "F-CH");
  EXPECT_EQ(typo.reasons, (std::vector<std::string>{"city CHINO read as CHICO"}));
  EXPECT_EQ(typo.normalized_address, "88 MAIN ST, CHICO CA");
  // With the location check off, nothing confirms it, and the reason says so.
  MatchOptions unchecked;
  unchecked.max_text_geo_gap_m = 0;
  const MatchResult off = match(c, "88 MAIN ST, CHINO CA", 39.7286, -121.8376, unchecked);
  EXPECT_EQ(off.ambiguous_candidates, (std::vector<std::string>{"P-CH"}));
  ASSERT_FALSE(off.reasons.empty());
  EXPECT_NE(off.reasons[0].find("(the CAD location is not checked (max_text_geo_gap_m = 0))"), std::string::npos)
      << off.reasons[0];
  // A letter more, or a letter other than a swap, is not a swap. A premise
  // with no location is never confirmed by a point, and the reason says so.
  const MatchResult more = match(c, "17 OAK AVE, SPRINGFIELDD IL", 39.7817, -89.6501);
  EXPECT_EQ(more.level, MatchLevel::none);
  EXPECT_EQ(more.ambiguous_candidates, (std::vector<std::string>{"P-2"}));
  ASSERT_EQ(more.reasons.size(), 2u);
  EXPECT_NE(more.reasons[0].find("(no location on file for the premise to tell)"), std::string::npos) << more.reasons[0];
  EXPECT_EQ(more.reasons[1], "city SPRINGFIELDD could be SPRINGFIELD");
  // Two letters swapped is taken, unless CAD's point is elsewhere.
  EXPECT_EQ(match(c, "88 MAIN ST, CHIOC CA").level, MatchLevel::building);
  const MatchResult swapped_far = match(c, "88 MAIN ST, CHIOC CA", 34.0122, -117.6889);
  EXPECT_EQ(swapped_far.level, MatchLevel::none);
  EXPECT_TRUE(swapped_far.flags.empty());
  EXPECT_EQ(swapped_far.ambiguous_candidates, (std::vector<std::string>{"P-CH"}));
  EXPECT_EQ(match(c, "17 OAK AVE, SHELBYVILLE IL").level, MatchLevel::none);
  EXPECT_EQ(match(c, "17 OAK AVE, SPRNGFLD IL").level, MatchLevel::none);
  // As long as SPRINGFIELD but three letters off: other towns, whose
  // addresses were shown Springfield's flags.
  for (const char* other : {"17 OAK AVE, SPRINGVILLE IL", "17 OAK AVE, SPRINGVIEW IL", "17 OAK AVE SPRINGHILL IL"}) {
    EXPECT_EQ(match(c, other).level, MatchLevel::none) << other;
    EXPECT_TRUE(match(c, other).flags.empty()) << other;
  }
}

// A misspelling as near to two known towns is neither: each has its own
// 5 CEDAR ST, and taking one showed that town's flags for the other.
TEST_F(FlagLookup, AMisspelledCityAsNearToTwoTownsIsAmbiguous) {
  add(R"({"type":"premise","id":"P-MA","address":"5 Cedar St, Marlow IL"})" "\n"
      R"({"type":"premise","id":"P-ME","address":"5 Cedar St, Merlow IL"})" "\n"
      R"({"type":"flag","id":"F-MA","premise":"P-MA","kind":"safety","code":"WEAPONS","audience":"all"})" "\n"
      R"({"type":"flag","id":"F-ME","premise":"P-ME","kind":"safety","code":"DOG","audience":"all"})" "\n");
  const MatchResult m = match(c, "5 CEDAR ST, MORLOW IL");
  EXPECT_EQ(m.level, MatchLevel::none);
  EXPECT_TRUE(m.flags.empty());
  EXPECT_EQ(m.ambiguous_candidates, (std::vector<std::string>{"P-MA", "P-ME"}));
  EXPECT_EQ(m.reasons, (std::vector<std::string>{"address fits 2 flagged premises", "city MORLOW could be MARLOW or MERLOW"}));
  // Near to one only, by two letters swapped, it is that one, below exact;
  // by a letter more, it is that one's premise that is asked about.
  const MatchResult one = match(c, "5 CEDAR ST, MRALOW IL");
  ASSERT_EQ(one.premises.size(), 1u);
  EXPECT_EQ(one.premises[0].id, "P-MA");
  EXPECT_EQ(one.level, MatchLevel::building);
  const MatchResult more = match(c, "5 CEDAR ST, MARLOWW IL");
  EXPECT_EQ(more.level, MatchLevel::none);
  EXPECT_EQ(more.ambiguous_candidates, (std::vector<std::string>{"P-MA"}));
}

// "200 LAKE ST N SPRINGFIELD" with NORTH SPRINGFIELD and SPRINGFIELD both
// on file reads two ways: taken as NORTH SPRINGFIELD, it showed that town's
// premise as this address, and the one at 200 LAKE ST N never came up.
TEST_F(FlagLookup, ACompassWordBeforeAKnownTownThatReadsTwoWaysIsAmbiguous) {
  add(R"({"type":"premise","id":"P-NS","address":"200 Lake St, North Springfield IL"})" "\n"
      R"({"type":"premise","id":"P-SN","address":"200 Lake St N, Springfield IL"})" "\n"
      R"({"type":"flag","id":"F-NS","premise":"P-NS","kind":"safety","code":"DOG","audience":"all"})" "\n"
      R"({"type":"flag","id":"F-SN","premise":"P-SN","kind":"safety","code":"WEAPONS","audience":"all"})" "\n");
  const MatchResult m = match(c, "200 LAKE ST N SPRINGFIELD");
  EXPECT_EQ(m.level, MatchLevel::none);
  EXPECT_TRUE(m.flags.empty());
  EXPECT_EQ(m.ambiguous_candidates, (std::vector<std::string>{"P-NS", "P-SN"}));
  // A comma says which it is.
  const MatchResult comma = match(c, "200 LAKE ST N, SPRINGFIELD");
  ASSERT_EQ(comma.premises.size(), 1u);
  EXPECT_EQ(comma.premises[0].id, "P-SN");
  const MatchResult town = match(c, "200 LAKE ST, NORTH SPRINGFIELD");
  ASSERT_EQ(town.premises.size(), 1u);
  EXPECT_EQ(town.premises[0].id, "P-NS");
}

// The same letter at a door written as the unit or as the house number's
// suffix: either way round it found nothing and said nothing.
TEST_F(FlagLookup, ALetterWrittenAsUnitOrAsHouseSuffixFindsThePremiseBelowExact) {
  add(R"({"type":"premise","id":"P-14A","address":"14A Birch Ln, Springfield IL"})" "\n"
      R"({"type":"premise","id":"P-30B","address":"30 Elm St Apt B, Springfield IL"})" "\n"
      R"({"type":"flag","id":"F-14A","premise":"P-14A","kind":"safety","code":"WEAPONS","audience":"all"})" "\n"
      R"({"type":"flag","id":"F-30B","premise":"P-30B","kind":"safety","code":"DOG","audience":"all"})" "\n");
  const MatchResult unit = match(c, "14 BIRCH LN APT A, SPRINGFIELD IL");
  EXPECT_EQ(unit.level, MatchLevel::building);
  ASSERT_EQ(unit.premises.size(), 1u);
  EXPECT_EQ(unit.premises[0].id, "P-14A");
  ASSERT_EQ(unit.flags.size(), 1u);
  EXPECT_EQ(unit.reasons, (std::vector<std::string>{"unit A read as house number 14A"}));
  const MatchResult suffix = match(c, "30B ELM ST, SPRINGFIELD IL");
  EXPECT_EQ(suffix.level, MatchLevel::building);
  ASSERT_EQ(suffix.premises.size(), 1u);
  EXPECT_EQ(suffix.premises[0].id, "P-30B");
  EXPECT_EQ(suffix.reasons, (std::vector<std::string>{"house number 30B read as 30 unit B"}));
  // Written as the registry has it, still exact; a number alone is not moved.
  EXPECT_EQ(match(c, "14A BIRCH LN, SPRINGFIELD IL").level, MatchLevel::exact);
  EXPECT_EQ(match(c, "14 BIRCH LN APT 2, SPRINGFIELD IL").level, MatchLevel::none);
}

// CAD's remarks running on after the town and state, with or without a
// comma: read whole, the text was one long street that found nothing, and
// the panel said nothing. Read up to the known town and its state, the
// premise is found below exact and the words left out are named. The town
// still decides which premise: the same street in another town is another.
TEST_F(FlagLookup, RemarksAfterTheTownAndStateStillFindThePremiseBelowExact) {
  add(R"({"type":"premise","id":"P-OAK-S","address":"88 Quarry Rd, Springfield IL"})" "\n"
      R"({"type":"premise","id":"P-OAK-L","address":"88 Quarry Rd, Lindale IL"})" "\n"
      R"({"type":"flag","id":"F-OAK-S","premise":"P-OAK-S","kind":"safety","code":"DOG","audience":"all"})" "\n"
      R"({"type":"flag","id":"F-OAK-L","premise":"P-OAK-L","kind":"safety","code":"WEAPONS","audience":"all"})" "\n");
  const std::pair<const char*, const char*> cases[] = {
      {"88 QUARRY RD SPRINGFIELD IL CALLER ADVISES DOG", "\"CALLER ADVISES DOG\" after the town read as a note"},
      {"88 QUARRY RD SPRINGFIELD IL, CALLER ADVISES DOG", "\"CALLER ADVISES DOG\" after the town read as a note"},
      {"88 Quarry Rd Springfield Ill. ref domestic", "\"ref domestic\" after the town read as a note"},
      {"88 QUARRY RD LINDALE IL 62701 SEE REMARKS", "\"SEE REMARKS\" after the town read as a note"},
      {"88 QUARRY RD, SPRINGFIELD, CALLER ON SCENE", "\"CALLER ON SCENE\" after the town read as a note"},
  };
  for (const auto& [text, reason] : cases) {
    const MatchResult m = match(c, text);
    EXPECT_EQ(m.level, MatchLevel::building) << text;
    ASSERT_EQ(m.premises.size(), 1u) << text;
    EXPECT_EQ(m.premises[0].id, std::string(text).find("LINDALE") != std::string::npos ? "P-OAK-L" : "P-OAK-S");
    ASSERT_EQ(m.flags.size(), 1u) << text;
    EXPECT_EQ(m.reasons, (std::vector<std::string>{reason})) << text;
  }
  // Written without remarks it stays exact; a town the cache does not know
  // finds neither premise; a known town's name with more words after it and
  // no state or comma to end it may be another town, and is not cut.
  EXPECT_EQ(match(c, "88 QUARRY RD SPRINGFIELD IL").level, MatchLevel::exact);
  EXPECT_EQ(match(c, "88 QUARRY RD SHELBYVILLE IL CALLER ADVISES DOG").level, MatchLevel::none);
  EXPECT_TRUE(match(c, "88 QUARRY RD SHELBYVILLE IL CALLER ADVISES DOG").flags.empty());
  EXPECT_EQ(match(c, "88 QUARRY RD SPRINGFIELD CALLER ADVISES DOG").level, MatchLevel::none);
  EXPECT_EQ(match(c, "88 QUARRY RD, SPRINGFIELD GARDENS, NY").level, MatchLevel::none);
  EXPECT_EQ(match(c, "88 QUARRY RD SPRINGFIELD GARDENS NY CALLER").level, MatchLevel::none);
}

// Numbered streets without the ordinal's letters, and a unit written after
// the town, in CAD's text or in the registry's: each found nothing before.
TEST_F(FlagLookup, NumberedStreetsAndAUnitAfterTheTownFindThePremise) {
  add(R"({"type":"premise","id":"P-5TH","address":"500 5th Ave, Springfield IL"})" "\n"
      R"({"type":"premise","id":"P-3RD","address":"40 W 3 St, Springfield IL"})" "\n"
      R"({"type":"premise","id":"P-APT","address":"12 Pine St, Springfield IL, Apt 5"})" "\n"
      R"({"type":"flag","id":"F-5TH","premise":"P-5TH","kind":"safety","code":"WEAPONS","audience":"all"})" "\n"
      R"({"type":"flag","id":"F-3RD","premise":"P-3RD","kind":"safety","code":"DOG","audience":"all"})" "\n"
      R"({"type":"flag","id":"F-APT","premise":"P-APT","kind":"safety","code":"WEAPONS","audience":"all"})" "\n");
  for (const char* text : {"500 5 AVE, SPRINGFIELD IL", "500 FIFTH AVE SPRINGFIELD", "500 5TH AVE, SPRINGFIELD IL"}) {
    const MatchResult m = match(c, text);
    EXPECT_EQ(m.level, MatchLevel::exact) << text;
    ASSERT_EQ(m.premises.size(), 1u) << text;
    EXPECT_EQ(m.premises[0].id, "P-5TH");
  }
  EXPECT_EQ(match(c, "40 W 3RD ST, SPRINGFIELD IL").level, MatchLevel::exact);
  for (const char* text : {"12 PINE ST APT 5, SPRINGFIELD IL", "12 PINE ST, SPRINGFIELD IL, APT 5"}) {
    const MatchResult m = match(c, text);
    EXPECT_EQ(m.level, MatchLevel::exact) << text;
    ASSERT_EQ(m.premises.size(), 1u) << text;
    EXPECT_EQ(m.premises[0].id, "P-APT");
  }
}

// Each of these CAD spellings answered no flags, without a word.
TEST_F(FlagLookup, CadNotesZipPlusFourAndGridNumbersInPartsFindThePremise) {
  add(R"({"type":"premise","id":"P-G","address":"W140N5761 Lilly Rd, Springfield IL"})" "\n"
      R"({"type":"premise","id":"P-W","address":"W5432 County Road K, Springfield IL"})" "\n"
      R"({"type":"flag","id":"F-G","premise":"P-G","kind":"safety","code":"WEAPONS","audience":"all"})" "\n"
      R"({"type":"flag","id":"F-W","premise":"P-W","kind":"safety","code":"WEAPONS","audience":"all"})" "\n");
  const auto found = [&](const char* text, const char* id) {
    const MatchResult m = match(c, text);
    EXPECT_NE(m.level, MatchLevel::none) << text;
    EXPECT_TRUE(std::any_of(m.premises.begin(), m.premises.end(), [&](const auto& p) { return p.id == id; })) << text;
  };
  found("17 OAK AVE, SPRINGFIELD IL 62701 1234", "P-2");
  found("17 OAK AVE SPRINGFIELD IL 62701 1234", "P-2");
  found("17 OAK AVE **CALLER STATES SUBJ HAS KNIFE**, SPRINGFIELD IL", "P-2");
  found("17 OAK AVE, SPRINGFIELD IL **CALLBACK 555-0100**", "P-2");
  found("W140 N5761 LILLY RD, SPRINGFIELD IL", "P-G");
  found("W140 N 5761 LILLY RD, SPRINGFIELD IL", "P-G");
  found("W5432 CTH K, SPRINGFIELD IL", "P-W");
  // The registry's own text read the registry's way and CAD's way alike.
  add(R"({"type":"premise","id":"P-E","address":"1208E Cherry St, Springfield IL"})" "\n"
      R"({"type":"flag","id":"F-E","premise":"P-E","kind":"safety","code":"WEAPONS","audience":"all"})" "\n");
  found("1208E CHERRY ST, SPRINGFIELD IL", "P-E");
  found("1208 E CHERRY ST, SPRINGFIELD IL", "P-E");
  // "1,208": never 208 (nor a place name "1" before the address).
  add(R"({"type":"premise","id":"P-208","address":"208 Cherry St, Springfield IL"})" "\n"
      R"({"type":"flag","id":"F-208","premise":"P-208","kind":"safety","code":"DOG","audience":"all"})" "\n");
  const MatchResult thousands = match(c, "1,208 E CHERRY ST, SPRINGFIELD IL");
  ASSERT_EQ(thousands.premises.size(), 1u);
  EXPECT_EQ(thousands.premises[0].id, "P-E");
  EXPECT_TRUE(match(c, "12,208 CHERRY ST, SPRINGFIELD IL").premises.empty());
}

// NORTH EAST spelled out after the type: with a comma it is the street's
// NE; without one, before a known EAST town, it reads two ways.
TEST_F(FlagLookup, NorthEastSpelledOutIsTheQuadrantOrAmbiguousBeforeAnEastTown) {
  add(R"({"type":"premise","id":"P-NE","address":"1020 Pinecrest Dr NE, Lindale WI"})" "\n"
      R"({"type":"premise","id":"P-EL","address":"1020 Pinecrest Dr N, East Lindale WI"})" "\n"
      R"({"type":"flag","id":"F-NE","premise":"P-NE","kind":"safety","code":"WEAPONS","audience":"all"})" "\n"
      R"({"type":"flag","id":"F-EL","premise":"P-EL","kind":"safety","code":"DOG","audience":"all"})" "\n");
  const MatchResult comma = match(c, "1020 PINECREST DR NORTH EAST, LINDALE WI");
  EXPECT_EQ(comma.level, MatchLevel::exact);
  ASSERT_EQ(comma.premises.size(), 1u);
  EXPECT_EQ(comma.premises[0].id, "P-NE");
  const MatchResult two_ways = match(c, "1020 PINECREST DR NORTH EAST LINDALE WI");
  EXPECT_EQ(two_ways.level, MatchLevel::none);
  EXPECT_TRUE(two_ways.flags.empty());
  EXPECT_EQ(two_ways.ambiguous_candidates, (std::vector<std::string>{"P-EL", "P-NE"}));
}

// CAD's cross street after a comma is no city: the premise is found.
TEST_F(FlagLookup, ACrossStreetAfterTheAddressStillFindsThePremise) {
  EXPECT_EQ(match(c, "17 OAK AVE, ELM ST, SPRINGFIELD IL").level, MatchLevel::exact);
  const MatchResult m = match(c, "17 OAK AVE, ELM ST");
  EXPECT_EQ(m.level, MatchLevel::building);
  EXPECT_EQ(m.reasons, (std::vector<std::string>{"city not given"}));
}

// CAD's cross-street words with no comma ("X", "XST", "X-ST:", "CROSS:",
// "BTWN … AND …") ran the cross street into the street's name: found
// nothing, said nothing. The town after the cross street is kept, where a
// "/" used to drop it ("city not given"). "W AVENUE X" is still a street.
TEST_F(FlagLookup, CrossStreetWordsWithoutACommaStillFindThePremise) {
  for (const char* text : {"17 OAK AVE X MAPLE ST SPRINGFIELD IL", "17 OAK AVE XST MAPLE ST SPRINGFIELD IL",
                           "17 OAK AVE X-ST: MAPLE ST SPRINGFIELD IL", "17 OAK AVE CROSS: MAPLE ST SPRINGFIELD IL",
                           "17 OAK AVE BTWN MAPLE ST AND ELM ST SPRINGFIELD IL", "17 OAK AVE / MAPLE ST SPRINGFIELD IL",
                           "17 OAK AVE BETWEEN MAPLE ST AND ELM ST, SPRINGFIELD IL 62701"}) {
    const MatchResult m = match(c, text);
    EXPECT_EQ(m.level, MatchLevel::exact) << text;
    ASSERT_EQ(m.premises.size(), 1u) << text;
    EXPECT_EQ(m.premises[0].id, "P-2") << text;
  }
  add(R"({"type":"premise","id":"P-AVX","address":"1208 W Avenue X, Springfield IL"})" "\n"
      R"({"type":"flag","id":"F-AVX","premise":"P-AVX","kind":"safety","code":"DOG","audience":"all"})" "\n");
  const MatchResult avenue = match(c, "1208 W AVENUE X SPRINGFIELD IL");
  EXPECT_EQ(avenue.level, MatchLevel::exact);
  ASSERT_EQ(avenue.premises.size(), 1u);
  EXPECT_EQ(avenue.premises[0].id, "P-AVX");
}

// A cross street after a route's number, after the name of a street whose
// type comes first, or after a unit: found nothing, said nothing.
TEST_F(FlagLookup, ACrossStreetAfterARouteAPreTypeStreetOrAUnitStillFindsThePremise) {
  add(R"({"type":"premise","id":"P-R","address":"5801 N Highway 763, Springfield IL"})" "\n"
      R"({"type":"premise","id":"P-C","address":"28402 CR 561, Springfield IL"})" "\n"
      R"({"type":"premise","id":"P-K","address":"2010 W Avenue K Ste 545, Springfield IL"})" "\n"
      R"({"type":"flag","id":"F-R","premise":"P-R","kind":"safety","code":"DOG","audience":"all"})" "\n"
      R"({"type":"flag","id":"F-C","premise":"P-C","kind":"safety","code":"DOG","audience":"all"})" "\n"
      R"({"type":"flag","id":"F-K","premise":"P-K","kind":"safety","code":"DOG","audience":"all"})" "\n");
  const struct {
    const char* text;
    const char* id;
  } found[] = {{"5801 N HIGHWAY 763 / OAK AVE, SPRINGFIELD", "P-R"},
               {"5801 N HWY 763 AND OAK AVE SPRINGFIELD IL", "P-R"},
               {"28402 CR 561 BTWN OAK AVE AND ELM ST, SPRINGFIELD", "P-C"},
               {"28402 COUNTY ROAD 561 XST OAK AVE SPRINGFIELD IL", "P-C"},
               {"2010 W AVE K STE 545 & ELM ST, SPRINGFIELD", "P-K"},
               {"2010 W AVENUE K # 545 BTWN ELM ST AND OAK AVE SPRINGFIELD IL", "P-K"}};
  for (const auto& [text, id] : found) {
    const MatchResult m = match(c, text);
    EXPECT_EQ(m.level, MatchLevel::exact) << text;
    ASSERT_EQ(m.premises.size(), 1u) << text;
    EXPECT_EQ(m.premises[0].id, id) << text;
  }
  // Remarks after a route's number: asked, naming the premise.
  const MatchResult remark = match(c, "28402 CR 561 RP ON SCENE");
  EXPECT_EQ(remark.level, MatchLevel::none);
  EXPECT_EQ(remark.ambiguous_candidates, (std::vector<std::string>{"P-C"}));
  EXPECT_TRUE(match(c, "28402 CR 562 RP ON SCENE").ambiguous_candidates.empty());
}

// One town written two ways in the registry: the cache knew one spelling,
// and every premise filed under the other matched nothing, in silence.
TEST_F(FlagLookup, ATownTheRegistryWritesTwoWaysIsOneTown) {
  add(R"({"type":"premise","id":"P-A","address":"317 Conniston Rd, West Palm Beach FL"})" "\n"
      R"({"type":"premise","id":"P-B","address":"715 Spencer Dr, W Palm Beach FL"})" "\n"
      R"({"type":"premise","id":"P-T","address":"4735 Bear Creek Blvd, Bear Creek Twp PA"})" "\n"
      R"({"type":"premise","id":"P-U","address":"12 Elm St, Bear Creek Township PA"})" "\n"
      R"({"type":"flag","id":"F-A","premise":"P-A","kind":"safety","code":"DOG","audience":"all"})" "\n"
      R"({"type":"flag","id":"F-B","premise":"P-B","kind":"safety","code":"DOG","audience":"all"})" "\n"
      R"({"type":"flag","id":"F-T","premise":"P-T","kind":"safety","code":"DOG","audience":"all"})" "\n"
      R"({"type":"flag","id":"F-U","premise":"P-U","kind":"safety","code":"DOG","audience":"all"})" "\n");
  for (const char* text : {"317 CONNISTON RD WEST PALM BEACH FL", "317 CONNISTON RD, W PALM BEACH",
                           "715 SPENCER DR WEST PALM BEACH", "715 SPENCER DR, W PALM BEACH FL",
                           "4735 BEAR CREEK BLVD BEAR CREEK TOWNSHIP PA", "12 ELM ST, BEAR CREEK TWP"})
    EXPECT_EQ(match(c, text).level, MatchLevel::exact) << text;
}

// "1800 M ST NW, WASHINGTON": a known town named like a state, with no
// state after it, read as the state and named no town; found nothing.
TEST_F(FlagLookup, AKnownTownNamedLikeAStateIsTheTown) {
  add(R"({"type":"premise","id":"P-W","address":"1800 M St NW, Washington, DC 20036"})" "\n"
      R"({"type":"premise","id":"P-N","address":"14442 County Road 546, Nevada, TX 75173"})" "\n"
      R"({"type":"flag","id":"F-W","premise":"P-W","kind":"safety","code":"DOG","audience":"all"})" "\n"
      R"({"type":"flag","id":"F-N","premise":"P-N","kind":"safety","code":"DOG","audience":"all"})" "\n");
  for (const char* text : {"1800 M ST NW, WASHINGTON", "1800 M ST NW WASHINGTON", "1800 M ST NW, WASHINGTON DC"})
    EXPECT_EQ(match(c, text).level, MatchLevel::exact) << text;
  EXPECT_EQ(match(c, "14442 COUNTRY ROAD 546, NEVADA").level, MatchLevel::exact);
  // A state the cache knows no town of is still the state.
  EXPECT_EQ(match(c, "17 OAK AVE, ILLINOIS").normalized_address, "17 OAK AVE, IL");
}

TEST_F(FlagLookup, PlacesOfALaterImportAreKnownAtOnce) {
  EXPECT_EQ(match(c, "5 ELM ST SALT LAKE CITY").level, MatchLevel::none);
  add(R"({"type":"premise","id":"P-9","address":"5 Elm St, Salt Lake City UT"})"
      "\n");
  const MatchResult m = match(c, "5 ELM ST SALT LAKE CITY");
  EXPECT_EQ(m.level, MatchLevel::exact);
  ASSERT_EQ(m.premises.size(), 1u);
  EXPECT_EQ(m.premises[0].id, "P-9");
}

TEST_F(FlagLookup, PlaceAliasNamesTheCity) {
  EXPECT_EQ(match(c, "17 OAK AVE SPFLD").level, MatchLevel::none);
  OpenOptions o;
  o.place_aliases = {{"SPFLD", "Springfield"}};
  Cache aliased = open(o);
  EXPECT_EQ(match(aliased, "17 OAK AVE SPFLD").level, MatchLevel::exact);
  EXPECT_EQ(match(aliased, "17 Oak Ave, Spfld IL").level, MatchLevel::exact);
}

// The tester's case: SPFLD = SPRINGFEILD (misspelled) was taken silently and
// every CAD address written SPFLD found nothing. The cache names it.
TEST_F(FlagLookup, PlaceAliasToAPlaceNoPremiseCarriesIsNamed) {
  OpenOptions o;
  o.place_aliases = {{"SPFLD", "SPRINGFEILD"}, {"SPR", "Springfield"}};
  for (const bool read_only : {false, true}) {
    o.read_only = read_only;
    Cache aliased = open(o);
    const auto unknown = aliased.aliases_without_place();
    ASSERT_TRUE(unknown.ok()) << unknown.error().message;
    ASSERT_EQ(unknown->size(), 1u) << "read_only " << read_only;
    EXPECT_EQ((*unknown)[0].alias, "SPFLD");
    EXPECT_EQ((*unknown)[0].place, "SPRINGFEILD");
    EXPECT_EQ((*unknown)[0].closest, "SPRINGFIELD");
    // What it warns about: the alias finds the premise only as a misspelled
    // city, below exact; the right one finds it exactly.
    const MatchResult misspelled = match(aliased, "17 OAK AVE SPFLD");
    EXPECT_EQ(misspelled.level, MatchLevel::building);
    EXPECT_EQ(misspelled.reasons, (std::vector<std::string>{"city SPRINGFEILD read as SPRINGFIELD"}));
    EXPECT_EQ(match(aliased, "17 OAK AVE SPR").level, MatchLevel::exact);
  }
  // Without aliases there is nothing to say.
  EXPECT_TRUE(c.aliases_without_place()->empty());
}

// A read-only open leaves the places to its first lookup (stats must not
// scan every premise for them); that lookup must still know them.
TEST_F(FlagLookup, ReadOnlyOpenKnowsThePlacesAtItsFirstLookup) {
  OpenOptions o;
  o.read_only = true;
  o.place_aliases = {{"SPFLD", "Springfield"}};
  Cache looking = open(o);
  EXPECT_EQ(looking.stats()->premises, 2);
  EXPECT_EQ(match(looking, "17 OAK AVE SPRINGFIELD").level, MatchLevel::exact);
  EXPECT_EQ(match(looking, "17 OAK AVE SPFLD").level, MatchLevel::exact);
}

// The tester's case: the registry writes the route's direction as a letter,
// CAD spells it out before the town; the weapon flag must still be found.
TEST_F(FlagLookup, SpelledOutRouteDirectionBeforeTheTownFindsThePremise) {
  add(R"({"type":"premise","id":"R-104","address":"1470 HWY 104 N, CEDAR GROVE TN"}
{"type":"flag","id":"F-104","premise":"R-104","kind":"safety","code":"WEAPONS","audience":"all"}
)");
  for (const char* cad : {"1470 HWY 104 N CEDAR GROVE", "1470 HWY 104 NORTH CEDAR GROVE",
                          "1470 HIGHWAY 104 NORTH CEDAR GROVE TN"}) {
    const MatchResult m = match(c, cad);
    EXPECT_EQ(m.level, MatchLevel::exact) << cad;
    EXPECT_EQ(flag_ids(m), std::vector<std::string>{"F-104"}) << cad;
  }
  EXPECT_EQ(match(c, "1470 HWY 104 SOUTH CEDAR GROVE").level, MatchLevel::none) << "the other direction";
}

// A county road named for its county, written by CAD with CR, is the
// registry's "ANDERSON COUNTY ROAD", in text or in civic elements.
TEST_F(FlagLookup, NamedCountyRoadWrittenWithCrFindsThePremise) {
  add(R"({"type":"premise","id":"R-312","address":"3665 ANDERSON COUNTY ROAD 312, SPRINGFIELD IL"}
{"type":"flag","id":"F-312","premise":"R-312","kind":"safety","code":"WEAPONS","audience":"all"}
)");
  EXPECT_EQ(flag_ids(match(c, "3665 ANDERSON CR 312, SPRINGFIELD IL")), std::vector<std::string>{"F-312"});
  EXPECT_EQ(match(c, "3665 ANDERSON CR 312 SPRINGFIELD").level, MatchLevel::exact);
  AddressQuery q;
  q.civic.hno = "3665";
  q.civic.pretype = "ANDERSON CR";
  q.civic.rd = "312";
  q.civic.a3 = "SPRINGFIELD";
  q.civic.a1 = "IL";
  EXPECT_EQ(c.match(q).level, MatchLevel::exact);
  // County Road 312 without the county's name is another road.
  EXPECT_EQ(match(c, "3665 CR 312, SPRINGFIELD IL").level, MatchLevel::none);
}

TEST_F(FlagLookup, IntersectionIsNeverATextMatch) {
  const MatchResult m = match(c, "N MAPLE ST / OAK AVE SPRINGFIELD");
  EXPECT_EQ(m.level, MatchLevel::none);
  EXPECT_EQ(m.normalized_address, "N MAPLE ST & OAK AVE, SPRINGFIELD");
  EXPECT_EQ(match(c, "N MAPLE ST & OAK AVE", 39.8012, -89.6437).level, MatchLevel::nearby);
}

// A corner is looked up by CAD's point only: without one, its flags were
// not checked, which must never read as "no flags". With a point and
// nothing near it, they were.
TEST_F(FlagLookup, ACornerWithoutAPointIsNotCheckedNeverNoFlags) {
  const MatchResult m = match(c, "N MAPLE ST & OAK AVE, SPRINGFIELD IL");
  EXPECT_EQ(m.level, MatchLevel::none);
  EXPECT_TRUE(m.unparsed);
  EXPECT_TRUE(m.corner);
  EXPECT_EQ(m.reasons, (std::vector<std::string>{"a corner, and no location to look near"}));
  const MatchResult far = match(c, "N MAPLE ST & OAK AVE", 45.0, -80.0);
  EXPECT_FALSE(far.unparsed);
  EXPECT_FALSE(far.corner);
}

TEST_F(FlagLookup, NoAddressAndNoPointIsNotCheckedNeverNoFlags) {
  const MatchResult m = match(c, "");
  EXPECT_EQ(m.level, MatchLevel::none);
  EXPECT_TRUE(m.unparsed);
  EXPECT_EQ(m.reasons, (std::vector<std::string>{"no address given"}));
}

// Without state or ZIP a query fits records in two states alike: never guess.
TEST_F(FlagLookup, TwoStatesTheQueryDoesNotNameAreAmbiguous) {
  add(R"({"type":"premise","id":"P-IL","address":"900 Main St, Lindale IL"})" "\n"
      R"({"type":"premise","id":"P-WI","address":"900 Main St, Lindale WI"})" "\n"
      R"({"type":"flag","id":"F-IL","premise":"P-IL","kind":"safety","code":"WEAPONS","audience":"all"})" "\n"
      R"({"type":"flag","id":"F-WI","premise":"P-WI","kind":"safety","code":"DOG","audience":"all"})" "\n");
  const MatchResult m = match(c, "900 MAIN ST, LINDALE");
  EXPECT_EQ(m.level, MatchLevel::none);
  EXPECT_TRUE(m.flags.empty());
  EXPECT_EQ(m.ambiguous_candidates, (std::vector<std::string>{"P-IL", "P-WI"}));
  const MatchResult il = match(c, "900 MAIN ST, LINDALE IL");
  EXPECT_EQ(il.level, MatchLevel::exact);
  ASSERT_EQ(il.premises.size(), 1u);
  EXPECT_EQ(il.premises[0].id, "P-IL");
}

}  // namespace
}  // namespace mdtc::cache::test
