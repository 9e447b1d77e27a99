#include "nmea_decoder.h"

#include <gtest/gtest.h>

namespace mdtc::gps {
namespace {

Decoded ok(std::string_view body) {
  auto r = decode_sentence(body);
  EXPECT_TRUE(r.ok()) << body << ": " << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : Decoded{};
}

std::string error_code(std::string_view body) {
  auto r = decode_sentence(body);
  return r.ok() ? "ok" : r.error().code;
}

constexpr int32_t tod(int h, int m, int s, int ms = 0) { return ((h * 60 + m) * 60 + s) * 1000 + ms; }

TEST(NmeaDecoder, GgaWithFixSetsPositionAltitudeSatellitesHdop) {
  auto d = ok("GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,");
  EXPECT_EQ(d.type, SentenceType::gga);
  EXPECT_TRUE(d.has(kTime | kPosition | kAltitude | kValidity | kSatellites | kHdop));
  EXPECT_TRUE(d.valid);
  EXPECT_EQ(d.time_of_day_ms, tod(12, 35, 19));
  EXPECT_NEAR(d.lat, 48.1173, 1e-9);
  EXPECT_NEAR(d.lon, 11.516666667, 1e-9);
  EXPECT_DOUBLE_EQ(d.alt_m, 545.4);
  EXPECT_EQ(d.satellites, 8);
  EXPECT_DOUBLE_EQ(d.hdop, 0.9);
  EXPECT_FALSE(d.has(kDate));
}

TEST(NmeaDecoder, GgaQualityZeroIsNoFixAndSetsNoPosition) {
  auto d = ok("GPGGA,123519,4807.038,N,01131.000,E,0,00,99.99,,,,,,");
  EXPECT_TRUE(d.has(kValidity | kTime));
  EXPECT_FALSE(d.valid);
  EXPECT_FALSE(d.has(kPosition));
  EXPECT_FALSE(d.has(kHdop));  // 99.99 means unknown
}

TEST(NmeaDecoder, GgaSimulatorAndManualQualitiesAreNotFixes) {
  EXPECT_FALSE(ok("GPGGA,123519,4807.038,N,01131.000,E,8,08,0.9,545.4,M,46.9,M,,").valid);
  EXPECT_FALSE(ok("GPGGA,123519,4807.038,N,01131.000,E,7,08,0.9,545.4,M,46.9,M,,").valid);
  EXPECT_TRUE(ok("GPGGA,123519,4807.038,N,01131.000,E,4,08,0.9,545.4,M,46.9,M,,").valid);  // RTK fixed
  EXPECT_TRUE(ok("GPGGA,123519,4807.038,N,01131.000,E,6,08,0.9,545.4,M,46.9,M,,").valid);  // dead reckoning
}

TEST(NmeaDecoder, GgaFixFromZeroSatellitesIsNoFixExceptDeadReckoning) {
  EXPECT_FALSE(ok("GPGGA,194050.00,4221.8237733,N,07101.9411707,W,1,00,3.3,10.835,M,-33.320,M,,").valid);
  EXPECT_TRUE(ok("GPGGA,194050.00,4221.8237733,N,07101.9411707,W,6,00,3.3,10.835,M,-33.320,M,,").valid);
  EXPECT_TRUE(ok("GPGGA,194050.00,4221.8237733,N,07101.9411707,W,1,,3.3,10.835,M,-33.320,M,,").valid);
}

TEST(NmeaDecoder, GgaEmptyFieldsBeforeAFix) {
  auto d = ok("GPGGA,,,,,,0,00,,,M,,M,,");
  EXPECT_FALSE(d.has(kTime));
  EXPECT_FALSE(d.has(kPosition));
}

TEST(NmeaDecoder, GgaWithoutAltitudeHasNoAltitude) {
  auto d = ok("GPGGA,112257.00,3844.24011,N,00908.43828,W,1,03,10.5,,,,,,");
  EXPECT_TRUE(d.has(kPosition));
  EXPECT_FALSE(d.has(kAltitude));
}

TEST(NmeaDecoder, GgaMalformedLatitudeIsAnError) {
  EXPECT_EQ(error_code("GPGGA,123519,48x7.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,"), "nmea.bad_field");
  EXPECT_EQ(error_code("GPGGA,123519,4807.038,Q,01131.000,E,1,08,0.9,545.4,M,46.9,M,,"), "nmea.bad_field");
  EXPECT_EQ(error_code("GPGGA,996519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,"), "nmea.bad_field");
}

TEST(NmeaDecoder, TooFewFieldsIsAnError) {
  EXPECT_EQ(error_code("GPGGA,123519,4807.038,N"), "nmea.too_few_fields");
  EXPECT_EQ(error_code("GPRMC,123519,A"), "nmea.too_few_fields");
  auto r = decode_sentence("GPGGA,1");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("GPGGA"), std::string::npos);
}

TEST(NmeaDecoder, RmcActiveSetsPositionSpeedCourseDate) {
  auto d = ok("GPRMC,225446,A,4916.45,N,12311.12,W,000.5,054.7,191194,020.3,E");
  EXPECT_EQ(d.type, SentenceType::rmc);
  EXPECT_TRUE(d.valid);
  EXPECT_TRUE(d.has(kTime | kDate | kPosition | kSpeed | kCourse));
  EXPECT_EQ(d.date, (CivilDate{1994, 11, 19}));
  EXPECT_NEAR(d.lat, 49.274166667, 1e-9);
  EXPECT_NEAR(d.lon, -123.185333333, 1e-9);
  EXPECT_NEAR(d.speed_mps, 0.5 * 0.514444, 1e-12);
  EXPECT_DOUBLE_EQ(d.course_deg, 54.7);
}

TEST(NmeaDecoder, RmcVoidKeepsTimeAndDateButNoPosition) {
  auto d = ok("GPRMC,225446,V,4916.45,N,12311.12,W,000.5,054.7,191194,020.3,E");
  EXPECT_TRUE(d.has(kTime | kDate | kValidity));
  EXPECT_FALSE(d.valid);
  EXPECT_FALSE(d.has(kPosition));
  EXPECT_FALSE(d.has(kSpeed));
}

TEST(NmeaDecoder, RmcFaaModeNotValidOverridesStatusA) {
  auto d = ok("GNRMC,225446,A,4916.45,N,12311.12,W,000.5,054.7,191194,,,N");
  EXPECT_FALSE(d.valid);
  EXPECT_FALSE(d.has(kPosition));
  EXPECT_TRUE(ok("GNRMC,225446,A,4916.45,N,12311.12,W,000.5,054.7,191194,,,D,V").valid);
  EXPECT_FALSE(ok("GNRMC,225446,A,4916.45,N,12311.12,W,000.5,054.7,191194,,,S").valid);
}

TEST(NmeaDecoder, RmcMalformedDateVoidsOnlyTheDate) {
  auto d = ok("GPRMC,000231.099,A,4829.0005,N,00022.0015,E,0.15,212.28,2208-1,,,A");
  EXPECT_TRUE(d.has(kPosition | kTime));
  EXPECT_FALSE(d.has(kDate));
}

TEST(NmeaDecoder, RmcNonNumericCourseIsDroppedNotFatal) {
  auto d = ok("GPRMC,220952.00,A,4742.21,N,01200.75,E,0.0,xyz,181223,0.0,E");
  EXPECT_TRUE(d.has(kPosition | kSpeed));
  EXPECT_FALSE(d.has(kCourse));
}

TEST(NmeaDecoder, RmcAllEmptyBeforeFirstFix) {
  auto d = ok("GPRMC,,V,,,,,,,,,,N");
  EXPECT_FALSE(d.has(kTime));
  EXPECT_FALSE(d.valid);
}

TEST(NmeaDecoder, EveryTalkerIsAccepted) {
  for (const char* talker : {"GP", "GN", "GL", "GA", "GB", "BD", "GQ", "GI", "QZ", "IN"}) {
    auto d = ok(std::string(talker) + "RMC,225446,A,4916.45,N,12311.12,W,000.5,054.7,191194,020.3,E");
    EXPECT_EQ(d.type, SentenceType::rmc) << talker;
    EXPECT_EQ(std::string(d.talker), talker);
  }
}

TEST(NmeaDecoder, UnknownAndProprietaryTypesAreIgnoredNotErrors) {
  EXPECT_EQ(ok("GPGSV,3,1,12,01,05,039,,02,39,134,").type, SentenceType::unknown);
  EXPECT_EQ(ok("PGRMZ,93,f,3").type, SentenceType::unknown);
  // A proprietary address whose tail spells a standard type must not decode.
  EXPECT_EQ(ok("PGRMC,225446,A,4916.45,N,12311.12,W,000.5,054.7,191194,020.3,E").type, SentenceType::unknown);
  EXPECT_EQ(ok("GYOACC,1,2,3").type, SentenceType::unknown);
}

TEST(NmeaDecoder, MalformedAddressIsAnError) {
  EXPECT_EQ(error_code(""), "nmea.bad_address");
  EXPECT_EQ(error_code(",1,2"), "nmea.bad_address");
  EXPECT_EQ(error_code("gpgga,1,2"), "nmea.bad_address");
  EXPECT_EQ(error_code("SkyTraq,Venus6"), "nmea.bad_address");
}

TEST(NmeaDecoder, GnsValidWhenAnyConstellationHasAFix) {
  auto d = ok("GPGNS,112257.00,3844.24011,N,00908.43828,W,AN,03,10.5,,,,");
  EXPECT_EQ(d.type, SentenceType::gns);
  EXPECT_TRUE(d.valid);
  EXPECT_TRUE(d.has(kPosition | kTime | kSatellites | kHdop));
  EXPECT_FALSE(d.has(kAltitude));
  auto n = ok("GNGNS,112257.00,3844.24011,N,00908.43828,W,NNN,00,,,,,");
  EXPECT_FALSE(n.valid);
  EXPECT_FALSE(n.has(kPosition));
  auto alt = ok("GNGNS,014035.00,4332.69262,S,17235.48549,E,RR,13,0.9,25.63,11.24,,,S");
  EXPECT_TRUE(alt.has(kAltitude));
  EXPECT_DOUBLE_EQ(alt.alt_m, 25.63);
}

TEST(NmeaDecoder, GllStatusAndMode) {
  auto d = ok("GPGLL,4916.45,N,12311.12,W,225444,A");
  EXPECT_EQ(d.type, SentenceType::gll);
  EXPECT_TRUE(d.valid);
  EXPECT_TRUE(d.has(kPosition | kTime));
  EXPECT_FALSE(ok("GPGLL,4916.45,N,12311.12,W,225444,V").has(kPosition));
  EXPECT_FALSE(ok("GPGLL,4916.45,N,12311.12,W,225444,A,N").has(kPosition));
  EXPECT_TRUE(ok("GPGLL,3844.24011,N,00908.43828,W,112257.00,A,A").has(kPosition));
}

TEST(NmeaDecoder, VtgModernAndLegacyLayouts) {
  auto d = ok("GPVTG,054.7,T,034.4,M,005.5,N,010.2,K");
  EXPECT_EQ(d.type, SentenceType::vtg);
  EXPECT_DOUBLE_EQ(d.course_deg, 54.7);
  EXPECT_NEAR(d.speed_mps, 5.5 * 0.514444, 1e-12);
  EXPECT_FALSE(d.has(kTime));
  auto legacy = ok("GPVTG,054.7,034.4,005.5,010.2");
  EXPECT_DOUBLE_EQ(legacy.course_deg, 54.7);
  EXPECT_NEAR(legacy.speed_mps, 5.5 * 0.514444, 1e-12);
  EXPECT_FALSE(ok("GPVTG,054.7,T,034.4,M,005.5,N,010.2,K,N").has(kSpeed));
  EXPECT_FALSE(ok("GPVTG,,T,,M,,N,,K,N").has(kSpeed | kCourse));
}

TEST(NmeaDecoder, GsaFixTypeAndHdop) {
  auto d = ok("GPGSA,A,3,04,05,,09,12,,,24,,,,,2.5,1.3,2.1");
  EXPECT_EQ(d.type, SentenceType::gsa);
  EXPECT_EQ(d.fix_type, 3);
  EXPECT_DOUBLE_EQ(d.hdop, 1.3);
  EXPECT_EQ(ok("GNGSA,A,1,,,,,,,,,,,,,99.99,99.99,99.99,1").fix_type, 1);
  EXPECT_EQ(ok("GPGSA,A,2,10,13,23,,,,,,,,,,10.5,10.5,").fix_type, 2);
  EXPECT_EQ(error_code("GPGSA,A,7,,,,,,,,,,,,,,,"), "nmea.bad_field");
}

TEST(NmeaDecoder, ZdaTimeAndFourDigitYear) {
  auto d = ok("GPZDA,201530.00,04,07,2002,00,00");
  EXPECT_EQ(d.type, SentenceType::zda);
  EXPECT_TRUE(d.has(kTime | kDate));
  EXPECT_EQ(d.date, (CivilDate{2002, 7, 4}));
  EXPECT_EQ(d.time_of_day_ms, tod(20, 15, 30));
  auto no_date = ok("GPZDA,201530.00,,,,,");
  EXPECT_TRUE(no_date.has(kTime));
  EXPECT_FALSE(no_date.has(kDate));
  EXPECT_EQ(error_code("GPZDA,201530.00,04,13,2002,00,00"), "nmea.bad_field");
}

}  // namespace
}  // namespace mdtc::gps
