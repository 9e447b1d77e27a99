// RFC 3339 time text, the one home every module reads and writes it from.
#include <gtest/gtest.h>

#include "mdtc/time_text.h"

namespace mdtc {
namespace {

constexpr int64_t kTen = 1795341600;  // 2026-11-22T10:00:00Z

TEST(TimeText, WritesUtcToTheSecondAndToTheMillisecond) {
  EXPECT_EQ(rfc3339_utc(kTen), "2026-11-22T10:00:00Z");
  EXPECT_EQ(rfc3339_utc_ms(kTen * 1000 + 250), "2026-11-22T10:00:00.250Z");
  EXPECT_EQ(iso_date_utc(kTen), "2026-11-22");
  EXPECT_EQ(rfc3339_utc(0), "1970-01-01T00:00:00Z");
  // Before 1970 a time is in the second it falls in, not the next.
  EXPECT_EQ(rfc3339_utc_ms(-1), "1969-12-31T23:59:59.999Z");
}

TEST(TimeText, PanelsShowCadsClockInUtcToTheMinute) {
  EXPECT_EQ(minute_text_utc(kTen * 1000 + 59999), "2026-11-22 10:00 UTC");
  EXPECT_EQ(minute_text_utc(0), "1970-01-01 00:00 UTC");
}

TEST(TimeText, ReadsOffsetsAndFractions) {
  EXPECT_EQ(parse_rfc3339_ms("2026-11-22T10:00:00Z"), kTen * 1000);
  EXPECT_EQ(parse_rfc3339_ms("2026-11-22T10:00:00.25Z"), kTen * 1000 + 250);
  EXPECT_EQ(parse_rfc3339_ms("2026-11-22T11:00:00+01:00"), kTen * 1000);
  EXPECT_EQ(parse_rfc3339_ms("2026-11-22T09:30:00-00:30"), kTen * 1000);
  EXPECT_EQ(parse_rfc3339_ms("2026-11-22 10:00:00z"), kTen * 1000);
  EXPECT_EQ(parse_rfc3339("2026-11-22T10:00:00.999Z"), kTen);
  EXPECT_EQ(parse_rfc3339("1969-12-31T23:59:59.5Z"), -1);
  for (int64_t t : {int64_t{0}, kTen, int64_t{4102444799}}) EXPECT_EQ(parse_rfc3339(rfc3339_utc(t)), t);
}

TEST(TimeText, RefusesWhatIsNotRfc3339) {
  for (const char* bad : {"2026-11-22T10:00:00", "2026-11-22T10:00:00Zjunk", "t7", "", "2026-11-22T10:00:00.Z",
                          "2026-11-22T10:00:00+0100", "2026-11-22X10:00:00Z", "2026-02-30T10:00:00Z",
                          "2026-11-22T24:00:00Z", "2026-11-22T10:60:00Z", "2026-11-22T10:00:00+24:00"}) {
    EXPECT_FALSE(is_rfc3339(bad)) << bad;
    EXPECT_FALSE(parse_rfc3339_ms(bad)) << bad;
  }
  EXPECT_TRUE(is_iso_date("2028-02-29"));
  EXPECT_FALSE(is_iso_date("2026-02-29"));
}

}  // namespace
}  // namespace mdtc
