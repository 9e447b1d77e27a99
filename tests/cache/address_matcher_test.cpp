// Precision first: these cases are mostly near misses that must NOT match.
#include <gtest/gtest.h>

#include "mdtc/address.h"

namespace mdtc::cache {
namespace {

NormalizedAddress norm(const std::string& text) {
  auto r = normalize_address(text);
  EXPECT_TRUE(r.ok()) << text;
  return r.ok() ? *r : NormalizedAddress{};
}

AddressFit fit(const std::string& query, const std::string& premise) {
  return compare_addresses(norm(query), norm(premise)).fit;
}

const std::string kHome = "1208 N MAPLE ST APT 3B, SPRINGFIELD IL";

TEST(Matcher, SameUnitAnySpellingIsExact) {
  EXPECT_EQ(fit("1208 n. maple street #3b, springfield il", kHome), AddressFit::exact);
  EXPECT_EQ(fit("1208 NORTH MAPLE ST UNIT 3B, SPRINGFIELD IL", kHome), AddressFit::exact);
}

TEST(Matcher, DifferentHouseNumberIsNeverExact) {
  EXPECT_EQ(fit("1210 N MAPLE ST APT 3B, SPRINGFIELD IL", kHome), AddressFit::different);
  EXPECT_EQ(fit("128 N MAPLE ST APT 3B, SPRINGFIELD IL", kHome), AddressFit::different);
  EXPECT_EQ(fit("12080 N MAPLE ST APT 3B, SPRINGFIELD IL", kHome), AddressFit::different);
}

TEST(Matcher, FractionalHouseNumberIsAnotherBuilding) {
  EXPECT_EQ(fit("1208 1/2 N MAPLE ST APT 3B, SPRINGFIELD IL", kHome), AddressFit::different);
  EXPECT_EQ(fit("1208A N MAPLE ST APT 3B, SPRINGFIELD IL", kHome), AddressFit::different);
}

TEST(Matcher, DifferentDirectionalIsNeverExact) {
  EXPECT_EQ(fit("1208 S MAPLE ST APT 3B, SPRINGFIELD IL", kHome), AddressFit::different);
  EXPECT_EQ(fit("1208 NE MAPLE ST APT 3B, SPRINGFIELD IL", kHome), AddressFit::different);
  EXPECT_EQ(fit("1208 N MAPLE ST SW APT 3B, SPRINGFIELD IL", "1208 N MAPLE ST NW APT 3B, SPRINGFIELD IL"),
            AddressFit::different);
}

TEST(Matcher, DirectionalInTheOtherPlaceIsADifferentStreet) {
  EXPECT_EQ(fit("1208 MAPLE ST N APT 3B, SPRINGFIELD IL", kHome), AddressFit::different);
  EXPECT_EQ(fit("1208 N MAPLE ST N APT 3B, SPRINGFIELD IL", kHome), AddressFit::different);
}

TEST(Matcher, DifferentStreetNameIsNeverExact) {
  EXPECT_EQ(fit("1208 N MAPLES ST APT 3B, SPRINGFIELD IL", kHome), AddressFit::different);
  EXPECT_EQ(fit("1208 N MAPLE RIDGE ST APT 3B, SPRINGFIELD IL", kHome), AddressFit::different);
  EXPECT_EQ(fit("1208 N OAK ST APT 3B, SPRINGFIELD IL", kHome), AddressFit::different);
}

TEST(Matcher, DifferentSuffixIsNeverExact) {
  EXPECT_EQ(fit("1208 N MAPLE AVE APT 3B, SPRINGFIELD IL", kHome), AddressFit::different);
  EXPECT_EQ(fit("1208 N MAPLE CT APT 3B, SPRINGFIELD IL", kHome), AddressFit::different);
  EXPECT_EQ(fit("1208 N MAPLE BLVD APT 3B, SPRINGFIELD IL", kHome), AddressFit::different);
}

TEST(Matcher, DifferentCityOrStateOrZipIsNeverExact) {
  EXPECT_EQ(fit("1208 N MAPLE ST APT 3B, SHELBYVILLE IL", kHome), AddressFit::different);
  EXPECT_EQ(fit("1208 N MAPLE ST APT 3B, SPRINGFIELD MO", kHome), AddressFit::different);
  EXPECT_EQ(fit("1208 N MAPLE ST APT 3B, SPRINGFIELD IL 62701", "1208 N MAPLE ST APT 3B, SPRINGFIELD IL 62702"),
            AddressFit::different);
}

TEST(Matcher, OtherUnitIsBuildingNotExact) {
  EXPECT_EQ(fit("1208 N MAPLE ST APT 3C, SPRINGFIELD IL", kHome), AddressFit::building);
  EXPECT_EQ(fit("1208 N MAPLE ST, SPRINGFIELD IL", kHome), AddressFit::building);
  EXPECT_EQ(fit("1208 N MAPLE ST APT 3B, SPRINGFIELD IL", "1208 N MAPLE ST, SPRINGFIELD IL"), AddressFit::building);
  EXPECT_EQ(fit("1208 N MAPLE ST BLDG 3B, SPRINGFIELD IL", kHome), AddressFit::building);
}

TEST(Matcher, MissingElementIsIncomplete) {
  EXPECT_EQ(fit("1208 MAPLE ST APT 3B, SPRINGFIELD IL", kHome), AddressFit::incomplete);
  EXPECT_EQ(fit("1208 N MAPLE APT 3B, SPRINGFIELD IL", kHome), AddressFit::incomplete);
  EXPECT_EQ(fit("1208 N MAPLE ST APT 3B", kHome), AddressFit::incomplete);
}

TEST(Matcher, SaintIsNotStreet) {
  EXPECT_EQ(fit("300 ST PAUL AVE, SPRINGFIELD IL", "300 PAUL AVE, SPRINGFIELD IL"), AddressFit::different);
  EXPECT_EQ(fit("300 ST. PAUL AVENUE, SPRINGFIELD IL", "300 SAINT PAUL AVE, SPRINGFIELD IL"), AddressFit::exact);
}

TEST(Matcher, AvenueBIsNotBAvenue) {
  EXPECT_EQ(fit("40 AVENUE B, SPRINGFIELD IL", "40 B AVE, SPRINGFIELD IL"), AddressFit::different);
  EXPECT_EQ(fit("40 AVE B, SPRINGFIELD IL", "40 AVENUE B, SPRINGFIELD IL"), AddressFit::exact);
}

std::vector<Candidate> premises(std::initializer_list<std::pair<const char*, const char*>> list) {
  std::vector<Candidate> out;
  for (const auto& [id, text] : list) out.push_back({id, norm(text)});
  return out;
}

TEST(Matcher, ExactUnitReturnsOnlyThatUnitAndTheWholeBuildingRecord) {
  auto c = premises({{"P-1", kHome.c_str()},
                     {"P-2", "1208 N MAPLE ST APT 3C, SPRINGFIELD IL"},
                     {"P-3", "1208 N MAPLE ST, SPRINGFIELD IL"}});
  const AddressDecision d = decide_match(norm("1208 n maple street #3b, springfield il"), c);
  EXPECT_EQ(d.level, AddressMatchLevel::exact);
  EXPECT_EQ(d.premise_ids, (std::vector<std::string>{"P-1", "P-3"}));
}

TEST(Matcher, BuildingWithoutAUnitBringsItsUnitsOneLevelBelow) {
  auto c = premises({{"P-1", kHome.c_str()},
                     {"P-2", "1208 N MAPLE ST APT 3C, SPRINGFIELD IL"},
                     {"P-3", "1208 N MAPLE ST, SPRINGFIELD IL"}});
  const AddressDecision d = decide_match(norm("1208 N MAPLE ST, SPRINGFIELD IL"), c);
  EXPECT_EQ(d.level, AddressMatchLevel::exact);
  EXPECT_EQ(d.premise_ids, (std::vector<std::string>{"P-3"}));
  EXPECT_EQ(d.other_units, (std::vector<std::string>{"P-1", "P-2"}));
  EXPECT_EQ(d.reasons.at("P-1"), std::vector<std::string>{"unit not given"});
  EXPECT_EQ(d.reasons.count("P-3"), 0u);
  // With a unit named, the other units stay out.
  EXPECT_TRUE(decide_match(norm("1208 N MAPLE ST APT 3C, SPRINGFIELD IL"), c).other_units.empty());
}

TEST(Matcher, OtherUnitGivesBuildingLevel) {
  auto c = premises({{"P-1", kHome.c_str()}});
  const AddressDecision d = decide_match(norm("1208 N MAPLE ST APT 1A, SPRINGFIELD IL"), c);
  EXPECT_EQ(d.level, AddressMatchLevel::building);
  EXPECT_EQ(d.premise_ids, (std::vector<std::string>{"P-1"}));
}

TEST(Matcher, MissingDirectionalWithTwoStreetsIsAmbiguous) {
  auto c = premises({{"P-1", "1208 N MAPLE ST, SPRINGFIELD IL"}, {"P-9", "1208 S MAPLE ST, SPRINGFIELD IL"}});
  const AddressDecision d = decide_match(norm("1208 MAPLE ST, SPRINGFIELD IL"), c);
  EXPECT_EQ(d.level, AddressMatchLevel::none);
  EXPECT_TRUE(d.premise_ids.empty());
  EXPECT_EQ(d.ambiguous_candidates, (std::vector<std::string>{"P-1", "P-9"}));
}

TEST(Matcher, MissingSuffixWithTwoStreetsIsAmbiguous) {
  auto c = premises({{"P-1", "17 OAK AVE, SPRINGFIELD IL"}, {"P-2", "17 OAK CT, SPRINGFIELD IL"}});
  const AddressDecision d = decide_match(norm("17 OAK, SPRINGFIELD IL"), c);
  EXPECT_EQ(d.level, AddressMatchLevel::none);
  EXPECT_EQ(d.ambiguous_candidates.size(), 2u);
}

TEST(Matcher, MissingCityWithTwoCitiesIsAmbiguous) {
  auto c = premises({{"P-1", "17 OAK AVE, SPRINGFIELD IL"}, {"P-2", "17 OAK AVE, SHELBYVILLE IL"}});
  const AddressDecision d = decide_match(norm("17 OAK AVE"), c);
  EXPECT_EQ(d.level, AddressMatchLevel::none);
  EXPECT_EQ(d.ambiguous_candidates, (std::vector<std::string>{"P-1", "P-2"}));
}

TEST(Matcher, MissingElementWithOnePremiseIsAtMostBuilding) {
  auto c = premises({{"P-1", kHome.c_str()}});
  EXPECT_EQ(decide_match(norm("1208 MAPLE ST APT 3B, SPRINGFIELD IL"), c).level, AddressMatchLevel::building);
  EXPECT_EQ(decide_match(norm("1208 N MAPLE APT 3B, SPRINGFIELD IL"), c).level, AddressMatchLevel::building);
  EXPECT_EQ(decide_match(norm("1208 N MAPLE ST APT 3B"), c).level, AddressMatchLevel::building);
}

TEST(Matcher, CompleteMatchIsNotSpoiledByAnIncompleteRecord) {
  auto c = premises({{"P-1", "1208 N MAPLE ST, SPRINGFIELD IL"}, {"P-7", "1208 MAPLE ST, SPRINGFIELD IL"}});
  const AddressDecision d = decide_match(norm("1208 N MAPLE ST, SPRINGFIELD IL"), c);
  EXPECT_EQ(d.level, AddressMatchLevel::exact);
  EXPECT_EQ(d.premise_ids, (std::vector<std::string>{"P-1"}));
}

TEST(Matcher, NothingSimilarIsNone) {
  auto c = premises({{"P-1", kHome.c_str()}});
  const AddressDecision d = decide_match(norm("1208 S MAPLE ST APT 3B, SPRINGFIELD IL"), c);
  EXPECT_EQ(d.level, AddressMatchLevel::none);
  EXPECT_TRUE(d.ambiguous_candidates.empty());
}

std::vector<std::string> why(const std::string& query, const std::string& premise) {
  return fit_reasons(norm(query), norm(premise));
}

TEST(Matcher, ExactFitHasNoReasons) {
  EXPECT_TRUE(why("1208 n. maple street #3b, springfield il", kHome).empty());
}

TEST(Matcher, ReasonsSayWhichSideLacksWhat) {
  using V = std::vector<std::string>;
  EXPECT_EQ(why("1208 N MAPLE ST APT 5C, SPRINGFIELD IL", kHome), V{"other unit in this building"});
  EXPECT_EQ(why("1208 N MAPLE ST, SPRINGFIELD IL", kHome), V{"unit not given"});
  EXPECT_EQ(why("1208 N MAPLE ST APT 3B", kHome), V{"city not given"});
  EXPECT_EQ(why("1208 MAPLE ST APT 3B, SPRINGFIELD IL", kHome), V{"directional missing"});
  EXPECT_EQ(why("1208 N MAPLE APT 3B, SPRINGFIELD IL", kHome), V{"street type not given"});
  EXPECT_EQ(why("1208 N MAPLE ST APT 3B, SPRINGFIELD IL", "1208 N MAPLE ST APT 3B"), V{"city not on file"});
  EXPECT_EQ(why("1208 N MAPLE ST APT 3B, SPRINGFIELD IL", "1208 N MAPLE ST, SPRINGFIELD IL"),
            V{"record is for the whole building"});
  EXPECT_EQ(why("1208 MAPLE ST", kHome), (V{"directional missing", "city not given", "unit not given"}));
}

TEST(Matcher, BuildingDecisionCarriesEachPremisesOwnReasons) {
  const std::vector<Candidate> c = {{"P-3B", norm(kHome)}, {"P-1A", norm("1208 N MAPLE ST APT 1A, SPRINGFIELD IL")}};
  const auto d = decide_match(norm("1208 N MAPLE ST APT 5C, SPRINGFIELD IL"), c);
  EXPECT_EQ(d.level, AddressMatchLevel::building);
  ASSERT_EQ(d.reasons.size(), 2u);
  EXPECT_EQ(d.reasons.at("P-3B"), std::vector<std::string>{"other unit in this building"});
  EXPECT_EQ(d.reasons.at("P-1A"), std::vector<std::string>{"other unit in this building"});
  const auto exact = decide_match(norm(kHome), c);
  EXPECT_EQ(exact.level, AddressMatchLevel::exact);
  EXPECT_TRUE(exact.reasons.empty()) << "an exact answer needs no excuse";
}

TEST(Matcher, DistanceReadsInMetresThenKilometres) {
  EXPECT_EQ(distance_text(7.4), "7 m");
  EXPECT_EQ(distance_text(999.4), "999 m");
  EXPECT_EQ(distance_text(4412), "4.4 km");
}

TEST(Matcher, DistanceIsHaversine) {
  // One thousandth of a degree of latitude is about 111 m everywhere.
  EXPECT_NEAR(distance_m(39.8012, -89.6437, 39.8022, -89.6437), 111.2, 0.5);
  EXPECT_NEAR(distance_m(39.8012, -89.6437, 39.8012, -89.6437), 0.0, 1e-9);
}

}  // namespace
}  // namespace mdtc::cache
