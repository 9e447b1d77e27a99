// Real-world spellings of the same address must normalize alike; near misses
// must not.
#include <gtest/gtest.h>

#include <fstream>
#include <initializer_list>
#include <iterator>
#include <utility>

#include "mdtc/address.h"

namespace mdtc::cache {

// Failures name the address, not its bytes.
void PrintTo(const NormalizedAddress& a, std::ostream* os) { *os << '"' << a.display() << '"'; }

namespace {

NormalizedAddress norm(const std::string& text) {
  auto r = normalize_address(text);
  EXPECT_TRUE(r.ok()) << text << ": " << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : NormalizedAddress{};
}

TEST(AddressNormalizer, CanonicalDisplayForm) {
  EXPECT_EQ(norm("1208 N Maple St Apt 3B, Springfield IL").display(), "1208 N MAPLE ST APT 3B, SPRINGFIELD IL");
}

TEST(AddressNormalizer, CadSpellingsOfOneUnitAgree) {
  const NormalizedAddress want = norm("1208 N MAPLE ST APT 3B, SPRINGFIELD IL");
  for (const char* s : {"1208 n. maple street #3b, springfield il", "1208 NORTH MAPLE ST UNIT 3B, Springfield, IL",
                        "1208 N MAPLE ST APT #3B, SPRINGFIELD, ILLINOIS", "1208 N. Maple Str., Apt. 3-B, Springfield IL",
                        "1208 N MAPLE ST, APT 3B, SPRINGFIELD IL 62701", "1208 N MAPLE ST STE 3B SPRINGFIELD IL",
                        "01208 N MAPLE ST # 3B, SPRINGFIELD IL"}) {
    const NormalizedAddress a = norm(s);
    EXPECT_EQ(a.house_number, want.house_number) << s;
    EXPECT_EQ(a.predir, want.predir) << s;
    EXPECT_EQ(a.name, want.name) << s;
    EXPECT_EQ(a.type, want.type) << s;
    EXPECT_EQ(a.unit, want.unit) << s;
    EXPECT_EQ(a.city, want.city) << s;
    EXPECT_EQ(a.state, want.state) << s;
  }
}

TEST(AddressNormalizer, SuffixTableMapsSpelledAndAbbreviatedForms) {
  EXPECT_EQ(standard_suffix("STREET"), "ST");
  EXPECT_EQ(standard_suffix("STR"), "ST");
  EXPECT_EQ(standard_suffix("ST"), "ST");
  for (const char* f : {"AVENUE", "AV", "AVE", "AVEN", "AVENU", "AVN", "AVNUE"}) EXPECT_EQ(standard_suffix(f), "AVE") << f;
  EXPECT_EQ(standard_suffix("BOULEVARD"), "BLVD");
  EXPECT_EQ(standard_suffix("PARKWAY"), "PKWY");
  EXPECT_EQ(standard_suffix("CIRCLE"), "CIR");
  EXPECT_EQ(standard_suffix("COURT"), "CT");
  EXPECT_EQ(standard_suffix("TERRACE"), "TER");
  EXPECT_EQ(standard_suffix("HIGHWAY"), "HWY");
  EXPECT_EQ(standard_suffix("LANE"), "LN");
  EXPECT_EQ(standard_suffix("MAPLE"), std::nullopt);
}

TEST(AddressNormalizer, DirectionalsSpelledOutAndWithPeriods) {
  EXPECT_EQ(norm("10 NORTHEAST ELM RD").predir, "NE");
  EXPECT_EQ(norm("10 N.E. ELM RD").predir, "NE");
  EXPECT_EQ(norm("10 ELM RD SOUTHWEST").postdir, "SW");
  EXPECT_EQ(norm("10 ELM RD S.W.").postdir, "SW");
  EXPECT_EQ(norm("10 W. ELM RD").predir, "W");
}

TEST(AddressNormalizer, DirectionalAloneIsTheStreetName) {
  const NormalizedAddress a = norm("55 NORTH ST");
  EXPECT_EQ(a.predir, "");
  EXPECT_EQ(a.name, "NORTH");
  EXPECT_EQ(a.type, "ST");
  EXPECT_EQ(norm("55 N ST").name, "NORTH");
}

TEST(AddressNormalizer, UnitDesignators) {
  EXPECT_EQ(norm("1 ELM ST APARTMENT 4").unit, "4");
  EXPECT_EQ(norm("1 ELM ST SUITE 200").unit, "200");
  EXPECT_EQ(norm("1 ELM ST STE 200").unit_display, "STE 200");
  EXPECT_EQ(norm("1 ELM ST #4").unit, "4");
  EXPECT_EQ(norm("1 ELM ST LOT 12").unit, "12");
  EXPECT_EQ(norm("1 ELM ST TRAILER 7").unit, "7");
  EXPECT_EQ(norm("1 ELM ST TRLR 7").unit, "7");
  EXPECT_EQ(norm("1 ELM ST ROOM 101").unit, "101");
  EXPECT_EQ(norm("1 ELM ST REAR").unit, "REAR");
  EXPECT_EQ(norm("1 ELM ST BLDG 2 APT 4").unit, "BLDG 2 4");
  EXPECT_EQ(norm("1 ELM ST BUILDING 2 APT 4").unit, "BLDG 2 4");
  EXPECT_EQ(norm("1 ELM ST FLOOR 3").unit, "FL 3");
  EXPECT_EQ(norm("1 ELM ST 3B").unit, "3B");
}

TEST(AddressNormalizer, BuildingAndFloorAreNotPlainUnits) {
  // "BLDG 2" and "APT 2" are different places in one complex.
  EXPECT_NE(norm("1 ELM ST BLDG 2").unit, norm("1 ELM ST APT 2").unit);
  EXPECT_NE(norm("1 ELM ST FL 2").unit, norm("1 ELM ST APT 2").unit);
}

TEST(AddressNormalizer, OrdinalStreetNames) {
  EXPECT_EQ(norm("400 FIRST AVE").name, "1ST");
  EXPECT_EQ(norm("400 1st Ave").name, "1ST");
  EXPECT_EQ(norm("400 Twenty Second St").name, "22ND");  // a compound ordinal is its number
  EXPECT_EQ(norm("400 W THIRTEENTH ST").name, "13TH");
}

TEST(AddressNormalizer, FractionalHouseNumbers) {
  const NormalizedAddress a = norm("1208 1/2 N MAPLE ST");
  EXPECT_EQ(a.house_number, "1208");
  EXPECT_EQ(a.house_suffix, "1/2");
  EXPECT_EQ(a.predir, "N");
  EXPECT_EQ(a.name, "MAPLE");
  EXPECT_EQ(norm("1208A MAPLE ST").house_suffix, "A");
  EXPECT_EQ(norm("1208-A MAPLE ST").house_suffix, "A");
}

TEST(AddressNormalizer, SaintAndMountAreNameWords) {
  const NormalizedAddress a = norm("300 ST PAUL AVE");
  EXPECT_EQ(a.name, "SAINT PAUL");
  EXPECT_EQ(a.type, "AVE");
  EXPECT_EQ(norm("300 St. Paul Avenue").name, "SAINT PAUL");
  EXPECT_EQ(norm("300 SAINT PAUL AVE").name, "SAINT PAUL");
  EXPECT_EQ(norm("12 MT VERNON RD").name, "MOUNT VERNON");
  EXPECT_EQ(norm("12 MOUNT VERNON ROAD").name, "MOUNT VERNON");
  EXPECT_EQ(norm("5 N ST CLAIR ST").name, "SAINT CLAIR");
  EXPECT_EQ(norm("5 N ST CLAIR ST").type, "ST");
}

TEST(AddressNormalizer, CityStateZip) {
  const NormalizedAddress a = norm("17 Oak Ave, St. Louis, MO 63101-1234");
  EXPECT_EQ(a.city, "SAINT LOUIS");
  EXPECT_EQ(a.state, "MO");
  EXPECT_EQ(a.zip, "63101");
  const NormalizedAddress b = norm("17 OAK AVE SPRINGFIELD IL 62701");
  EXPECT_EQ(b.name, "OAK");
  EXPECT_EQ(b.type, "AVE");
  EXPECT_EQ(b.city, "SPRINGFIELD");
  EXPECT_EQ(b.state, "IL");
}

TEST(AddressNormalizer, TrailingCourtIsNotConnecticut) {
  const NormalizedAddress a = norm("9 WILLOW CT");
  EXPECT_EQ(a.type, "CT");
  EXPECT_EQ(a.state, "");
  const NormalizedAddress b = norm("9 WILLOW ST NE");
  EXPECT_EQ(b.postdir, "NE");
  EXPECT_EQ(b.state, "");
}

TEST(AddressNormalizer, PreTypeStreetNames) {
  const NormalizedAddress a = norm("40 AVENUE B");
  EXPECT_EQ(a.pretype, "AVE");
  EXPECT_EQ(a.name, "B");
  EXPECT_EQ(a.type, "");
  EXPECT_EQ(norm("8800 COUNTY ROAD 12").pretype, "COUNTY RD");
  EXPECT_EQ(norm("8800 COUNTY ROAD 12").name, "12");
  EXPECT_EQ(norm("66 HIGHWAY 66").pretype, "HWY");
  EXPECT_EQ(norm("8800 CR 12").pretype, "COUNTY RD");
  // Without a name after it, the word is the name.
  EXPECT_EQ(norm("5 COUNTY ROAD").name, "COUNTY");
  EXPECT_EQ(norm("5 COUNTY ROAD").type, "RD");
  EXPECT_EQ(norm("5 CR").name, "CR");
}

TEST(AddressNormalizer, PunctuationAndCaseDoNotMatter) {
  EXPECT_EQ(norm("1208 n maple st").display(), norm("1208 N. MAPLE ST.").display());
  EXPECT_EQ(norm("  1208   N  MAPLE ST  ").display(), "1208 N MAPLE ST");
}

TEST(AddressNormalizer, RejectsAddressWithoutHouseNumber) {
  auto r = normalize_address("MAPLE ST, SPRINGFIELD IL");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "address.no_house_number");
  EXPECT_EQ(normalize_address("").error().code, "address.empty");
  EXPECT_EQ(normalize_address(",,, ;").error().code, "address.empty");
  EXPECT_EQ(normalize_address(std::string(600, '1')).error().code, "address.too_long");
}

TEST(AddressNormalizer, CivicElementsNormalizeLikeText) {
  CivicAddress c;
  c.hno = "1208";
  c.prd = "North";
  c.rd = "Maple";
  c.sts = "Street";
  c.unit = "Apt 3B";
  c.a3 = "Springfield";
  c.a1 = "IL";
  auto r = normalize_civic(c);
  ASSERT_TRUE(r.ok());
  const NormalizedAddress t = norm("1208 N MAPLE ST APT 3B, SPRINGFIELD IL");
  EXPECT_EQ(r->house_number, t.house_number);
  EXPECT_EQ(r->predir, t.predir);
  EXPECT_EQ(r->name, t.name);
  EXPECT_EQ(r->type, t.type);
  EXPECT_EQ(r->unit, t.unit);
  EXPECT_EQ(r->city, t.city);
}

TEST(AddressNormalizer, CivicPreTypeAvenueB) {
  CivicAddress c;
  c.hno = "40";
  c.pretype = "AVENUE";
  c.rd.push_back('B');  // not = "B": GCC 12 warns falsely (-Wrestrict) on that at -O2
  auto r = normalize_civic(c);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->pretype, "AVE");
  EXPECT_EQ(r->name, "B");
  EXPECT_EQ(r->street_line(), norm("40 AVENUE B").street_line());
}

TEST(AddressNormalizer, CivicWithoutHouseNumberIsAnError) {
  CivicAddress c;
  c.rd = "MAPLE";
  EXPECT_EQ(normalize_civic(c).error().code, "address.no_house_number");
}

// The PIDF-LO civic address inside the published EIDO sample, read the way
// the CAD bridge hands civic elements over.
TEST(AddressNormalizer, EidoSampleCivicAddressNormalizes) {
  std::ifstream in(MDTC_SOURCE_DIR "/../shared/corpus/eido/sample-call-transfer.json");
  if (!in) GTEST_SKIP() << "EIDO corpus not present";
  const std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto element = [&](const std::string& tag) {
    const auto a = doc.find("<" + tag + ">");
    const auto b = doc.find("</" + tag + ">");
    if (a == std::string::npos || b == std::string::npos) return std::string();
    return doc.substr(a + tag.size() + 2, b - a - tag.size() - 2);
  };
  CivicAddress c;
  c.hno = element("HNO");
  c.prd = element("PRD");
  c.rd = element("RD");
  c.sts = element("STS");
  c.a3 = element("A3");
  c.a1 = element("A1");
  auto civic = normalize_civic(c);
  ASSERT_TRUE(civic.ok());
  EXPECT_EQ(civic->display(), "42 W CELLULAR ST, WILMINGTON DE");
  EXPECT_EQ(compare_addresses(*civic, norm("42 West Cellular Street, Wilmington, Delaware")).fit, AddressFit::exact);
}

// --- Known places (the cache's gazetteer) ---------------------------------

Gazetteer places() {
  Gazetteer g;
  for (const char* p : {"SPRINGFIELD", "SALT LAKE CITY", "EAST SAINT LOUIS", "PARK CITY", "LAKE FOREST",
                        "RIVER FOREST", "FALLS CHURCH", "SAINT LOUIS", "FOREST"})
    g.add_place(p);
  g.add_alias("SPFLD", "SPRINGFIELD");
  return g;
}

NormalizedAddress norm(const std::string& text, const Gazetteer& g) {
  auto r = normalize_address(text, g);
  EXPECT_TRUE(r.ok()) << text << ": " << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : NormalizedAddress{};
}

TEST(AddressGazetteer, KnownPlaceWithoutCommaOrStateIsTheCity) {
  const NormalizedAddress a = norm("17 OAK AVE SPRINGFIELD", places());
  EXPECT_EQ(a.street_line(), "17 OAK AVE");
  EXPECT_EQ(a.city, "SPRINGFIELD");
  EXPECT_EQ(a.unit, "");
  EXPECT_EQ(a, norm("17 Oak Ave, Springfield", places()));
}

// Remarks after the town: cut where a known town ends at its state (and
// ZIP) or at a comma, as written; never inside a longer town's name, and
// not when nothing follows or nothing comes before.
TEST(AddressGazetteer, RemarksAfterTheTownAreSplitOffAsWritten) {
  const Gazetteer g = places();
  const auto cut = [&](const std::string& text) {
    const auto t = split_trailing_note(text, g);
    return t ? t->address + " | " + t->note : std::string("-");
  };
  EXPECT_EQ(cut("17 OAK AVE SPRINGFIELD IL CALLER ADVISES DOG"), "17 OAK AVE SPRINGFIELD IL | CALLER ADVISES DOG");
  EXPECT_EQ(cut("17 Oak Ave Springfield Ill. 62701-1234, ref dog"), "17 Oak Ave Springfield Ill. 62701-1234 | ref dog");
  EXPECT_EQ(cut("17 OAK AVE, SALT LAKE CITY UT 84101 SEE NOTES"), "17 OAK AVE, SALT LAKE CITY UT 84101 | SEE NOTES");
  EXPECT_EQ(cut("1208 N MAPLE ST, SPRINGFIELD, CALLER ON SCENE"), "1208 N MAPLE ST, SPRINGFIELD | CALLER ON SCENE");
  EXPECT_EQ(cut("17 OAK AVE SPRINGFIELD CALLER ON SCENE"), "-");  // no state or comma ends the town
  EXPECT_EQ(cut("17 OAK AVE SPRINGFIELD GARDENS NY CALLER"), "-");
  EXPECT_EQ(cut("17 OAK AVE, SPRINGFIELD, IL"), "-");  // nothing after the state
  EXPECT_EQ(cut("17 OAK AVE SPRINGFIELD IL 62701"), "-");
  EXPECT_EQ(cut("OAK SPRINGFIELD IL CALLER"), "-");  // no number and street before the town
  EXPECT_EQ(cut(""), "-");
}

// CAD's cross street after a comma locates the door; read as the city it
// made an address no premise had, and the flags went unseen.
TEST(AddressGazetteer, ACrossStreetAfterACommaIsNotTheCity) {
  const Gazetteer g = places();
  const NormalizedAddress want = norm("17 OAK AVE, SPRINGFIELD IL", g);
  EXPECT_EQ(norm("17 OAK AVE, ELM ST, SPRINGFIELD IL", g), want);
  EXPECT_EQ(norm("17 OAK AVE, ELM ST SPRINGFIELD IL", g), want);
  EXPECT_EQ(norm("17 OAK AVE, N 5TH AVE, SPRINGFIELD, IL 62701", g).city, "SPRINGFIELD");
  EXPECT_EQ(norm("17 OAK AVE, LAKE SHORE DR", g).city, "");
  EXPECT_EQ(norm("17 OAK AVE, ELM ST").city, "");
  // A place is a place: known, ending with a type no street type is taken
  // for (PARK, FALLS), or a state written like a type (CT).
  EXPECT_EQ(norm("17 OAK AVE, LAKE FOREST", g).city, "LAKE FOREST");
  EXPECT_EQ(norm("17 OAK AVE, OAK PARK IL", g).city, "OAK PARK");
  EXPECT_EQ(norm("17 OAK AVE, NEW HAVEN CT", g).city, "NEW HAVEN");
  // A unit segment is still the unit.
  EXPECT_EQ(norm("17 OAK AVE, APT 2, SPRINGFIELD IL", g).unit, "2");
}

TEST(AddressGazetteer, WithoutTheGazetteerTheWordStaysInTheStreet) {
  EXPECT_EQ(norm("17 OAK AVE SPRINGFIELD").city, "");
  EXPECT_NE(norm("17 OAK AVE SPRINGFIELD").name, "OAK");
}

TEST(AddressGazetteer, MultiWordPlacesLongestFirst) {
  const Gazetteer g = places();
  EXPECT_EQ(norm("5 ELM ST SALT LAKE CITY", g).city, "SALT LAKE CITY");
  EXPECT_EQ(norm("5 ELM ST SALT LAKE CITY", g).street_line(), "5 ELM ST");
  EXPECT_EQ(norm("5 ELM ST E ST LOUIS", g).city, "EAST SAINT LOUIS");
  EXPECT_EQ(norm("5 ELM ST EAST ST. LOUIS IL", g).city, "EAST SAINT LOUIS");
  EXPECT_EQ(norm("5 ELM ST EAST ST. LOUIS IL", g).state, "IL");
  EXPECT_EQ(norm("5 ELM ST ST LOUIS", g).city, "SAINT LOUIS");
}

TEST(AddressGazetteer, PlacesMadeOfStreetWords) {
  const Gazetteer g = places();
  for (const char* city : {"PARK CITY", "LAKE FOREST", "RIVER FOREST", "FALLS CHURCH"}) {
    const NormalizedAddress a = norm(std::string("5 MAIN ST ") + city, g);
    EXPECT_EQ(a.city, city);
    EXPECT_EQ(a.street_line(), "5 MAIN ST") << city;
  }
  const NormalizedAddress a = norm("40 LAKE FOREST DR LAKE FOREST", g);
  EXPECT_EQ(a.name, "LAKE FOREST");
  EXPECT_EQ(a.type, "DR");
  EXPECT_EQ(a.city, "LAKE FOREST");
}

TEST(AddressGazetteer, AliasAnswersInThePlacesOwnSpelling) {
  EXPECT_EQ(norm("17 OAK AVE SPFLD", places()).city, "SPRINGFIELD");
  EXPECT_EQ(norm("17 OAK AVE, SPFLD IL", places()).city, "SPRINGFIELD");
  Gazetteer g;
  g.add_alias("SPRINGFIELD", "SHELBYVILLE");
  g.add_place("SPRINGFIELD");
  EXPECT_EQ(g.find_place("Springfield"), "SPRINGFIELD");  // a real place is never renamed
}

// An alias whose place no premise carries would read CAD's text as a place
// with no premises: it is named, with the known place spelled most like it.
TEST(AddressGazetteer, AliasToAPlaceNoPremiseCarriesIsFound) {
  Gazetteer g;
  for (const char* p : {"SPRINGFIELD", "EAST SAINT LOUIS", "SALEM"}) g.add_place(p);
  const std::vector<std::pair<std::string, std::string>> aliases = {
      {"SPFLD", "SPRINGFEILD"}, {"E STL", "E ST LOUIS"}, {"SHLB", "SHELBYVILLE"}, {"SPR", "Springfield"},
      {"SLM", "SALEN"}};
  for (const auto& [alias, place] : aliases) g.add_alias(alias, place);
  EXPECT_TRUE(g.has_place("E. St. Louis"));
  EXPECT_FALSE(g.has_place("SPFLD")) << "an alias is no place";
  const auto unknown = aliases_without_place(aliases, g);
  ASSERT_EQ(unknown.size(), 3u);
  EXPECT_EQ(unknown[0].alias, "SPFLD");
  EXPECT_EQ(unknown[0].place, "SPRINGFEILD");
  EXPECT_EQ(unknown[0].closest, "SPRINGFIELD");
  EXPECT_EQ(unknown[1].alias, "SHLB");
  EXPECT_EQ(unknown[1].closest, "") << "nothing is spelled like it";
  EXPECT_EQ(unknown[2].alias, "SLM");
  EXPECT_EQ(unknown[2].closest, "SALEM");
  EXPECT_EQ(g.closest_place("SPRINGFEILD"), "SPRINGFIELD");
  EXPECT_EQ(g.closest_place("SPRNGFLD"), std::nullopt) << "three letters off is a guess";
  // One letter past the limit is past it, as near in length as it may be:
  // these were taken for the known town, and showed its premises' flags.
  Gazetteer towns;
  for (const char* p : {"LINDALE", "SPRINGFIELD", "BROOKTON"}) towns.add_place(p);
  EXPECT_TRUE(towns.closest_places("GLENDALE", 1).empty());   // two letters, eight-letter name
  EXPECT_TRUE(towns.closest_places("SPRINGVILLE", 2).empty());  // three letters
  EXPECT_TRUE(towns.closest_places("BROOKLYN", 1).empty());
  EXPECT_EQ(towns.closest_places("LINDAEL", 1), (std::vector<std::string>{"LINDALE"}));
  EXPECT_EQ(towns.closest_places("SPRINGFEILD", 2), (std::vector<std::string>{"SPRINGFIELD"}));
  // Nothing to compare with before any premise names a place.
  Gazetteer none;
  none.add_alias("SPFLD", "SPRINGFEILD");
  EXPECT_TRUE(aliases_without_place(aliases, none).empty());
}

TEST(AddressGazetteer, UnitWithoutDesignatorBeforeThePlace) {
  const NormalizedAddress a = norm("1208 N MAPLE ST 3B SPRINGFIELD", places());
  EXPECT_EQ(a.unit, "3B");
  EXPECT_EQ(a.city, "SPRINGFIELD");
  EXPECT_EQ(a.street_line(), "1208 N MAPLE ST");
  EXPECT_EQ(norm("1208 N MAPLE ST APT 3B SPRINGFIELD", places()).unit, "3B");
}

// Precision traps: each would put the premise of one place on a call to another.
TEST(AddressGazetteer, PlaceNameThatIsTheStreetIsNotTaken) {
  const Gazetteer g = places();
  const NormalizedAddress a = norm("17 SPRINGFIELD AVE", g);
  EXPECT_EQ(a.name, "SPRINGFIELD");
  EXPECT_EQ(a.type, "AVE");
  EXPECT_EQ(a.city, "");
  EXPECT_EQ(norm("17 SPRINGFIELD", g).name, "SPRINGFIELD");
  EXPECT_EQ(norm("17 N SPRINGFIELD", g).name, "SPRINGFIELD");
  EXPECT_EQ(norm("17 N SPRINGFIELD", g).city, "");
  EXPECT_EQ(norm("9 SPRINGFIELD CT", g).type, "CT");
  EXPECT_EQ(norm("9 SPRINGFIELD CT", g).state, "");
  const NormalizedAddress b = norm("17 SPRINGFIELD AVE SPRINGFIELD", g);
  EXPECT_EQ(b.name, "SPRINGFIELD");
  EXPECT_EQ(b.city, "SPRINGFIELD");
}

TEST(AddressGazetteer, UnknownTownPrefixIsNotEaten) {
  const Gazetteer g = places();
  // EAST SPRINGFIELD and NEW SPRINGFIELD are towns this cache does not know.
  for (const char* text : {"17 OAK AVE EAST SPRINGFIELD", "17 OAK AVE E SPRINGFIELD", "17 OAK AVE NEW SPRINGFIELD",
                           "17 OAK AVE SHELBYVILLE"}) {
    const auto a = normalize_address(text, g);
    if (!a.ok()) continue;
    EXPECT_NE(compare_addresses(*a, norm("17 OAK AVE, SPRINGFIELD", g)).fit, AddressFit::exact) << text;
    EXPECT_NE(a->city, "SPRINGFIELD") << text;
  }
}

TEST(AddressGazetteer, PlaceOfStreetWordsNeedsATypedStreet) {
  const NormalizedAddress a = norm("17 OAK FOREST", places());
  EXPECT_EQ(a.city, "");
  EXPECT_EQ(a.name, "OAK");
  EXPECT_EQ(a.type, "FRST");
}

TEST(AddressGazetteer, OtherCityNeverComparesEqual) {
  const Gazetteer g = places();
  EXPECT_EQ(compare_addresses(norm("17 OAK AVE PARK CITY", g), norm("17 OAK AVE, SPRINGFIELD", g)).fit,
            AddressFit::different);
  EXPECT_EQ(compare_addresses(norm("17 OAK AVE LAKE FOREST", g), norm("17 OAK AVE, RIVER FOREST", g)).fit,
            AddressFit::different);
}

// --- Forms CAD uses besides house addresses ---------------------------------

TEST(AddressForms, IntersectionsAreCornersNotHouses) {
  for (const char* text : {"MAPLE ST / OAK AVE", "MAPLE ST/OAK AVE", "MAPLE ST & OAK AVE", "MAPLE ST AND OAK AVE",
                           "MAPLE ST AT OAK AVE", "Maple St @ Oak Ave"}) {
    const NormalizedAddress a = norm(text);
    EXPECT_TRUE(a.intersection) << text;
    EXPECT_EQ(a.name, "MAPLE") << text;
    EXPECT_EQ(a.cross_street, "OAK AVE") << text;
    EXPECT_EQ(a.house_number, "") << text;
    EXPECT_EQ(compare_addresses(a, a).fit, AddressFit::different) << text;
  }
  const NormalizedAddress b = norm("MAPLE & OAK SPRINGFIELD", places());
  EXPECT_TRUE(b.intersection);
  EXPECT_EQ(b.cross_street, "OAK");
  EXPECT_EQ(b.city, "SPRINGFIELD");
  EXPECT_EQ(b.display(), "MAPLE & OAK, SPRINGFIELD");
  EXPECT_FALSE(norm("1208 N MAPLE ST").intersection);
  EXPECT_EQ(normalize_address("MAPLE ST /").error().code, "address.no_house_number");
}

TEST(AddressForms, HouseNumberWithAmpersandStaysAHouse) {
  const NormalizedAddress a = norm("100 SMITH&JONES ST");
  EXPECT_FALSE(a.intersection);
  EXPECT_EQ(a.name, "SMITH JONES");
}

TEST(AddressForms, StateRouteSpellingsAgree) {
  const NormalizedAddress want = norm("1200 STATE RTE 4");
  EXPECT_EQ(want.pretype, "HWY");
  EXPECT_EQ(want.name, "4");
  for (const char* text : {"1200 SR 4", "1200 SR-4", "1200 HWY 4", "1200 HIGHWAY 4", "1200 STATE HIGHWAY 4",
                           "1200 State Route 4", "1200 ROUTE 4", "1200 IL ROUTE 4", "1200 ILLINOIS HWY 4"})
    EXPECT_EQ(norm(text), want) << text;
  EXPECT_EQ(norm("1200 N HWY 4").unit, "");  // the 4 is the road, not a unit
}

TEST(AddressForms, RouteKindsStayApart) {
  EXPECT_EQ(norm("1200 US HWY 22").pretype, "US HWY");
  EXPECT_EQ(norm("1200 US 22"), norm("1200 US HIGHWAY 22"));
  EXPECT_EQ(norm("1200 CR 12"), norm("1200 COUNTY ROAD 12"));
  EXPECT_EQ(norm("1200 CO RD 12"), norm("1200 COUNTY ROAD 12"));
  // A US highway, a state route and a county road of one number are three roads.
  EXPECT_EQ(compare_addresses(norm("1200 US HWY 22"), norm("1200 HWY 22")).fit, AddressFit::different);
  EXPECT_EQ(compare_addresses(norm("1200 CR 22"), norm("1200 SR 22")).fit, AddressFit::different);
  EXPECT_EQ(compare_addresses(norm("1200 I-22"), norm("1200 US 22")).fit, AddressFit::different);
  EXPECT_EQ(norm("100 STATE ST").name, "STATE");
}

TEST(AddressForms, InterstateMileMarkers) {
  const NormalizedAddress a = norm("I-55 MM 92");
  EXPECT_EQ(a.pretype, "I");
  EXPECT_EQ(a.name, "55");
  EXPECT_EQ(a.house_number, "MM 92");
  EXPECT_EQ(a.street_line(), "I-55 MM 92");
  for (const char* text : {"I 55 MILE MARKER 92", "INTERSTATE 55 MM 92", "MM 92 I-55", "I-55 MP 92"})
    EXPECT_EQ(norm(text), a) << text;
  EXPECT_EQ(norm("I-55 MM 92.5").house_number, "MM 92.5");
  EXPECT_EQ(compare_addresses(norm("I-55 MM 92"), norm("I-55 MM 93")).fit, AddressFit::different);
  EXPECT_EQ(compare_addresses(norm("I-55 MM 92"), norm("I-57 MM 92")).fit, AddressFit::different);
  // A mile marker on a town street is not a place we can name.
  EXPECT_EQ(normalize_address("MAPLE ST MM 3").error().code, "address.no_house_number");
}

TEST(AddressForms, GridAndHyphenatedHouseNumbers) {
  EXPECT_EQ(norm("W123N4567 MAPLE RD").house_number, "W123N4567");
  EXPECT_EQ(norm("N85W16110 APPLETON AVE").name, "APPLETON");
  EXPECT_EQ(norm("123-45 QUEENS BLVD").house_number, "123-45");
  EXPECT_EQ(compare_addresses(norm("123-45 QUEENS BLVD"), norm("12345 QUEENS BLVD")).fit, AddressFit::different);
  EXPECT_EQ(compare_addresses(norm("W123N4567 MAPLE RD"), norm("W123N4568 MAPLE RD")).fit, AddressFit::different);
  EXPECT_EQ(normalize_address("5TH AVE").error().code, "address.no_house_number");  // a street, not house 5
}

TEST(AddressForms, SpelledOrdinalsAndNameAbbreviations) {
  EXPECT_EQ(norm("100 FIFTH AVE"), norm("100 5TH AVE"));
  EXPECT_EQ(norm("100 ST JAMES PL"), norm("100 SAINT JAMES PLACE"));
  EXPECT_EQ(norm("100 MT PLEASANT RD"), norm("100 MOUNT PLEASANT ROAD"));
  EXPECT_EQ(norm("100 FT WAYNE AVE"), norm("100 FORT WAYNE AVENUE"));
  EXPECT_EQ(norm("100 PORT ST LUCIE BLVD"), norm("100 PORT SAINT LUCIE BLVD"));
  EXPECT_EQ(compare_addresses(norm("100 FIFTH AVE"), norm("100 FIFTH ST")).fit, AddressFit::different);
  EXPECT_EQ(compare_addresses(norm("100 5TH AVE"), norm("100 6TH AVE")).fit, AddressFit::different);
}

// "500 5 AVE" is Fifth Avenue: with a street type the bare number is the
// street's ordinal, in text and in civic form; a route's number stays one.
TEST(AddressForms, NumberedStreetsWithoutTheOrdinalLetters) {
  EXPECT_EQ(norm("500 5 AVE"), norm("500 5TH AVE"));
  EXPECT_EQ(norm("40 W 3 ST").name, "3RD");
  EXPECT_EQ(norm("40 W 1 ST").name, "1ST");
  EXPECT_EQ(norm("40 W 2 ST").name, "2ND");
  EXPECT_EQ(norm("40 11 ST").name, "11TH");
  EXPECT_EQ(norm("40 12 ST").name, "12TH");
  EXPECT_EQ(norm("40 13 ST").name, "13TH");
  EXPECT_EQ(norm("40 21 ST").name, "21ST");
  EXPECT_EQ(norm("40 103 PL").name, "103RD");
  EXPECT_EQ(norm("40 112 AVE").name, "112TH");
  EXPECT_EQ(norm("100 COUNTY RD 5").name, "5");
  EXPECT_EQ(norm("100 US HWY 5").name, "5");
  EXPECT_EQ(norm("100 STATE ROUTE 9").name, "9");
  CivicAddress c;
  c.hno = "500";
  c.rd = "5";
  c.sts = "AVE";
  auto civic = normalize_civic(c);
  ASSERT_TRUE(civic.ok());
  EXPECT_EQ(civic->name, "5TH");
}

// "12 PINE ST, SPRINGFIELD IL, APT 5": a unit after the town is the unit,
// not part of the town. A state (and ZIP) there stays a state.
TEST(AddressForms, AUnitAfterTheTownIsTheUnit) {
  const NormalizedAddress a = norm("12 PINE ST, SPRINGFIELD IL, APT 5");
  EXPECT_EQ(a, norm("12 PINE ST APT 5, SPRINGFIELD IL"));
  EXPECT_EQ(a.unit, "5");
  EXPECT_EQ(a.city, "SPRINGFIELD");
  EXPECT_EQ(norm("12 PINE ST, SPRINGFIELD, IL 62701, # 3B").unit, "3B");
  EXPECT_EQ(norm("12 PINE ST, SPRINGFIELD, IL 62701, UNIT C").unit, "C");
  const NormalizedAddress fl = norm("12 PINE ST, MIAMI, FL 33101");
  EXPECT_EQ(fl.state, "FL");
  EXPECT_EQ(fl.zip, "33101");
  EXPECT_TRUE(fl.unit.empty());
  EXPECT_EQ(norm("12 PINE ST, MIAMI, FL").state, "FL");
}

// Spellings an outside tester found reading wrong or not at all.
TEST(AddressForms, NotesZipPlusFourGridNumbersAndSpelledDirectionalsAfterAComma) {
  // A note that reads like "TPN 13A" is still a note, not a unit.
  EXPECT_EQ(norm("12 PINE ST, SPRINGFIELD IL (CALLBACK 555-0100)"), norm("12 PINE ST, SPRINGFIELD IL"));
  EXPECT_EQ(norm("12 PINE ST, SPRINGFIELD IL **CALLBACK 555-0100**"), norm("12 PINE ST, SPRINGFIELD IL"));
  EXPECT_EQ(norm("12 PINE ST (REAR)").unit, "REAR");
  EXPECT_EQ(norm("12 PINE ST, SPRINGFIELD IL 62701 1234"), norm("12 PINE ST, SPRINGFIELD IL 62701"));
  EXPECT_EQ(norm("W5432 COUNTY ROAD K").house_number, "W5432");
  EXPECT_EQ(norm("W140 N5761 LILLY RD"), norm("W140N5761 LILLY RD"));
  EXPECT_EQ(norm("W140 N 5761 LILLY RD"), norm("W140N5761 LILLY RD"));
  // A thousands comma, a period with no space, Latin-1 letters.
  EXPECT_EQ(norm("1,208 N MAPLE ST"), norm("1208 N MAPLE ST"));
  EXPECT_FALSE(normalize_address("12,12 MAIN ST").ok());
  EXPECT_EQ(norm("1208 N.MAPLE ST.APT 3B"), norm("1208 N MAPLE ST APT 3B"));
  EXPECT_EQ(norm("3312 Sheridan Rd.Brookton IL").city, "BROOKTON");
  EXPECT_EQ(norm("1208 N.E. MAPLE ST").predir, "NE");
  EXPECT_EQ(norm("210 Ca\xc3\xb1on Rd"), norm("210 CANON RD"));
  EXPECT_EQ(norm("210 CA\xc3\x91ON RD"), norm("210 CANON RD"));
  // Wisconsin's and Texas's route spellings.
  EXPECT_EQ(norm("W3210 STH 21"), norm("W3210 STATE HWY 21"));
  EXPECT_EQ(norm("W3210 WIS 21"), norm("W3210 STATE HWY 21"));
  EXPECT_EQ(norm("100 USH 41"), norm("100 US HWY 41"));
  EXPECT_EQ(norm("4100 LP 289"), norm("4100 LOOP 289"));
  EXPECT_NE(norm("4100 LP 289"), norm("4100 LP 290"));
  // A spelled-out compass word after a comma names another town.
  EXPECT_EQ(norm("12 MAIN ST, EAST BROOKTON IL").city, "EAST BROOKTON");
  EXPECT_EQ(norm("12 MAIN ST, EAST BROOKTON IL").postdir, "");
  // Once the town and state are read, a later part is a note.
  EXPECT_EQ(norm("1208 N MAPLE ST, BROOKTON IL, RP IN LOBBY"), norm("1208 N MAPLE ST, BROOKTON IL"));
  EXPECT_EQ(norm("1208 N MAPLE ST, SPRINGFIELD, IL, 62701").zip, "62701");
  EXPECT_EQ(norm("35 PT BREEZE DR"), norm("35 POINT BREEZE DR"));
  EXPECT_EQ(norm("25 MTN PLEASANT RD"), norm("25 MOUNT PLEASANT RD"));
  EXPECT_EQ(norm("12.5 MAIN ST"), norm("12 1/2 MAIN ST"));
  EXPECT_EQ(norm("12 HALF MOON BAY DR").name, "HALF MOON BAY");  // HALF stays a word: Half Moon Bay
  // Spanish leading types abbreviated, and compound ordinals spelled out.
  EXPECT_EQ(norm("77 AVE DE LAS FLORES"), norm("77 AVENIDA DE LAS FLORES"));
  EXPECT_EQ(norm("77 AVENUE DE LAS FLORES"), norm("77 AVENIDA DE LAS FLORES"));
  EXPECT_EQ(norm("1420 CL DEL SOL"), norm("1420 CALLE DEL SOL"));
  EXPECT_EQ(norm("22 PSO DEL RIO"), norm("22 PASEO DEL RIO"));
  EXPECT_EQ(norm("45 CMNO DE LOS ROBLES"), norm("45 CAMINO DE LOS ROBLES"));
  EXPECT_EQ(norm("100 AVE B").name, "B");
  EXPECT_EQ(norm("44 W FORTY SECOND ST"), norm("44 W 42ND ST"));
  EXPECT_EQ(norm("20 TWENTY-FIRST ST"), norm("20 21ST ST"));
  EXPECT_EQ(norm("20 TWENTY ST").name, "TWENTY");
  EXPECT_EQ(norm("30 FRT DODGE AVE"), norm("30 FORT DODGE AVE"));
  // A business route's number is no unit; a direction of travel after a route's number goes.
  EXPECT_EQ(norm("310 BUS 51"), norm("310 BUSINESS 51"));
  EXPECT_TRUE(norm("310 BUSINESS 51").unit.empty());
  EXPECT_EQ(norm("4500 US HWY 20 WB"), norm("4500 US HWY 20"));
  EXPECT_EQ(norm("2100 STATE ROUTE 9 SB"), norm("2100 STATE ROUTE 9"));
  EXPECT_EQ(norm("12 LOOKOUT PT").type, "PT");
  // A letter after ST on a street named by a type word is a unit, not SAINT B.
  EXPECT_EQ(norm("9 PARK ST B").unit, norm("9 PARK ST APT B").unit);
  EXPECT_EQ(norm("9 PARK ST B").name, "PARK");
  EXPECT_EQ(norm("9 SPRING ST A").unit, "A");
  EXPECT_EQ(norm("9912 S AVENUE H").name, "H");
  EXPECT_EQ(norm("100 23 RD ST"), norm("100 23RD ST"));
  EXPECT_EQ(norm("100 W 4 TH AVE"), norm("100 W 4TH AVE"));
  EXPECT_EQ(norm("1401 O BRIEN ST"), norm("1401 O'BRIEN ST"));
  EXPECT_EQ(norm("1401 O ST").name, "O");
  EXPECT_EQ(norm("668 REV N O THOMPSON RD").name, "REV N O THOMPSON");
  EXPECT_EQ(norm("2200 OLD MILL RD BLDG3 APT 210"), norm("2200 OLD MILL RD BLDG 3 APT 210"));
  EXPECT_EQ(norm("77 PINE RD BARN, LINDALE WI").unit, "BARN");
  EXPECT_EQ(norm("77 PINE RD REAR HOUSE, LINDALE WI").city, "LINDALE");
  EXPECT_EQ(norm("77 PINE RD, TOWN OF LINDALE, WI"), norm("77 PINE RD, LINDALE, WI"));
  EXPECT_EQ(norm("77 PINE RD TOWN OF LINDALE WI"), norm("77 PINE RD, LINDALE WI"));
  EXPECT_EQ(norm("77 PINE RD, CITY OF BROOKTON IL"), norm("77 PINE RD, BROOKTON IL"));
  // "NO" before a town is the town's word, not the street's post-directional.
  EXPECT_EQ(norm("5 MAIN ST, NO BROOKTON IL").postdir, "");
  EXPECT_EQ(norm("5 MAIN ST, NW, WASHINGTON DC").postdir, "NW");
}

TEST(AddressForms, LetteredAndFractionalNumbersAreOtherHouses) {
  EXPECT_EQ(norm("12 1/2 ELM ST SPRINGFIELD", places()).house_suffix, "1/2");
  EXPECT_EQ(norm("12 1/2 ELM ST SPRINGFIELD", places()).city, "SPRINGFIELD");
  EXPECT_EQ(norm("12A ELM ST").house_suffix, "A");
  EXPECT_EQ(compare_addresses(norm("12 1/2 ELM ST"), norm("12 ELM ST")).fit, AddressFit::different);
  EXPECT_EQ(compare_addresses(norm("12A ELM ST"), norm("12 ELM ST")).fit, AddressFit::different);
  EXPECT_EQ(compare_addresses(norm("12A ELM ST"), norm("12B ELM ST")).fit, AddressFit::different);
}

TEST(AddressForms, IssueSpellingsWithACommunityName) {
  const Gazetteer g = places();
  EXPECT_EQ(norm("42 AVENUE B SPRINGFIELD", g), norm("42 Avenue B, Springfield", g));
  EXPECT_EQ(norm("42 AVENUE B SPRINGFIELD", g).pretype, "AVE");
  const NormalizedAddress mlk = norm("9 MARTIN LUTHER KING JR BLVD SPRINGFIELD", g);
  EXPECT_EQ(mlk.name, "MARTIN LUTHER KING JR");
  EXPECT_EQ(mlk.type, "BLVD");
  EXPECT_EQ(mlk.city, "SPRINGFIELD");
  for (const char* other : {"9 MLK BLVD SPRINGFIELD", "9 MLK JR BLVD SPRINGFIELD", "9 M L KING BLVD SPRINGFIELD",
                            "9 DR MARTIN LUTHER KING JR BL SPRINGFIELD", "9 MARTIN LUTHER KING BLVD SPRINGFIELD",
                            "9 M.L. KING JR. BLVD., SPRINGFIELD"})
    EXPECT_EQ(norm(other, g), mlk) << other;
  EXPECT_EQ(norm("9 KING BLVD SPRINGFIELD", g).name, "KING");
  EXPECT_EQ(norm("9 MARTIN LUTHER KING PARK RD SPRINGFIELD", g).name, "MARTIN LUTHER KING PARK");
  const NormalizedAddress club = norm("300 COUNTRY CLUB DR STE 100 SPRINGFIELD", g);
  EXPECT_EQ(club.name, "COUNTRY CLUB");
  EXPECT_EQ(club.unit, "100");
  EXPECT_EQ(club.city, "SPRINGFIELD");
  EXPECT_EQ(norm("1208 S MAPLE ST SPRINGFIELD", g).predir, "S");
  EXPECT_EQ(compare_addresses(norm("42 AVENUE B SPRINGFIELD", g), norm("42 B AVE, SPRINGFIELD", g)).fit,
            AddressFit::different);
}

TEST(AddressForms, UnitsCadWritesWithoutDesignator) {
  EXPECT_EQ(norm("4315 WEBSTER AVENUE LH").unit, "LH");
  EXPECT_EQ(norm("720 10TH AVE SW A").unit, "A");
  EXPECT_EQ(norm("203 N WABASH 608").unit, "608");
  EXPECT_EQ(norm("111 W MONROE, 12C, CHICAGO IL").unit, "12C");
  EXPECT_EQ(norm("205 N MICHIGAN AVE 41ST FLOOR").unit, norm("205 N MICHIGAN AVE FL 41").unit);
  EXPECT_EQ(norm("6811 KENILWORTH AVE 6TH FL").state, "");  // a floor, not Florida
  // Not units: a pre-type's name, a directional, a state, a route number.
  EXPECT_EQ(norm("9912 S AVENUE H").name, "H");
  EXPECT_EQ(norm("9912 S AVENUE H").unit, "");
  EXPECT_EQ(norm("100 MAIN ST NE").unit, "");
  EXPECT_EQ(norm("1200 FM 1960").unit, "");
  EXPECT_EQ(norm("830 NW LOOP 410").unit, "");
  EXPECT_EQ(compare_addresses(norm("4315 WEBSTER AVE LH"), norm("4315 WEBSTER AVE")).fit, AddressFit::building);
}

TEST(AddressForms, CommonNonUspsSuffixSpellings) {
  EXPECT_EQ(norm("217 N RT 31"), norm("217 N ROUTE 31"));
  EXPECT_EQ(norm("1260 ARROW BVD").type, "BLVD");
  EXPECT_EQ(norm("19568 IMPERIAL HGWY").type, "HWY");
  EXPECT_EQ(norm("2300 BOULEVARD GRANADA").pretype, "BLVD");
}

TEST(AddressForms, DirectionalBetweenNameAndTypeIsThePostDirectional) {
  EXPECT_EQ(norm("2110 SAINT JOHN W ST"), norm("2110 SAINT JOHN ST W"));
  EXPECT_EQ(norm("1755 FLOWERS CROSSING DR N E").postdir, "NE");
  EXPECT_EQ(norm("9601 SPUR 591").pretype, "SPUR");
  // Never the whole name, and never a different street.
  EXPECT_EQ(norm("4400 EAST WEST HWY").name, "EAST WEST");  // East-West Highway, MD
  EXPECT_EQ(norm("4400 EAST WEST HWY").predir, "");
  EXPECT_EQ(norm("4400 E WEST HWY").predir, "E");
  // A quadrant in two words before a name and a type is one directional.
  EXPECT_EQ(norm("45 SOUTH WEST PLAZA DR"), norm("45 SW PLAZA DR"));
  EXPECT_EQ(norm("45 S W PLAZA DR"), norm("45 SW PLAZA DR"));
  EXPECT_EQ(norm("45 S W PLAZA DR SPRINGFIELD IL").predir, "SW");
  EXPECT_EQ(norm("33 NORTH WEST AVE").name, "NORTH WEST");  // too short to tell: kept as written
  EXPECT_EQ(norm("55 N ST").name, "NORTH");
  EXPECT_EQ(compare_addresses(norm("2110 SAINT JOHN W ST"), norm("2110 SAINT JOHN ST E")).fit, AddressFit::different);
  EXPECT_EQ(compare_addresses(norm("2110 SAINT JOHN W ST"), norm("2110 W SAINT JOHN ST")).fit, AddressFit::different);
}

// A spelled-out directional right before the type belongs to the name, as
// does one after a grid number; the abbreviation after a word name is still
// the post-directional (above).
TEST(AddressForms, SpelledOutDirectionalBeforeTheTypeIsPartOfTheName) {
  EXPECT_EQ(norm("45 OCEAN ISLE WEST BLVD").name, "OCEAN ISLE WEST");
  EXPECT_EQ(norm("45 OCEAN ISLE WEST BLVD").postdir, "");
  EXPECT_EQ(norm("2928 N 2900 E RD").name, "2900 E");
  EXPECT_EQ(norm("306 N AVE NW").name, "NORTH");
  EXPECT_EQ(norm("306 N AVE NW").postdir, "NW");
  EXPECT_EQ(compare_addresses(norm("45 OCEAN ISLE WEST BLVD"), norm("45 OCEAN ISLE BLVD W")).fit, AddressFit::different);
}

// Units written the ways mail and CAD write them besides Pub 28: a number
// word, a mail box, a named id after the street type; never a route's number.
TEST(AddressForms, UnitsOutsidePub28) {
  EXPECT_EQ(norm("361 17TH STREET NO 2202").unit, "2202");
  EXPECT_EQ(norm("361 17TH STREET NO 2202").type, "ST");
  EXPECT_EQ(norm("3520 OKEMOS RD PMB 175").unit, "PMB 175");
  EXPECT_EQ(norm("1000 NICOLLOT MALL TPN 13A").unit, "TPN 13A");
  EXPECT_EQ(norm("7777 BONHOMME AVE ST 1400").unit, "1400");
  EXPECT_EQ(norm("7777 BONHOMME AVE ST 1400"), norm("7777 BONHOMME AVE STE 1400"));
  EXPECT_EQ(norm("254 US HWY NO 202").unit, "");
  EXPECT_EQ(norm("12188 OLD NUMBER 6 HWY").unit, "");
  EXPECT_EQ(norm("2161 PALM BEACH LAKES BLVD SUITE 408").unit, "408");
  // "TOWER 5" is not "# 5": another building may have unit 5.
  EXPECT_NE(norm("1 MEDICAL PARK TOWER 5").unit, norm("1 MEDICAL PARK # 5").unit);
  EXPECT_EQ(norm("7509 13TH AVE NO").postdir, "N");
  EXPECT_EQ(norm("233 S WACKER DR LOBBY 60606").unit, "LBBY");
  EXPECT_EQ(norm("233 S WACKER DR LOBBY 60606").zip, "60606");
  EXPECT_EQ(norm("4101 WINNFIELD RD, 106 D, WARRENVILLE IL").unit, "106 D");
  // A number word between designator and id is a number sign.
  EXPECT_EQ(norm("1208 N MAPLE ST APT NO 3B, SPRINGFIELD IL"), norm("1208 N MAPLE ST APT 3B, SPRINGFIELD IL"));
  EXPECT_EQ(norm("1208 N MAPLE ST UNIT NO. 3B"), norm("1208 N MAPLE ST UNIT 3B"));
}

// Mail and some CADs put the unit first; it is the same place as the unit
// written last, and a lone unit is still no address.
TEST(AddressForms, UnitBeforeTheHouseNumber) {
  EXPECT_EQ(norm("APT 4 10A DR MARTIN LUTHER KING BLVD"), norm("10A DR MARTIN LUTHER KING BLVD APT 4"));
  EXPECT_EQ(norm("UNIT 111 501 S MILL ST"), norm("501 S MILL ST UNIT 111"));
  EXPECT_EQ(norm("SUITE 200, BUILDING 17, 7000 PEACHTREE DUNWOODY RD, NE").unit, "200 BLDG 17");
  EXPECT_EQ(norm("41ST FLOOR 1221 AVE OF THE AMERICAS").unit, "FL 41");
  EXPECT_EQ(norm("DEPT 96 0430, 3545 NW 58TH").unit, "96 0430");
  EXPECT_FALSE(normalize_address("UNIT 5").ok());
  EXPECT_FALSE(normalize_address("APT 5, UNIT 6").ok());
  // A street that starts with a designator word is a street.
  EXPECT_EQ(norm("FRONT ST / OAK AVE").cross_street, "OAK AVE");
  // Another unit of the building stays another unit.
  EXPECT_EQ(compare_addresses(norm("APT 4 10 ELM ST"), norm("10 ELM ST APT 5")).fit, AddressFit::building);
}

// Old alignments and business loops of numbered routes keep the route's
// pre-type, so every spelling of one agrees and differs from the route itself.
TEST(AddressForms, OldAndBusinessRoutes) {
  EXPECT_EQ(norm("2349 OLD STATE ROUTE 3"), norm("2349 OLD SR 3"));
  EXPECT_EQ(norm("2349 OLD STATE ROUTE 3").pretype, "HWY");
  EXPECT_EQ(norm("2349 OLD STATE ROUTE 3").name, "OLD 3");
  EXPECT_EQ(norm("135 W OLD US HIGHWAY 90").predir, "W");
  EXPECT_EQ(norm("135 W OLD US HIGHWAY 90").pretype, "US HWY");
  EXPECT_EQ(norm("5442 OLD WEST STATE ROUTE 21").predir, "W");
  EXPECT_EQ(norm("5442 OLD WEST STATE ROUTE 21").name, "OLD 21");
  EXPECT_EQ(compare_addresses(norm("2855 OLD HWY 5"), norm("2855 HWY 5")).fit, AddressFit::different);
  EXPECT_EQ(norm("1200 BUSINESS 190 STE 13").pretype, "BUSINESS");
  EXPECT_EQ(norm("1480 W CITY HIGHWAY 16").pretype, "CITY HWY");
  // "OLD MILL RD" is a street named Old Mill.
  EXPECT_EQ(norm("10 OLD MILL RD").name, "OLD MILL");
  EXPECT_EQ(norm("10 OLD MILL RD").pretype, "");
}

TEST(AddressForms, TypeWordsThatComeFirst) {
  EXPECT_EQ(norm("221 RUE DE JEAN").pretype, "RUE");
  EXPECT_EQ(norm("221 RUE DE JEAN").name, "DE JEAN");
  EXPECT_EQ(norm("2633 CAMINO RAMON").pretype, "CAMINO");
  EXPECT_EQ(norm("9221 E VIA DE VENTURA").pretype, "VIA");
  // Last, VIA is still a viaduct.
  EXPECT_EQ(norm("10 MAPLE VIA").type, "VIA");
  EXPECT_EQ(norm("6102 LAKEVIEW OVERLOOK").type, "OVLK");
  EXPECT_EQ(norm("4578 MANHATTAN COLLEGE PY"), norm("4578 MANHATTAN COLLEGE PKWY"));
}

// Letters after the house number, and numbered state roads named by a letter.
TEST(AddressForms, LettersAfterTheHouseNumber) {
  EXPECT_EQ(norm("4224 A LINCOLNSHIRE").house_suffix, "A");
  EXPECT_EQ(norm("12 B ST").name, "B");
  EXPECT_EQ(norm("728 C AND N SMITH MILL RD").name, "C AND N SMITH MILL");
  EXPECT_EQ(norm("4715 F 41").name, "F 41");
  EXPECT_EQ(norm("4715 F 41").unit, "");
  EXPECT_EQ(norm("123 SE SOME AVE, NORTH BEND, OREGON, 97212 4321").zip, "97212");
  // The fraction characters are fractions.
  EXPECT_EQ(norm("1711 N 6TH \u00BD ST"), norm("1711 N 6TH 1/2 ST"));
  EXPECT_EQ(norm("12\u00BD ELM ST").house_suffix, "1/2");
}


// --- Rules from the labelled corpus's misses ------------------------------

Gazetteer corpus_places() {
  Gazetteer g;
  for (const char* p : {"TOMS RIVER", "CEDAR GROVE", "PALM HARBOR", "JACKSON", "LONG BEACH", "S SAN FRAN", "CHICO",
                        "SCOTTSDALE", "ATLANTA", "NEW YORK", "NY", "SAN FRANCISCO", "CEDAR RAPIDS", "CHICAGO"})
    g.add_place(p);
  return g;
}

TEST(AddressCorpusRules, RouteDirectionBeforeAKnownPlace) {
  const Gazetteer g = corpus_places();
  const NormalizedAddress a = norm("1470 HWY 104 N CEDAR GROVE TN 38321", g);
  EXPECT_EQ(a.street_line(), "1470 HWY 104 N");
  EXPECT_EQ(a.city, "CEDAR GROVE");
  EXPECT_EQ(norm("100 ROUTE 37 E TOMS RIVER NJ 08753", g).city, "TOMS RIVER");
  EXPECT_EQ(norm("36625 US HIGHWAY 19 N PALM HARBOR FL", g).street_line(), "36625 US HWY 19 N");
  EXPECT_EQ(norm("5028 HWY 15 N. JACKSON KY 41339", g).city, "JACKSON");
  // A county road's letters end the street before a known town, as a number does.
  Gazetteer janesville;
  janesville.add_place("JANESVILLE");
  for (const char* text : {"7529 E COUNTY ROAD MM JANESVILLE WI 53546", "7529 E COUNTY RD MM JANESVILLE"}) {
    EXPECT_EQ(norm(text, janesville).name, "MM") << text;
    EXPECT_EQ(norm(text, janesville).city, "JANESVILLE") << text;
  }
  EXPECT_EQ(norm("7529 CTH J JANESVILLE", janesville).city, "JANESVILLE");
  EXPECT_EQ(norm("17 OAK AVE NEW JANESVILLE", janesville).city, "");  // NEW may be the town's
  // A state's code is a route's kind too: "GA 20 E" is the route's direction.
  EXPECT_EQ(norm("300 GA 20 E ATLANTA GA", g), norm("300 HWY 20 E, ATLANTA GA", g));
  EXPECT_EQ(norm("300 FL 7 N PALM HARBOR FL", g).city, "PALM HARBOR");
  // Trap: after a street's name (not a route number) N may be a town's
  // first word the cache does not know; it is not split off.
  EXPECT_EQ(norm("17 OAK AVE N JACKSON", g).city, "");
  EXPECT_EQ(norm("17 N JACKSON", g).name, "JACKSON");
}

// After a route's number a spelled-out directional is the route's, as its
// letter is: "HWY 104 NORTH CEDAR GROVE" = "HWY 104 N CEDAR GROVE".
TEST(AddressCorpusRules, SpelledOutRouteDirectionBeforeAKnownPlace) {
  const Gazetteer g = corpus_places();
  const NormalizedAddress letter = norm("1470 HWY 104 N CEDAR GROVE", g);
  ASSERT_EQ(letter.city, "CEDAR GROVE");
  for (const char* text : {"1470 HWY 104 NORTH CEDAR GROVE", "1470 HIGHWAY 104 NORTH CEDAR GROVE",
                           "1470 HWY 104 North Cedar Grove", "1470 HWY 104 NORTH, CEDAR GROVE"})
    EXPECT_EQ(norm(text, g), letter) << text;
  EXPECT_EQ(norm("1470 HWY 104 NORTH CEDAR GROVE TN 38321", g), norm("1470 HWY 104 N CEDAR GROVE TN 38321", g));
  EXPECT_EQ(norm("36625 US HIGHWAY 19 SOUTH PALM HARBOR FL", g).street_line(), "36625 US HWY 19 S");
  EXPECT_EQ(norm("36625 US HIGHWAY 19 SOUTH PALM HARBOR FL", g).city, "PALM HARBOR");
  EXPECT_EQ(norm("100 ROUTE 37 EAST TOMS RIVER", g), norm("100 ROUTE 37 E TOMS RIVER", g));
  EXPECT_EQ(norm("100 ROUTE 37 WEST TOMS RIVER", g).postdir, "W");
  EXPECT_EQ(norm("100 ROUTE 37 NORTHEAST TOMS RIVER", g), norm("100 ROUTE 37 NE TOMS RIVER", g));
  EXPECT_EQ(norm("100 ROUTE 37 NORTHEAST TOMS RIVER", g).city, "TOMS RIVER");
  // Traps: after a street's name (not a route number) the word may begin a
  // town the cache does not know; it is not split off.
  EXPECT_EQ(norm("17 OAK AVE NORTH JACKSON", g).city, "");
  EXPECT_EQ(norm("17 OAK AVE EAST JACKSON", g).city, "");
}

// A town whose name starts with a directional word is still that town when
// the cache knows it: the longest known place wins.
TEST(AddressCorpusRules, TownNamedWithADirectionalAfterARouteNumber) {
  Gazetteer g = corpus_places();
  g.add_place("NORTH CEDAR GROVE");
  const NormalizedAddress town = norm("1470 HWY 104 NORTH CEDAR GROVE", g);
  EXPECT_EQ(town.city, "NORTH CEDAR GROVE");
  EXPECT_EQ(town.street_line(), "1470 HWY 104");
  EXPECT_EQ(town.postdir, "");
  // The route's direction, then the town.
  const NormalizedAddress both = norm("1470 HWY 104 NORTH NORTH CEDAR GROVE", g);
  EXPECT_EQ(both.city, "NORTH CEDAR GROVE");
  EXPECT_EQ(both.street_line(), "1470 HWY 104 N");
  EXPECT_EQ(norm("1470 HWY 104 N NORTH CEDAR GROVE", g), both);
  // Cedar Grove is still found where North Cedar Grove is not written.
  EXPECT_EQ(norm("1470 HWY 104 SOUTH CEDAR GROVE", g).city, "CEDAR GROVE");
  EXPECT_EQ(norm("1470 HWY 104 SOUTH CEDAR GROVE", g).postdir, "S");
}

TEST(AddressCorpusRules, StateWrittenBeforeTheCity) {
  const Gazetteer g = corpus_places();
  const NormalizedAddress a = norm("101 E MARKET ST UNIT 17771 CA LONG BEACH 90807-9191", g);
  EXPECT_EQ(a.city, "LONG BEACH");
  EXPECT_EQ(a.state, "CA");
  EXPECT_EQ(a.unit, "17771");
  // Stored as its place key reads: one spelling for "S SAN FRAN" and "SOUTH SAN FRAN".
  EXPECT_EQ(norm("1 DNA WAY MSC 24 CA S SAN FRAN 94080", g).city, "SOUTH SAN FRAN");
  // Trap: an unknown place after a state code is not a city.
  EXPECT_EQ(norm("101 E MARKET ST CA NOWHERE", g).city, "");
}

TEST(AddressCorpusRules, OlderStateAbbreviations) {
  const NormalizedAddress a = norm("2320 MOCKING BIRD LANE CHICO CAL", corpus_places());
  EXPECT_EQ(a.state, "CA");
  EXPECT_EQ(a.city, "CHICO");
  EXPECT_EQ(a.type, "LN");
  EXPECT_EQ(standard_state("CALIF"), "CA");
  EXPECT_EQ(standard_state("TENN"), "TN");
}

TEST(AddressCorpusRules, NumberWhereTheCityWouldBeIsTheUnit) {
  const NormalizedAddress a = norm("171 AUBURN AVE 303 GA");
  EXPECT_EQ(a.unit, "303");
  EXPECT_EQ(a.city, "");
  EXPECT_EQ(a.state, "GA");
}

TEST(AddressCorpusRules, NamedAndMisspelledCountyRoads) {
  EXPECT_EQ(norm("1901 COUNTRY ROAD 183"), norm("1901 COUNTY ROAD 183"));
  EXPECT_EQ(norm("1901 COUNTRY ROAD 183").unit, "");
  // Trap: without a number COUNTRY RD is a street's name, with its units.
  EXPECT_EQ(norm("40 COUNTRY RD").name, "COUNTRY");
  EXPECT_EQ(norm("40 COUNTRY LN 5").unit, "5");
  const NormalizedAddress anderson = norm("3665 ANDERSON COUNTY RD 312");
  EXPECT_EQ(anderson.pretype, "ANDERSON COUNTY RD");
  EXPECT_EQ(anderson.name, "312");
  EXPECT_NE(anderson, norm("3665 COUNTY RD 312"));
  EXPECT_EQ(norm("3474 SCENIC HWY 98").pretype, "SCENIC HWY");
  EXPECT_NE(norm("3474 SCENIC HWY 98"), norm("3474 HWY 98"));
}

// "ANDERSON CR 312" is Anderson County Road 312 as written in full: CR (and
// CO RD) after the county's name keep the name, as COUNTY RD after it does.
TEST(AddressCorpusRules, CountyRoadAbbreviatedAfterItsCountysName) {
  const NormalizedAddress full = norm("3665 ANDERSON COUNTY ROAD 312");
  EXPECT_EQ(full.pretype, "ANDERSON COUNTY RD");
  for (const char* text : {"3665 ANDERSON CR 312", "3665 ANDERSON COUNTY RD 312", "3665 Anderson C.R. 312",
                           "3665 ANDERSON CR-312", "3665 ANDERSON CO RD 312"})
    EXPECT_EQ(norm(text), full) << text;
  EXPECT_EQ(norm("3665 ANDERSON CR 312 N").postdir, "N");
  EXPECT_EQ(norm("3665 ANDERSON CR 312 N").pretype, "ANDERSON COUNTY RD");
  // Traps: CR alone stays County Road 312, and the two never compare equal.
  const NormalizedAddress bare = norm("3665 CR 312");
  EXPECT_EQ(bare.pretype, "COUNTY RD");
  EXPECT_EQ(bare.name, "312");
  EXPECT_EQ(bare, norm("3665 COUNTY ROAD 312"));
  EXPECT_NE(norm("3665 ANDERSON CR 312"), bare);
  EXPECT_EQ(compare_addresses(norm("3665 ANDERSON CR 312"), bare).fit, AddressFit::different);
  // Without a number after it CR is no county road.
  EXPECT_EQ(norm("3665 ANDERSON CR").pretype, "");
  // CLDXF civic elements read the same: the county's name in the pre-type,
  // or as its pre-modifier.
  for (const auto& [prm, pretype] : std::initializer_list<std::pair<const char*, const char*>>{
           {"", "ANDERSON CR"}, {"", "ANDERSON COUNTY ROAD"}, {"ANDERSON", "CR"}, {"ANDERSON", "COUNTY ROAD"}}) {
    CivicAddress c;
    c.hno = "3665";
    c.prm = prm;
    c.pretype = pretype;
    c.rd = "312";
    const auto civic = normalize_civic(c);
    ASSERT_TRUE(civic.ok()) << pretype;
    EXPECT_EQ(*civic, full) << prm << " / " << pretype;
  }
  CivicAddress plain;
  plain.hno = "3665";
  plain.pretype = "CR";
  plain.rd = "312";
  EXPECT_EQ(*normalize_civic(plain), bare);
}

TEST(AddressCorpusRules, UnitWordsWithoutAnIdAfterTheType) {
  EXPECT_EQ(norm("2610 WEST 25TH PLACE LOWER LEVEL").unit, "LOWR LEVEL");
  EXPECT_EQ(norm("2610 WEST 25TH PLACE LOWER LEVEL").type, "PL");
  EXPECT_EQ(norm("7411 S COTTAGE GROVE AVE GROUND FLOOR").unit, "GROUND FLOOR");
  EXPECT_EQ(norm("1615 MIDLAND CT NE UNIT").unit, "UNIT");
  EXPECT_EQ(norm("1615 MIDLAND CT NE UNIT").postdir, "NE");
  // Trap: FRONT after a plain word ends a name.
  const NormalizedAddress ocean = norm("4004 OCEAN FRONT APT 410");
  EXPECT_EQ(ocean.name, "OCEAN FRONT");
  EXPECT_EQ(ocean.unit, "410");
}

TEST(AddressCorpusRules, UnitWrittenBetweenNumberAndStreet) {
  const NormalizedAddress a = norm("6910 # G MARY CAROLINE CIRCLE");
  EXPECT_EQ(a.name, "MARY CAROLINE");
  EXPECT_EQ(a.unit, "G");
  EXPECT_EQ(a, norm("6910 MARY CAROLINE CIR # G"));
}

TEST(AddressCorpusRules, UnitSegmentsBeforeTheCity) {
  const Gazetteer g = corpus_places();
  const NormalizedAddress room = norm("160 Water Street, 12th Floor Executive Conference Room, New York, NY 10038", g);
  EXPECT_EQ(room.unit, "FL 12 EXECUTIVE CONFERENCE ROOM");
  EXPECT_EQ(room.city, "NEW YORK");
  EXPECT_EQ(norm("22 Reade Street, 2nd floor conference room, NY, N.Y.", g).city, "NY");
  const NormalizedAddress interim = norm("600 32nd avenue, interim unit 1 san francisco, ca, 94121", g);
  EXPECT_EQ(interim.unit_display, "INTERIM UNIT 1");
  EXPECT_EQ(interim.city, "SAN FRANCISCO");
  const NormalizedAddress sw = norm("972 Donnelly Ave., S. W. # 2 Atlanta, GA 30310", g);
  EXPECT_EQ(sw.postdir, "SW");
  EXPECT_EQ(sw.unit, "2");
  EXPECT_EQ(sw.city, "ATLANTA");
  // Trap: with only the state after it, a word after the suite is the city.
  EXPECT_EQ(norm("100 MAIN ST, SUITE 530 ATLANTA, GA", g).city, "ATLANTA");
  EXPECT_EQ(norm("3948 21st Avenue Pl SW, Unit 4 Cedar Rapids, IA, 52404", g).city, "CEDAR RAPIDS");
}

TEST(AddressCorpusRules, UnitsReadAlikeInOnePieceOrTwo) {
  // A CLDXF unit element and the same words in text give one key.
  CivicAddress c;
  c.hno = "3545";
  c.prd = "NW";
  c.rd = "58TH";
  c.unit = "DEPT 96 0430 STE 450";
  const auto civic = normalize_civic(c);
  ASSERT_TRUE(civic.ok());
  EXPECT_EQ(civic->unit, norm("dept 96 0430, 3545 nw 58th, ste 450").unit);
  EXPECT_EQ(norm("410 PIEDMONT AVE # APT 2").unit, norm("410 PIEDMONT AVE APT 2").unit);
  EXPECT_EQ(norm("1155 RELIABLE PARKWAY CLIENT CODE 28502 CHICAGO IL 60686", corpus_places()).unit,
            "CLIENT CODE 28502");
}

TEST(AddressCorpusRules, StreetExtensionsAndLeadingTypes) {
  const NormalizedAddress ext = norm("1821 AVON ST EXT STE 200");
  EXPECT_EQ(ext.name, "AVON EXT");
  EXPECT_EQ(ext.type, "ST");
  CivicAddress c;
  c.hno = "1821";
  c.rd = "AVON";
  c.sts = "STREET";
  c.pom = "EXTENSION";
  c.unit = "STE 200";
  EXPECT_EQ(*normalize_civic(c), ext);
  // Trap: EXT alone is a type of its own.
  EXPECT_EQ(norm("10 AVON EXT").type, "EXT");
  const NormalizedAddress via = norm("9221 E. Via de Ventura Scottsdale, Arizona 85258", corpus_places());
  EXPECT_EQ(via.city, "SCOTTSDALE");
  EXPECT_EQ(via.name, "DE VENTURA");
}

TEST(AddressCorpusRules, DirectionalsInsideNames) {
  EXPECT_EQ(norm("7322 SW FREEWAY STE 1600").name, "SOUTHWEST");
  EXPECT_EQ(norm("7322 SW FREEWAY STE 1600").type, "FWY");
  EXPECT_EQ(norm("2000 DR N W ATKINSON BLVD").name, "DR N W ATKINSON");
  EXPECT_EQ(norm("1200 LUCERNE DR S E").postdir, "SE");  // the quadrant after a type still joins
  CivicAddress c;
  c.hno = "514";
  c.rd = "PEACE & PLENTY";
  c.sts = "LANE";
  EXPECT_EQ(*normalize_civic(c), norm("514 PEACE & PLENTY LANE"));
}

// A town named like a directional ("NORTH", SC) cannot take the place of a
// street's post-directional: "5 MAIN ST NORTH" may be Main St N anywhere.
TEST(AddressCorpusRules, ATownNamedLikeADirectionalIsNotTakenForThePostDirectional) {
  Gazetteer g;
  for (const char* p : {"NORTH", "SPRINGFIELD"}) g.add_place(p);
  for (const char* text : {"5 MAIN ST NORTH", "5 MAIN ST, NORTH", "5 MAIN ST N"}) {
    const NormalizedAddress a = norm(text, g);
    EXPECT_EQ(a.postdir, "N") << text;
    EXPECT_EQ(a.city, "") << text;
  }
  // With its state it is the town.
  EXPECT_EQ(norm("5 MAIN ST, NORTH SC", g).city, "NORTH");
  EXPECT_EQ(norm("5 MAIN ST, NORTH SC", g).postdir, "");
}

TEST(AddressCorpusRules, UnitWordsBeforeAKnownCityAndAStateAfterTheType) {
  Gazetteer g;
  g.add_place("SPRINGFIELD");
  const NormalizedAddress lower = norm("1208 N MAPLE ST LOWER LEVEL SPRINGFIELD", g);
  EXPECT_EQ(lower.city, "SPRINGFIELD");
  EXPECT_EQ(lower.type, "ST");
  EXPECT_EQ(lower.unit, "LOWR LEVEL");
  EXPECT_EQ(lower.display(), norm("1208 N MAPLE ST, LOWER LEVEL, SPRINGFIELD", g).display());
  EXPECT_EQ(norm("300 25TH PL LOWER LEVEL SPRINGFIELD IL", g).city, "SPRINGFIELD");
  const NormalizedAddress state = norm("17 OAK AVE IL");
  EXPECT_EQ(state.state, "IL");
  EXPECT_EQ(state.street_line(), "17 OAK AVE");
  // Traps: a court, a quadrant and a floor stay what they are.
  EXPECT_EQ(norm("9 WILLOW CT").type, "CT");
  EXPECT_EQ(norm("9 WILLOW ST NE").postdir, "NE");
  EXPECT_EQ(norm("9 WILLOW ST FL 2").state, "");
}

// "CO HWY 12" is Lindale's county highway 12; read as Colorado's state
// highway it showed the flags of the premise on State Highway 12 as exact.
TEST(AddressRoutes, CountyHighwaysAreCountyRoadsExceptColoradosStateHighways) {
  const NormalizedAddress county = norm("4100 COUNTY ROAD 12, LINDALE IL");
  for (const char* text : {"4100 CO HWY 12, LINDALE IL", "4100 COUNTY HWY 12, LINDALE IL",
                           "4100 CNTY HWY 12, LINDALE IL", "4100 CTY HWY 12, LINDALE IL", "4100 CTH 12, LINDALE IL",
                           "4100 CNTY RD 12, LINDALE IL", "4100 CTY RD 12, LINDALE IL", "4100 CO RTE 12, LINDALE IL",
                           "4100 CO HIGHWAY 12, LINDALE IL", "4100 CR 12, LINDALE IL"})
    EXPECT_EQ(norm(text), county) << text;
  EXPECT_EQ(compare_addresses(norm("4100 CO HWY 12, LINDALE IL"), norm("4100 State Highway 12, Lindale IL")).fit,
            AddressFit::different);
  EXPECT_EQ(norm("3300 CTH J, GREENVALE WI"), norm("3300 County Road J, Greenvale WI"));
  EXPECT_EQ(norm("100 ANDERSON COUNTY HWY 312"), norm("100 ANDERSON COUNTY RD 312"));
  // In Colorado CO is the state: CO HWY 12 is its state highway.
  EXPECT_EQ(norm("4100 CO HWY 12, DENVER CO"), norm("4100 STATE HIGHWAY 12, DENVER CO"));
  EXPECT_EQ(norm("4100 CO HWY 12 / MAIN ST, DENVER CO").pretype, "HWY");
  EXPECT_EQ(norm("4100 CO 12, LINDALE IL"), county);
  CivicAddress c;
  c.hno = "4100";
  c.pretype = "CO HWY";
  c.rd = "12";
  c.a3 = "LINDALE";
  c.a1 = "IL";
  const auto civic = normalize_civic(c);
  ASSERT_TRUE(civic.ok());
  EXPECT_EQ(civic->pretype, "COUNTY RD");
}

// "APT 1-3" was unit 13: exact on Apt 13, someone else's flags. The hyphen
// between digits stays; between a letter and a digit it still goes.
TEST(AddressRoutes, AHyphenBetweenDigitsInAUnitStays) {
  EXPECT_EQ(norm("710 BIRCH AVE APT 1-3").unit, "1-3");
  EXPECT_EQ(norm("710 BIRCH AVE APT 1-3").unit_display, "APT 1-3");
  EXPECT_EQ(compare_addresses(norm("710 BIRCH AVE APT 1-3"), norm("710 Birch Ave Apt 13")).fit, AddressFit::building);
  EXPECT_EQ(compare_addresses(norm("710 BIRCH AVE APT 1-1"), norm("710 Birch Ave Apt 11")).fit, AddressFit::building);
  EXPECT_EQ(compare_addresses(norm("10 LAKE SHORE DR LOT 1-7"), norm("10 Lake Shore Dr Lot 17")).fit,
            AddressFit::building);
  EXPECT_EQ(compare_addresses(norm("710 BIRCH AVE UNIT 2-3"), norm("710 Birch Ave Apt 23")).fit, AddressFit::building);
  EXPECT_EQ(compare_addresses(norm("710 BIRCH AVE, 1-3"), norm("710 Birch Ave Apt 13")).fit, AddressFit::building);
  EXPECT_NE(compare_addresses(norm("710 BIRCH AVE APT 1-3"), norm("710 Birch Ave Bldg 1 Apt 3")).fit,
            AddressFit::exact);
  CivicAddress c;
  c.hno = "710";
  c.rd = "BIRCH";
  c.sts = "AVE";
  c.unit = "1-3";
  const auto civic = normalize_civic(c);
  ASSERT_TRUE(civic.ok());
  EXPECT_EQ(civic->unit, "1-3");
  // Written alike on both sides it is the same unit.
  EXPECT_EQ(compare_addresses(norm("710 BIRCH AVE APT 1-3"), norm("710 Birch Ave Apt 1-3")).fit, AddressFit::exact);
  EXPECT_EQ(compare_addresses(norm("710 BIRCH AVE # 1-3"), norm("710 Birch Ave Unit 1-3")).fit, AddressFit::exact);
  EXPECT_EQ(norm("1208 N MAPLE ST APT 3-B").unit, "3B");
  EXPECT_EQ(norm("1208 N MAPLE ST APT C-5").unit, "C5");
}

TEST(AddressRoutes, MoreSpellingsOfOneRoute) {
  const NormalizedAddress state = norm("3300 STATE ROUTE 9");
  for (const char* text : {"3300 ST RT 9", "3300 ST RTE 9", "3300 ST RD 9", "3300 ST HWY 9", "3300 IL 9", "3300 IL-9",
                           "3300 IL RT 9", "3300 SR9", "3300 SR-9", "3300 STATE ROUTE 09", "3300 ST ROUTE 9"})
    EXPECT_EQ(norm(text), state) << text;
  EXPECT_EQ(norm("3300 IL 9 N").postdir, "N");
  EXPECT_EQ(norm("3300 IL 9").unit, "");
  EXPECT_EQ(norm("4100 CR12"), norm("4100 COUNTY ROAD 12"));
  EXPECT_EQ(norm("4100 COUNTY ROAD 012"), norm("4100 COUNTY ROAD 12"));
  EXPECT_EQ(norm("1200 US50"), norm("1200 US HIGHWAY 50"));
  EXPECT_EQ(norm("I55 MM 92"), norm("I-55 MM 92"));
  const NormalizedAddress fm = norm("2400 FM 1960");
  for (const char* text : {"2400 FM1960", "2400 FM RD 1960", "2400 FARM TO MARKET RD 1960", "2400 FARM TO MARKET 1960",
                           "2400 FM 1960 RD", "2400 FM 1960 ROAD"})
    EXPECT_EQ(norm(text), fm) << text;
  EXPECT_EQ(norm("2400 FM 1960 RD W"), norm("2400 FM 1960 W"));
  // A state's code that is also a type or unit word is its route as the
  // street's first word: no street is named FL with unit 7.
  const NormalizedAddress florida = norm("300 STATE ROAD 7");
  for (const char* text : {"300 FL 7", "300 FL-7"}) EXPECT_EQ(norm(text), florida) << text;
  EXPECT_EQ(norm("900 CT 15").pretype, "HWY");
  EXPECT_EQ(norm("900 CT 15").name, "15");
  EXPECT_EQ(norm("12 MAIN ST FL 7").unit, "FL 7");
  // US highways and county roads as some CAD systems write them.
  for (const char* text : {"88175 USHWY 278", "88175 U S 278", "88175 US NO 278", "88175 USHIGHWAY 278"})
    EXPECT_EQ(norm(text), norm("88175 US HIGHWAY 278")) << text;
  EXPECT_EQ(norm("1901 C R 183"), norm("1901 COUNTY ROAD 183"));
  // The number's own word, as New Jersey's records write routes.
  for (const char* text : {"254 US HIGHWAY NO 202", "254 US HWY NUMBER 202", "254 US ROUTE NO 202", "254 US-NO 202"})
    EXPECT_EQ(norm(text), norm("254 US HWY 202")) << text;
  EXPECT_EQ(norm("10 STATE HIGHWAY NO 35"), norm("10 STATE HWY 35"));
  EXPECT_EQ(norm("10 COUNTY ROAD NO 5"), norm("10 COUNTY RD 5"));
  EXPECT_EQ(norm("12188 OLD NUMBER 6 HWY").name, "OLD NUMBER 6");  // a name, not a route's number
  CivicAddress civic;  // the same road in civic elements, as CAD's EIDO gives it
  civic.hno = "254";
  civic.pretype = "US HIGHWAY";
  civic.rd = "NO 202";
  ASSERT_TRUE(normalize_civic(civic).ok());
  EXPECT_EQ(*normalize_civic(civic), norm("254 US HWY 202"));
  EXPECT_EQ(norm("12 C ST").name, "C");  // a lettered street stays one
  EXPECT_EQ(norm("1000 C R DB"), norm("1000 COUNTY ROAD DB"));
  EXPECT_EQ(norm("100 C R SMITH RD").name, "C R SMITH");
  // A cross street after a lettered county road or a name after a type that comes first.
  EXPECT_EQ(norm("7441 E COUNTY ROAD Y / OAK AVE"), norm("7441 E COUNTY ROAD Y"));
  EXPECT_EQ(norm("7441 E COUNTY ROAD Y BTWN OAK AVE AND ELM ST"), norm("7441 E COUNTY ROAD Y"));
  EXPECT_EQ(norm("9221 E VIA DE VENTURA XST ELM ST"), norm("9221 E VIA DE VENTURA"));
  EXPECT_EQ(norm("5801 N HIGHWAY 763 / OAK AVE"), norm("5801 N HWY 763"));
  EXPECT_EQ(norm("820 N HIGHWAY 71 BUSINESS / OAK AVE"), norm("820 N HWY 71 BUSINESS"));
  EXPECT_EQ(norm("820 N HIGHWAY 71 BUSINESS XST ELM ST"), norm("820 N HWY 71 BUSINESS"));
  EXPECT_EQ(norm("100 US 1 & 9").name, "1 9");  // one road

  const NormalizedAddress rm = norm("2400 RM 620");
  EXPECT_EQ(rm.pretype, "RM");
  EXPECT_EQ(rm.unit, "");
  EXPECT_EQ(norm("2400 RANCH TO MARKET 620"), rm);
  EXPECT_EQ(norm("2400 RANCH TO MARKET RD 620"), rm);
  // Still apart: saint streets, other kinds, a state code that is a directional.
  EXPECT_EQ(norm("300 ST PAUL BLVD").name, "SAINT PAUL");
  EXPECT_EQ(compare_addresses(norm("2400 RM 1960"), fm).fit, AddressFit::different);
  EXPECT_EQ(compare_addresses(norm("1200 ST HWY 50"), norm("1200 US Highway 50")).fit, AddressFit::different);
  EXPECT_EQ(norm("1200 NE 12 AVE").predir, "NE");
  EXPECT_NE(norm("1200 PR 4120").pretype, "HWY");  // a Texas private road
  EXPECT_EQ(norm("710 BIRCH AVE APT US5").unit, "US5");
}

// Words after a unit that are no unit's are a town (or remarks), not more
// of the unit: "APT 2 SHELBYVILLE" is no unit "2 SHELBYVILLE".
TEST(AddressUnits, WordsAfterAUnitThatAreNoUnitsAreTheTown) {
  const NormalizedAddress a = norm("40 OAK AVE APT 2 SHELBYVILLE");
  EXPECT_EQ(a.unit, "2");
  EXPECT_EQ(a.city, "SHELBYVILLE");
  EXPECT_EQ(norm("40 OAK AVE # 2 NORTH SHELBYVILLE").city, "NORTH SHELBYVILLE");
  // Unit words stay the unit's.
  EXPECT_EQ(norm("40 OAK AVE APT 2 REAR").city, "");
  EXPECT_EQ(norm("40 OAK AVE APT 2 BLDG C").city, "");
  EXPECT_EQ(norm("40 OAK AVE APT 2 BLDG C").unit, norm("40 Oak Ave Apt 2 Bldg C").unit);
}

TEST(AddressRoutes, HistoricRoutesKeepTheirKind) {
  const NormalizedAddress route = norm("1200 HISTORIC ROUTE 66");
  EXPECT_EQ(route.pretype, "HISTORIC HWY");
  EXPECT_EQ(route.name, "66");
  for (const char* text :
       {"1200 HISTORIC RTE 66", "1200 HIST RT 66", "1200 HISTORIC HWY 66", "1200 HISTORIC HIGHWAY 66"})
    EXPECT_EQ(norm(text), route) << text;
  const NormalizedAddress us = norm("1200 HISTORIC US 66");
  EXPECT_EQ(us.pretype, "HISTORIC US HWY");
  EXPECT_EQ(norm("1200 HISTORIC US HIGHWAY 66"), us);
  EXPECT_EQ(compare_addresses(us, norm("1200 US HWY 66")).fit, AddressFit::different);
  EXPECT_EQ(compare_addresses(route, norm("1200 ROUTE 66")).fit, AddressFit::different);
  EXPECT_EQ(norm("HISTORIC ROUTE 66 MM 12").house_number, "MM 12");
}

TEST(AddressRoutes, AMileMarkerReadsAloneOfWhereOnTheRoad) {
  const NormalizedAddress want = norm("I-55 MM 92");
  for (const char* text : {"I-55 MM 92.0", "I-55 MM 092", "I-55 MM 92 MEDIAN", "I-55 MM 92 NB SHOULDER",
                           "I-55 NB NEAR MM 92", "I-55 @ MM 92", "I-55 AT MM 92", "I-55 SB MM 92 RIGHT SHOULDER"})
    EXPECT_EQ(norm(text), want) << text;
  EXPECT_EQ(norm("I-55 MM 92.50").house_number, "MM 92.5");
  EXPECT_EQ(compare_addresses(norm("I-55 MM 92.0"), norm("I-55 MM 9.2")).fit, AddressFit::different);
  EXPECT_EQ(compare_addresses(norm("I-55 AT MM 92"), norm("I-55 MM 93")).fit, AddressFit::different);
}

// Each of these read as another address and answered "no flags" with
// nothing said.

bool same_street_and_unit(const NormalizedAddress& a, const NormalizedAddress& b) {
  return a.street_line() == b.street_line() && a.unit == b.unit && a.city == b.city && a.state == b.state;
}

std::string error_of(const std::string& text) {
  auto r = normalize_address(text);
  return r.ok() ? "read as " + r->display() : r.error().code;
}

TEST(AddressCadText, UnicodeLookAlikesReadAsTheirAscii) {
  // U+2010 and U+2011 hyphens in a Queens number.
  for (const char* s : {"123\xE2\x80\x90" "45 JAMAICA AVE", "123\xE2\x80\x91" "45 JAMAICA AVE"})
    EXPECT_EQ(norm(s).house_number, "123-45") << s;
  // U+2044 fraction slash and U+2215 division slash.
  for (const char* s : {"12 1\xE2\x81\x84" "2 ELM ST", "12 1\xE2\x88\x95" "2 ELM ST"})
    EXPECT_TRUE(same_street_and_unit(norm(s), norm("12 1/2 ELM ST"))) << s;
  // U+02BC, U+00B4, U+2018, U+2019 as apostrophes.
  for (const char* s : {"5 O\xCA\xBC" "BRIEN ST", "5 O\xC2\xB4" "BRIEN ST", "5 O\xE2\x80\x98" "BRIEN ST",
                        "5 O\xE2\x80\x99" "BRIEN ST"})
    EXPECT_EQ(norm(s).name, "OBRIEN") << s;
  // U+2116 numero sign is the number word NO.
  EXPECT_TRUE(same_street_and_unit(norm("1208 N MAPLE ST \xE2\x84\x96 3B, GREENVALE IL"),
                                   norm("1208 N MAPLE ST APT 3B, GREENVALE IL")));
  // Full-width letters, digits and comma (which ended the street line).
  const NormalizedAddress wide = norm("\xEF\xBC\x97\xEF\xBC\x97 \xEF\xBC\xB0\xEF\xBD\x89\xEF\xBD\x8E\xEF\xBD\x85 "
                                      "\xEF\xBC\xB2\xEF\xBC\xA4\xEF\xBC\x8C Greenvale IL");
  EXPECT_TRUE(same_street_and_unit(wide, norm("77 PINE RD, GREENVALE IL"))) << wide.display();
  // Cut or stray bytes of these characters never crash nor read as them.
  for (const char* s : {"77 PINE RD \xEF\xBC", "77 PINE RD \xEF", "77 PINE RD \xE2\x84", "77 PINE RD \xCA",
                        "77 PINE RD \xE2\x81", "77 PINE RD \xEF\xBD\xFF", "\xEF\xBC\x97"})
    (void)normalize_address(s);
}

TEST(AddressCadText, NotesAppendedToTheAddressAreDropped) {
  const NormalizedAddress pine = norm("77 PINE RD, GREENVALE IL");
  const NormalizedAddress maple = norm("1208 N MAPLE ST APT 3B");
  for (const char* s : {"77 PINE RD [BACK]", "77 PINE RD - RP STATES SUBJ HAS KNIFE", "77 PINE RD (RP ADVISES DOG)",
                        "77 PINE RD *RP ADVISES DOG", "77 PINE RD (SUBJ LEFT IN VEH"})
    EXPECT_TRUE(norm(s).unit.empty() && norm(s).street_line() == pine.street_line()) << s << " -> " << norm(s).display();
  EXPECT_TRUE(same_street_and_unit(norm("77 PINE RD, GREENVALE IL *RP ADVISES DOG*"), pine));
  EXPECT_TRUE(same_street_and_unit(norm("1208 N MAPLE ST APT 3B; RP IN VEH"), maple));
  const NormalizedAddress rear = norm("1208 N MAPLE ST, GREENVALE IL - REAR");
  EXPECT_EQ(rear.street_line(), "1208 N MAPLE ST");
  EXPECT_EQ(rear.city, "GREENVALE");
  EXPECT_EQ(rear.state, "IL");
  // Unit words in the note stay the unit, as they read before.
  EXPECT_EQ(norm("77 PINE RD (REAR)").unit, "REAR");
  EXPECT_EQ(norm("77 PINE RD - APT 4").unit, "4");
  EXPECT_EQ(norm("1208 N MAPLE ST APT 3B (UPSTAIRS)").unit, "3B UPSTAIRS");
  // A hyphen inside a word or number is no note.
  EXPECT_EQ(norm("123-45 JAMAICA AVE").house_number, "123-45");
}

TEST(AddressCadText, LocationWordsAfterTheStreetAreUnitWordsWithoutId) {
  for (const auto& [text, unit] : std::initializer_list<std::pair<const char*, const char*>>{
           {"77 PINE RD (BACK YARD)", "BACK YARD"},
           {"77 PINE RD - BACK YARD", "BACK YARD"},
           {"1208 N MAPLE ST (BACK DOOR)", "BACK DOOR"},
           {"77 PINE RD GARAGE", "GARAGE"},
           {"77 PINE RD KITCHEN, GREENVALE IL", "KITCHEN"},
           {"77 PINE RD UPSTAIRS", "UPSTAIRS"},
           {"77 PINE RD SIDE DOOR", "SIDE DOOR"},
           {"77 PINE RD DRIVEWAY", "DRIVEWAY"},
           {"77 PINE RD PARKING LOT", "PARKING LOT"},
           {"77 PINE RD FRONT YARD", "FRONT YARD"},
           {"77 PINE RD REAR YARD", "REAR YARD"},
           {"77 PINE RD FRONT DOOR", "FRONT DOOR"},
           {"1208 N MAPLE ST N GARAGE", "GARAGE"}}) {
    const NormalizedAddress a = norm(text);
    EXPECT_EQ(a.name, std::string(text).starts_with("77") ? "PINE" : "MAPLE") << text;
    EXPECT_EQ(a.unit, unit) << text;
  }
  // Streets named with these words keep them.
  EXPECT_EQ(norm("10 GARAGE LN").name, "GARAGE");
  EXPECT_EQ(norm("5 FRONT ST").name, "FRONT");
  EXPECT_EQ(norm("12 BACK BAY RD").name, "BACK BAY");
  EXPECT_EQ(norm("12 BACK BAY RD").unit, "");
}

TEST(AddressCadText, TextThatIsNoSingleAddressIsAnError) {
  for (const char* s : {"1200 BLK N MAPLE ST", "1200 BLOCK OF N MAPLE ST", "1200 BLOCK N MAPLE ST",
                        "1208-1210 N MAPLE ST", "1208 AND 1210 N MAPLE ST", "1208 & 1210 N MAPLE ST"})
    EXPECT_EQ(error_of(s), "address.not_one_address") << s;
  EXPECT_EQ(error_of("999999999999 MAPLE ST"), "address.not_one_address");
  for (const char* s : {"1208 N", "1208 ST", "12 34", "1208 NORTH"})
    EXPECT_EQ(error_of(s), "address.no_street_name") << s;
  EXPECT_EQ(error_of("0 MAPLE ST"), "address.no_house_number");
  // Still addresses: Queens numbers, a street named BLOCK, Utah's grid.
  EXPECT_EQ(norm("123-45 JAMAICA AVE").house_number, "123-45");
  EXPECT_EQ(norm("150-12 JAMAICA AVE").house_number, "150-12");
  EXPECT_EQ(norm("1200 BLOCK RD").name, "BLOCK");
  EXPECT_EQ(norm("239 S 500 E").name, "500");
  EXPECT_EQ(norm("55 N ST").name, "NORTH");
  EXPECT_EQ(norm("999999 MAPLE ST").house_number, "999999");
  EXPECT_EQ(norm("1208 AND N MAPLE ST").name, "AND N MAPLE");
}

TEST(AddressCadText, DesignatorHyphenedToItsId) {
  for (const auto& [glued, spaced] : std::initializer_list<std::pair<const char*, const char*>>{
           {"77 PINE RD APT-4", "77 PINE RD APT 4"},
           {"77 PINE RD UNIT-4B", "77 PINE RD UNIT 4B"},
           {"77 PINE RD STE-200", "77 PINE RD STE 200"},
           {"77 PINE RD #-4", "77 PINE RD # 4"}}) {
    const NormalizedAddress a = norm(glued);
    EXPECT_EQ(a.unit, norm(spaced).unit) << glued;
    EXPECT_EQ(a.display(), spaced) << glued;
  }
}

TEST(AddressCadText, CompassLetterGluedToTheNumberIsThePreDirectional) {
  const NormalizedAddress a = norm("1208N MAPLE ST, GREENVALE IL");
  EXPECT_EQ(a.house_number, "1208");
  EXPECT_EQ(a.house_suffix, "");
  EXPECT_EQ(a.predir, "N");
  EXPECT_EQ(a.name, "MAPLE");
  // A letter that is no compass point, or before a type, stays the suffix,
  // and prints with its number so it never reads as a directional.
  const NormalizedAddress b = norm("14A BIRCH LN");
  EXPECT_EQ(b.house_suffix, "A");
  EXPECT_EQ(b.display(), "14A BIRCH LN");
  EXPECT_EQ(norm("1208E ST LOUIS AVE").house_suffix, "E");
  EXPECT_EQ(norm("1208E ST LOUIS AVE").display(), "1208E SAINT LOUIS AVE");
  EXPECT_EQ(norm("1208 1/2 S ELM ST").display(), "1208 1/2 S ELM ST");
}

}  // namespace
}  // namespace mdtc::cache
