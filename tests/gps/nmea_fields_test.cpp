#include "nmea_fields.h"

#include <gtest/gtest.h>

namespace mdtc::gps {
namespace {

TEST(NmeaFields, TimeOfDayWithAndWithoutFraction) {
  EXPECT_EQ(parse_time_of_day("123519"), ((12 * 60 + 35) * 60 + 19) * 1000);
  EXPECT_EQ(parse_time_of_day("000231.42"), (2 * 60 + 31) * 1000 + 420);
  EXPECT_EQ(parse_time_of_day("074156.799"), ((7 * 60 + 41) * 60 + 56) * 1000 + 799);
  EXPECT_EQ(parse_time_of_day("000000.1"), 100);
  EXPECT_EQ(parse_time_of_day("000000.0005"), 1);  // rounded to the millisecond
}

TEST(NmeaFields, TimeOfDayRejectsImpossibleValues) {
  EXPECT_FALSE(parse_time_of_day(""));
  EXPECT_FALSE(parse_time_of_day("12351"));
  EXPECT_FALSE(parse_time_of_day("243519"));
  EXPECT_FALSE(parse_time_of_day("126019"));
  EXPECT_FALSE(parse_time_of_day("12a519"));
  EXPECT_FALSE(parse_time_of_day("123519,5"));
  EXPECT_FALSE(parse_time_of_day("123519.5x"));
  EXPECT_TRUE(parse_time_of_day("235960"));  // leap second
}

TEST(NmeaFields, TwoDigitYearPivotsAt80) {
  EXPECT_EQ(parse_ddmmyy("230394"), (CivilDate{1994, 3, 23}));
  EXPECT_EQ(parse_ddmmyy("220899"), (CivilDate{1999, 8, 22}));
  EXPECT_EQ(parse_ddmmyy("010180"), (CivilDate{1980, 1, 1}));
  EXPECT_EQ(parse_ddmmyy("221126"), (CivilDate{2026, 11, 22}));
  EXPECT_EQ(parse_ddmmyy("311279"), (CivilDate{2079, 12, 31}));
}

TEST(NmeaFields, DateRejectsMalformedAndImpossibleDates) {
  EXPECT_FALSE(parse_ddmmyy("2208-1"));
  EXPECT_FALSE(parse_ddmmyy("000000"));
  EXPECT_FALSE(parse_ddmmyy("310226"));  // 31 February
  EXPECT_FALSE(parse_ddmmyy("290223"));  // 2023 is not a leap year
  EXPECT_TRUE(parse_ddmmyy("290224"));
  EXPECT_FALSE(parse_ddmmyy("0101260"));
}

TEST(NmeaFields, ZdaDate) {
  EXPECT_EQ(parse_dmy("26", "05", "2014"), (CivilDate{2014, 5, 26}));
  EXPECT_FALSE(parse_dmy("26", "13", "2014"));
  EXPECT_FALSE(parse_dmy("26", "05", "14"));
  EXPECT_FALSE(parse_dmy("", "", ""));
}

TEST(NmeaFields, LatitudeAndLongitudeWithHemisphere) {
  EXPECT_NEAR(*parse_latitude("4807.038", "N"), 48.1173, 1e-9);
  EXPECT_NEAR(*parse_latitude("4807.038", "S"), -48.1173, 1e-9);
  EXPECT_NEAR(*parse_longitude("01131.000", "E"), 11.516666667, 1e-9);
  EXPECT_NEAR(*parse_longitude("08938.400", "W"), -89.64, 1e-9);
  // RTK receivers: 8 decimals of minutes must survive to 1e-9 degrees.
  EXPECT_NEAR(*parse_latitude("3723.21348763", "N"), 37.0 + 23.21348763 / 60.0, 1e-12);
}

TEST(NmeaFields, PositionRejectsOutOfRangeAndMalformed) {
  EXPECT_FALSE(parse_latitude("9100.000", "N"));
  EXPECT_FALSE(parse_latitude("4860.000", "N"));  // 60 minutes
  EXPECT_FALSE(parse_longitude("18100.000", "E"));
  EXPECT_FALSE(parse_latitude("4807.038", ""));
  EXPECT_FALSE(parse_latitude("4807.038", "E"));
  EXPECT_FALSE(parse_latitude("48.07038", "N"));
  EXPECT_FALSE(parse_latitude("-4807.038", "N"));
  EXPECT_FALSE(parse_latitude("4807.0.38", "N"));
  EXPECT_FALSE(parse_latitude("", "N"));
}

TEST(NmeaFields, DecimalIsStrict) {
  EXPECT_EQ(parse_decimal("12.5"), 12.5);
  EXPECT_EQ(parse_decimal("-3"), -3.0);
  EXPECT_EQ(parse_decimal(".5"), 0.5);
  EXPECT_EQ(parse_decimal("+2"), 2.0);
  EXPECT_FALSE(parse_decimal(""));
  EXPECT_FALSE(parse_decimal("."));
  EXPECT_FALSE(parse_decimal("1e5"));
  EXPECT_FALSE(parse_decimal("nan"));
  EXPECT_FALSE(parse_decimal("1.2.3"));
  EXPECT_FALSE(parse_decimal(" 1"));
}

TEST(NmeaFields, CivilDaysRoundTrip) {
  EXPECT_EQ(days_from_civil({1970, 1, 1}), 0);
  EXPECT_EQ(days_from_civil({2000, 3, 1}), 11017);
  for (int64_t d = -1000; d < 40000; d += 37) EXPECT_EQ(days_from_civil(civil_from_days(d)), d);
}

}  // namespace
}  // namespace mdtc::gps
