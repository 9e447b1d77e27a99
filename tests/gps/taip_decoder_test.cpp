#include "taip_decoder.h"

#include <gtest/gtest.h>

#include <string>

namespace mdtc::gps {
namespace {

Decoded ok(std::string_view body) {
  auto r = decode_taip(body);
  EXPECT_TRUE(r.ok()) << body << ": " << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : Decoded{};
}

std::string error_code(std::string_view body) {
  auto r = decode_taip(body);
  return r.ok() ? "ok" : r.error().code;
}

constexpr int32_t tod(int h, int m, int s, int ms = 0) { return ((h * 60 + m) * 60 + s) * 1000 + ms; }

// ---------------------------------------------------------------------------
// Conformance: the examples the TAIP documentation publishes, with the
// values the documentation states for them. Sources (facts only):
// - Trimble Lassen-SK8 Embedded GPS Module manual, appendix C "Trimble
//   ASCII Interface Protocol (TAIP)", C.2 "Sample PV Message":
//   >RPV15714+3739438-1220384601512612;ID=1234;*7F<  time 15714, latitude
//   +37.39438, longitude -122.03846, speed 015, heading 126, source 1,
//   age 2, vehicle ID 1234, checksum 7F.
// - Cypress Solutions CTM-200 report messages 100 (TAIP PV) and 101 (TAIP
//   LN), which restate Trimble's layouts: PV speed in mph, source 0 = 2D,
//   1 = 3D, 9 = no fix; age 2 = < 10 s, 1 = > 10 s, 0 = not available;
//   LN altitude in feet with two decimals, speed in mph with one.
//   >RPV81854+4902565+1220996700000012<
//   >RLN83830000+490256603+1220996704+000001240000+000000000813000700080019002300280003002500000000000012<
// - Digital Communications Technologies Syrus manual (rev1, Dec 2013), PV:
//   >RPV69311+2578378-0802936300125532<  "generated at 19:15:11 GMT",
//   +25.78378, -80.29363, 001 mph, heading 255, 3D DGPS, fresh data.
// ---------------------------------------------------------------------------

TEST(TaipConformance, TrimbleSamplePvMessage) {
  auto d = ok("RPV15714+3739438-1220384601512612;ID=1234");
  EXPECT_EQ(d.type, SentenceType::taip_pv);
  EXPECT_TRUE(d.whole_cycle);
  EXPECT_TRUE(d.has(kTime | kPosition | kSpeed | kCourse | kValidity | kFixType));
  EXPECT_FALSE(d.has(kAltitude));  // PV carries none
  EXPECT_TRUE(d.valid);
  EXPECT_EQ(d.time_of_day_ms, 15714 * 1000);
  EXPECT_DOUBLE_EQ(d.lat, 37.39438);
  EXPECT_DOUBLE_EQ(d.lon, -122.03846);
  EXPECT_NEAR(d.speed_mps, 15 * 0.44704, 1e-9);
  EXPECT_DOUBLE_EQ(d.course_deg, 126);
  EXPECT_EQ(d.fix_type, 3);  // source 1 = 3D GPS
}

TEST(TaipConformance, CypressPvExampleIsAFresh3dFix) {
  auto d = ok("RPV81854+4902565+1220996700000012");
  EXPECT_TRUE(d.valid);
  EXPECT_EQ(d.time_of_day_ms, 81854 * 1000);
  EXPECT_DOUBLE_EQ(d.lat, 49.02565);
  EXPECT_DOUBLE_EQ(d.lon, 122.09967);
  EXPECT_DOUBLE_EQ(d.speed_mps, 0);
  EXPECT_DOUBLE_EQ(d.course_deg, 0);
  EXPECT_EQ(d.fix_type, 3);  // source 1 = 3D GPS
}

TEST(TaipConformance, SyrusPvExampleTimeIsNineteenFifteenEleven) {
  auto d = ok("RPV69311+2578378-0802936300125532");
  EXPECT_EQ(d.time_of_day_ms, tod(19, 15, 11));
  EXPECT_DOUBLE_EQ(d.lat, 25.78378);
  EXPECT_DOUBLE_EQ(d.lon, -80.29363);
  EXPECT_NEAR(d.speed_mps, 1 * 0.44704, 1e-9);
  EXPECT_DOUBLE_EQ(d.course_deg, 255);
  EXPECT_EQ(d.fix_type, 3);  // source 3 = 3D DGPS
  EXPECT_TRUE(d.valid);
}

TEST(TaipConformance, CypressLnExampleWithEightSatellites) {
  auto d = ok("RLN83830000+490256603+1220996704+000001240000+000000000813000700080019002300280003002500000000000012");
  EXPECT_EQ(d.type, SentenceType::taip_ln);
  EXPECT_TRUE(d.valid);
  EXPECT_EQ(d.time_of_day_ms, 83830 * 1000);
  EXPECT_DOUBLE_EQ(d.lat, 49.0256603);
  EXPECT_DOUBLE_EQ(d.lon, 122.0996704);
  ASSERT_TRUE(d.has(kAltitude));
  EXPECT_NEAR(d.alt_m, 1.24 * 0.3048, 1e-9);
  EXPECT_DOUBLE_EQ(d.speed_mps, 0);
  EXPECT_DOUBLE_EQ(d.course_deg, 0);
  EXPECT_EQ(d.satellites, 8);
  EXPECT_EQ(d.fix_type, 3);
}

// ---------------------------------------------------------------------------

TEST(TaipDecoder, LnKeepsMillisecondsSpeedAndHeadingDecimals) {
  // 12:00:00.250, 45 mph = 20.1168 m/s, heading 270.5, no satellites listed.
  auto d = ok("RLN43200250+451234567-0751234567+00012345" "0450+00002705" "00" "0000000000" "12");
  EXPECT_EQ(d.time_of_day_ms, tod(12, 0, 0, 250));
  EXPECT_DOUBLE_EQ(d.lat, 45.1234567);
  EXPECT_DOUBLE_EQ(d.lon, -75.1234567);
  EXPECT_NEAR(d.speed_mps, 45.0 * 0.44704, 1e-9);
  EXPECT_DOUBLE_EQ(d.course_deg, 270.5);
  EXPECT_NEAR(d.alt_m, 123.45 * 0.3048, 1e-9);
  EXPECT_EQ(d.satellites, 0);
}

TEST(TaipDecoder, LnFromA2dSourceHasNoAltitude) {
  auto d = ok("RLN43200250+451234567-0751234567+00012345" "0450+00002705" "00" "0000000000" "02");
  EXPECT_TRUE(d.valid);
  EXPECT_FALSE(d.has(kAltitude));
}

TEST(TaipDecoder, NoFixSourceSaysInvalidAndGivesNoPosition) {
  auto d = ok("RPV15714+3739438-1220384601512692");
  EXPECT_TRUE(d.has(kValidity | kTime));
  EXPECT_FALSE(d.valid);
  EXPECT_FALSE(d.has(kPosition));
}

TEST(TaipDecoder, OldOrMissingDataAgeIsNotACurrentFix) {
  EXPECT_FALSE(ok("RPV15714+3739438-1220384601512611").valid);
  EXPECT_FALSE(ok("RPV15714+3739438-1220384601512610").valid);
}

TEST(TaipDecoder, DegradedDeadReckoningIsNotAFixButDeadReckoningIs) {
  EXPECT_FALSE(ok("RPV15714+3739438-1220384601512682").valid);
  EXPECT_TRUE(ok("RPV15714+3739438-1220384601512662").valid);
}

TEST(TaipDecoder, VehicleIdAndOtherTrailingFieldsAreOptional) {
  const auto plain = ok("RPV15714+3739438-1220384601512612");
  const auto with_id = ok("RPV15714+3739438-1220384601512612;ID=CAR7;XX=1");
  EXPECT_DOUBLE_EQ(plain.lat, with_id.lat);
  EXPECT_EQ(plain.set, with_id.set);
}

TEST(TaipDecoder, UnknownIdentifiersAndNonReportsAreIgnored) {
  EXPECT_EQ(ok("RTM123456789").type, SentenceType::unknown);
  EXPECT_EQ(ok("RID1234").type, SentenceType::unknown);
  EXPECT_EQ(ok("QPV").type, SentenceType::unknown);
  EXPECT_EQ(ok("SRM;ID_FLAG=T").type, SentenceType::unknown);
}

TEST(TaipDecoder, MalformedInputGivesASpecificError) {
  EXPECT_EQ(error_code("R"), "taip.bad_identifier");
  EXPECT_EQ(error_code("rpv15714"), "taip.bad_identifier");
  EXPECT_EQ(error_code("RPV15714+3739438"), "taip.too_short");
  EXPECT_EQ(error_code("RPV15714+3739438-12203846015126"), "taip.too_short");
  EXPECT_EQ(error_code("RPV15714 3739438-1220384601512612"), "taip.bad_field");  // sign missing
  EXPECT_EQ(error_code("RPV1571x+3739438-1220384601512612"), "taip.bad_field");
  EXPECT_EQ(error_code("RPV99999+3739438-1220384601512612"), "taip.bad_field");  // past the day
  EXPECT_EQ(error_code("RPV15714+9739438-1220384601512612"), "taip.bad_field");  // latitude 97
  // A satellite count that runs past the end of the report.
  EXPECT_EQ(error_code("RLN83830000+490256603+1220996704+000001240000+000000009913000700080019002300280003002500000000000012"),
            "taip.bad_field");
}

TEST(TaipDecoder, ErrorMessagesNameTheFieldNotTheValue) {
  auto r = decode_taip("RPV15714+9739438-1220384601512612");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("position"), std::string::npos);
  EXPECT_EQ(r.error().message.find("9739438"), std::string::npos);
}

}  // namespace
}  // namespace mdtc::gps
