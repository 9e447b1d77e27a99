#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "mdtc/gps.h"

namespace mdtc::gps {
namespace {

std::vector<Fix> decode_all(NmeaStream& s, std::string_view bytes) {
  std::vector<Fix> out;
  s.feed(bytes, 0, [&](const Fix& f) { out.push_back(f); });
  s.finish([&](const Fix& f) { out.push_back(f); });
  return out;
}

const char* kTwoEpochs =
    "$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47\r\n"
    "$GPRMC,123519,A,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W*6A\r\n"
    "garbage\x01\x02$GPGSV,1,1,00*79\r\n"
    "$GPRMC,123520,A,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W*60\r\n";

TEST(NmeaStream, BytesInFixesOut) {
  NmeaStream s;
  auto fixes = decode_all(s, kTwoEpochs);
  ASSERT_EQ(fixes.size(), 2u);
  EXPECT_EQ(fixes[0].mode, Mode::fix_3d);
  EXPECT_EQ(fixes[1].mode, Mode::fix_2d);
  const auto c = s.counters();
  EXPECT_EQ(c.sentences, 4u);
  EXPECT_EQ(c.ignored, 1u);
  EXPECT_EQ(c.fixes, 2u);
  EXPECT_EQ(c.noise_bytes, 9u);
}

TEST(NmeaStream, DecodeErrorsAreCountedWithAMessage) {
  NmeaStream s;
  decode_all(s, "$GPGGA,123519,48x7.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*0F\r\n");
  EXPECT_EQ(s.counters().decode_errors, 1u);
  EXPECT_NE(s.last_error().find("nmea.bad_field"), std::string::npos);
  EXPECT_NE(s.last_error().find("latitude"), std::string::npos);
}

// TAIP reports from a router: the stream tells the protocol from the first
// good message and reports each PV/LN at once (it is a whole cycle).
TEST(NmeaStream, DecodesTaipAndReportsEachReportWithoutWaitingForTheNext) {
  NmeaStream s;
  std::vector<Fix> fixes;
  s.feed(">RPV15714+3739438-1220384601512612;ID=1234;*7F<\r\n", 0, [&](const Fix& f) { fixes.push_back(f); });
  EXPECT_EQ(s.protocol(), Protocol::taip);
  ASSERT_EQ(fixes.size(), 1u);
  EXPECT_EQ(fixes[0].mode, Mode::fix_3d);
  EXPECT_DOUBLE_EQ(*fixes[0].lat, 37.39438);
  EXPECT_FALSE(fixes[0].alt_m);
  EXPECT_FALSE(fixes[0].time_ms);  // no date known: no time
  EXPECT_FALSE(s.stale(0));
  EXPECT_EQ(s.counters().noise_bytes, 0u);
}

// Found by fuzz_taip: both framers counted the same garbage.
TEST(NmeaStream, NoiseIsCountedOnceWhileTheProtocolIsUnknown) {
  NmeaStream s;
  decode_all(s, "garbage\x01");
  EXPECT_EQ(s.counters().noise_bytes, 8u);
  EXPECT_EQ(s.protocol(), Protocol::unknown);
  s.reset_framing();
  decode_all(s, std::string("xx") + kTwoEpochs);
  EXPECT_EQ(s.counters().noise_bytes, 8u + 2u + 9u);  // kTwoEpochs has 9 noise bytes of its own
}

TEST(NmeaStream, LearnsNmeaFromTheFirstGoodSentence) {
  NmeaStream s;
  decode_all(s, kTwoEpochs);
  EXPECT_EQ(s.protocol(), Protocol::nmea);
  EXPECT_STREQ(protocol_name(s.protocol()), "NMEA");
}

TEST(NmeaStream, ResetFramingForgetsTheProtocol) {
  NmeaStream s;
  decode_all(s, kTwoEpochs);
  s.reset_framing();
  EXPECT_EQ(s.protocol(), Protocol::unknown);
  std::vector<Fix> fixes;
  s.feed(">RPV69311+2578378-0802936300125532<", 0, [&](const Fix& f) { fixes.push_back(f); });
  EXPECT_EQ(s.protocol(), Protocol::taip);
  ASSERT_EQ(fixes.size(), 1u);
  EXPECT_EQ(fixes[0].mode, Mode::fix_3d);
}

TEST(NmeaStream, TaipTimeTakesTheDateNearestTheUtcHint) {
  NmeaStream s;
  // Hint 2026-11-22T00:00:05Z; the report is from 23:59:58 the day before.
  s.set_utc_hint(1'795'305'600'000 + 5'000);
  std::vector<Fix> fixes;
  s.feed(">RPV86398+2578378-0802936300125532<", 0, [&](const Fix& f) { fixes.push_back(f); });
  ASSERT_EQ(fixes.size(), 1u);
  ASSERT_TRUE(fixes[0].time_ms);
  EXPECT_EQ(format_time_utc(*fixes[0].time_ms), "2026-11-21T23:59:58.000Z");
  // And one just after the hint's midnight stays on the hint's day.
  s.feed(">RPV00003+2578378-0802936300125532<", 0, [&](const Fix& f) { fixes.push_back(f); });
  ASSERT_EQ(fixes.size(), 2u);
  EXPECT_EQ(format_time_utc(*fixes[1].time_ms), "2026-11-22T00:00:03.000Z");
}

TEST(NmeaStream, TaipWithoutAFixMakesNoPositionAndKeepsTheStreamStale) {
  NmeaStream s;
  std::vector<Fix> fixes;
  s.feed(">RPV15714+0000000+0000000000000090<", 0, [&](const Fix& f) { fixes.push_back(f); });
  ASSERT_EQ(fixes.size(), 1u);
  EXPECT_EQ(fixes[0].mode, Mode::no_fix);
  EXPECT_TRUE(s.stale(0));
}

TEST(NmeaStream, JsonHasOnlyKnownFields) {
  Fix f;
  f.mode = Mode::no_fix;
  EXPECT_EQ(to_json(f), "{\"mode\":1}");
  f.time_ms = 1'795'341'600'123;  // 2026-11-22T10:00:00.123Z
  f.mode = Mode::fix_3d;
  f.lat = 39.8012;
  f.lon = -89.6437;
  f.speed_mps = 12.3456;
  f.course_deg = 90.0;
  f.alt_m = 180.5;
  f.satellites = 9;  // not part of the line format
  f.hdop = 0.9;
  EXPECT_EQ(to_json(f),
            "{\"time\":\"2026-11-22T10:00:00.123Z\",\"lat\":39.801200000,\"lon\":-89.643700000,"
            "\"mode\":3,\"speed_mps\":12.346,\"course_deg\":90.00,\"alt_m\":180.500}");
}

TEST(NmeaStream, TimeFormatIsRfc3339UtcWithMilliseconds) {
  EXPECT_EQ(format_time_utc(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_time_utc(951'782'400'000 + 1), "2000-02-29T00:00:00.001Z");
  EXPECT_EQ(format_time_utc(-1), "1969-12-31T23:59:59.999Z");
}

}  // namespace
}  // namespace mdtc::gps
