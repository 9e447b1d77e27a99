#include <gtest/gtest.h>

#include <filesystem>

#include "mdtc/bridge.h"
#include "pidf_location.h"
#include "temp_dir.h"

using mdtc::bridge::decode;
using mdtc::bridge::parse_pidf_location;

namespace {

std::string dispatch_with_eido(const std::string& eido) {
  return R"({"v":1,"type":"dispatch","seq":1,"eido":)" + eido + "}";
}

}  // namespace

TEST(EidoMapper, PublishedSampleMapsToWilmingtonCivicAddress) {
  const std::string path = MDTC_SOURCE_DIR "/../shared/corpus/eido/sample-call-transfer.json";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "shared EIDO corpus not present";
  auto r = decode("unit.2A31", dispatch_with_eido(mdtc::test::read_file(path)), 1 << 20);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_TRUE(r->incident());
  const auto& c = r->incident()->location.civic;
  EXPECT_EQ(c.hno, "42");
  EXPECT_EQ(c.prd, "W");
  EXPECT_EQ(c.rd, "CELLULAR");
  EXPECT_TRUE(c.sts == "ST" || c.sts == "STREET") << c.sts;
  EXPECT_EQ(c.a3, "WILMINGTON");
  EXPECT_EQ(c.a1, "DE");
  EXPECT_EQ(c.country, "US");
  EXPECT_EQ(r->incident_id(), "urn:emergency:uid:incidentid:a56e556d871:bcf.state.pa.us");
  EXPECT_EQ(r->incident()->call_type, "emergency");
  EXPECT_EQ(r->incident()->location.address, "42 W CELLULAR STREET, WILMINGTON DE");
}

TEST(EidoMapper, HandMadeEidoFollowsLocationReferenceAndToleratesKeyCase) {
  auto r = decode("unit.2A31",
                  dispatch_with_eido(mdtc::test::read_file(MDTC_SOURCE_DIR "/tests/bridge/data/eido-springfield.json")));
  ASSERT_TRUE(r) << r.error().message;
  const auto& inc = *r->incident();
  EXPECT_EQ(inc.call_type, "Welfare Check");
  EXPECT_EQ(inc.priority, 2);
  EXPECT_EQ(inc.location.civic.hno, "1208");
  EXPECT_EQ(inc.location.civic.rd, "MAPLE");
  EXPECT_EQ(inc.location.civic.unit, "3B");
  EXPECT_EQ(inc.location.civic.pc, "62701");
  ASSERT_TRUE(inc.location.lat);
  EXPECT_DOUBLE_EQ(*inc.location.lat, 39.8012);
  EXPECT_DOUBLE_EQ(*inc.location.lon, -89.6437);
}

TEST(EidoMapper, EidoWithoutUsableLocationIsBadEido) {
  auto r = decode("unit.2A31", dispatch_with_eido(R"({"$id":"X","locationComponent":[{"$id":"a","locationByReferenceUrl":"https://lis.example"}]})"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "wire.bad_eido");
  EXPECT_EQ(decode("unit.2A31", dispatch_with_eido(R"({"locationComponent":[]})")).error().code, "wire.bad_eido");
  EXPECT_EQ(decode("unit.2A31", dispatch_with_eido(R"("text")")).error().code, "wire.bad_eido");
}

TEST(PidfLocation, ReadsCoordinatesOnly) {
  auto r = parse_pidf_location("<presence><gml:Point><gml:pos> 39.5  -89.25 </gml:pos></gml:Point></presence>");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_DOUBLE_EQ(*r->lat, 39.5);
  EXPECT_DOUBLE_EQ(*r->lon, -89.25);
  EXPECT_TRUE(r->civic.empty());
}

TEST(PidfLocation, DecodesEntitiesAndIgnoresElementsOutsideCivicAddress) {
  auto r = parse_pidf_location(
      "<x><RD>Outside</RD><civicAddress><HNO>17</HNO><RD>Oak &amp; Elm</RD><LOC>Rear</LOC></civicAddress></x>");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->civic.rd, "OAK & ELM");
  EXPECT_EQ(r->civic.unit, "REAR");
}

TEST(PidfLocation, UnitWinsOverLoc) {
  auto r = parse_pidf_location("<civicAddress><HNO>1</HNO><RD>A</RD><UNIT>3B</UNIT><LOC>Rear</LOC></civicAddress>");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->civic.unit, "3B");
}

TEST(PidfLocation, OutOfRangePositionAndGarbageAreRejected) {
  EXPECT_FALSE(parse_pidf_location("<pos>91 0</pos>"));
  EXPECT_FALSE(parse_pidf_location("<<<>>><civicAddress"));
  EXPECT_FALSE(parse_pidf_location(""));
}
