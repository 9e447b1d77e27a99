#include "nmea_framer.h"

#include <gtest/gtest.h>

#include <cctype>
#include <string>
#include <vector>

namespace mdtc::gps {
namespace {

// Builds "$<body>*HH\r\n" with the correct checksum.
std::string sentence(const std::string& body, const char* eol = "\r\n") {
  char hex[3];
  std::snprintf(hex, sizeof hex, "%02X", nmea_checksum(body));
  return "$" + body + "*" + hex + eol;
}

std::vector<std::string> frame(NmeaFramer& framer, std::string_view bytes) {
  std::vector<std::string> out;
  framer.feed(bytes, [&](std::string_view body) { out.emplace_back(body); });
  return out;
}

const std::string kGga = "GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,";

TEST(NmeaFramer, ChecksumIsXorBetweenDollarAndStar) {
  // The NMEA 0183 example GGA, whose published checksum is 47.
  EXPECT_EQ(nmea_checksum(kGga), 0x47);
}

TEST(NmeaFramer, PassesAGoodSentenceWithoutDollarAndChecksum) {
  NmeaFramer f;
  auto got = frame(f, sentence(kGga));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0], kGga);
  EXPECT_EQ(f.counters().sentences, 1u);
}

TEST(NmeaFramer, AcceptsLowerCaseHexChecksum) {
  NmeaFramer f;
  // Checksum 6E: has a letter to lower-case.
  std::string s = sentence("GPRMC,225440,A,4916.45,N,12311.12,W,000.5,054.7,191194,020.3,E");
  const auto star = s.find('*');
  ASSERT_TRUE(std::isalpha(static_cast<unsigned char>(s[star + 1])) ||
              std::isalpha(static_cast<unsigned char>(s[star + 2])));
  for (std::size_t i = star + 1; i < star + 3; ++i) s[i] = static_cast<char>(std::tolower(s[i]));
  EXPECT_EQ(frame(f, s).size(), 1u);
  EXPECT_EQ(f.counters().checksum_errors, 0u);
}

TEST(NmeaFramer, RejectsAndCountsABadChecksum) {
  NmeaFramer f;
  std::string s = sentence(kGga);
  s[s.find('*') + 2] = s[s.find('*') + 2] == '0' ? '1' : '0';
  EXPECT_TRUE(frame(f, s).empty());
  EXPECT_EQ(f.counters().checksum_errors, 1u);
}

TEST(NmeaFramer, RejectsATruncatedOneDigitChecksum) {
  NmeaFramer f;
  EXPECT_TRUE(frame(f, "$GPGSV,3,1,12,01,05,039,,02,39,134,*7\r\n").empty());
  EXPECT_EQ(f.counters().checksum_errors, 1u);
}

TEST(NmeaFramer, RejectsMissingChecksumByDefaultAndCountsIt) {
  NmeaFramer f;
  EXPECT_TRUE(frame(f, "$" + kGga + "\r\n").empty());
  EXPECT_TRUE(frame(f, "$GPBOD,,T,,M,,*\r\n").empty());
  EXPECT_EQ(f.counters().missing_checksum, 2u);
}

TEST(NmeaFramer, AcceptsMissingChecksumWhenAllowed) {
  NmeaFramer f(FramerOptions{120, true});
  auto got = frame(f, "$" + kGga + "\n");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0], kGga);
}

TEST(NmeaFramer, AcceptsBareLineFeed) {
  NmeaFramer f;
  EXPECT_EQ(frame(f, sentence(kGga, "\n") + sentence(kGga, "\n")).size(), 2u);
}

TEST(NmeaFramer, AcceptsBareCarriageReturn) {
  NmeaFramer f;
  EXPECT_EQ(frame(f, sentence(kGga, "\r") + sentence(kGga, "\r")).size(), 2u);
}

TEST(NmeaFramer, SkipsStrayBytesBeforeDollar) {
  NmeaFramer f;
  // Appended, not "r" + sentence(...): GCC 12 warns falsely (-Wrestrict) on
  // a literal plus a string temporary at -O2.
  std::string input = "r";
  input += sentence(kGga) + " " + sentence(kGga);
  auto got = frame(f, input);
  EXPECT_EQ(got.size(), 2u);
  EXPECT_EQ(f.counters().noise_bytes, 2u);
}

TEST(NmeaFramer, DoubledDollarStillFrames) {
  NmeaFramer f;
  std::string input = "$";
  input += sentence(kGga);
  auto got = frame(f, input);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0], kGga);
  EXPECT_EQ(f.counters().fragments, 0u);
}

TEST(NmeaFramer, SentenceCutByNextDollarIsDroppedAndTheNextKept) {
  NmeaFramer f;
  // A GGA cut short and run into the next sentence on the same line.
  auto got = frame(f, "$GPGGA,123519,4807.0" + sentence("GPGLL,4916.45,N,12311.12,W,225444,A"));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0], "GPGLL,4916.45,N,12311.12,W,225444,A");
  EXPECT_EQ(f.counters().fragments, 1u);
}

TEST(NmeaFramer, NulAndEightBitBytesVoidTheSentence) {
  NmeaFramer f;
  std::string s = sentence(kGga);
  s.insert(10, 1, '\0');
  std::string t = sentence(kGga);
  t.insert(12, 1, '\xC3');
  EXPECT_TRUE(frame(f, s + t).empty());
  EXPECT_EQ(f.counters().fragments, 2u);
  EXPECT_EQ(frame(f, std::string(5, '\0') + sentence(kGga)).size(), 1u);
}

TEST(NmeaFramer, DropsOverlongLinesAndRecovers) {
  NmeaFramer f;
  std::string junk = "$GPXXX," + std::string(500, 'A') + "*00\r\n";
  auto got = frame(f, junk + sentence(kGga));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(f.counters().overlong, 1u);
}

TEST(NmeaFramer, KeepsRealHighPrecisionSentencesLongerThan82) {
  NmeaFramer f;
  const std::string rtk =
      "GNGGA,202530.00,3723.21348763,N,12158.32415893,W,4,12,0.6,10.123,M,-32.012,M,1.0,0000";
  ASSERT_GT(rtk.size() + 6, 82u);
  EXPECT_EQ(frame(f, sentence(rtk)).size(), 1u);
}

TEST(NmeaFramer, ReassemblesSentencesSplitAcrossReads) {
  NmeaFramer f;
  const std::string s = sentence(kGga) + sentence(kGga);
  std::size_t count = 0;
  for (char c : s) f.feed(std::string_view(&c, 1), [&](std::string_view) { ++count; });
  EXPECT_EQ(count, 2u);
}

TEST(NmeaFramer, ResetForgetsAHalfSentence) {
  NmeaFramer f;
  frame(f, "$GPGGA,123519,480");
  f.reset();
  EXPECT_TRUE(frame(f, "7.038,N*00\r\n").empty());
  EXPECT_EQ(f.counters().checksum_errors, 0u);
}

TEST(NmeaFramer, CountsEveryByte) {
  NmeaFramer f;
  const std::string s = "xx" + sentence(kGga);
  frame(f, s);
  EXPECT_EQ(f.counters().bytes, s.size());
}

}  // namespace
}  // namespace mdtc::gps
