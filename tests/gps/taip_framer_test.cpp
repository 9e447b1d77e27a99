#include "taip_framer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mdtc::gps {
namespace {

std::vector<std::string> frame(TaipFramer& f, std::string_view bytes) {
  std::vector<std::string> out;
  f.feed(bytes, [&](std::string_view body) { out.emplace_back(body); });
  return out;
}

// Published example (Trimble Lassen-SK8 manual, appendix C.2 "Sample PV
// Message"): checksum 7F over ">" through "*".
constexpr const char* kSpecPv = ">RPV15714+3739438-1220384601512612;ID=1234;*7F<";

TEST(TaipFramer, AcceptsTheSpecExampleAndStripsItsChecksum) {
  TaipFramer f;
  auto got = frame(f, kSpecPv);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0], "RPV15714+3739438-1220384601512612;ID=1234");
  EXPECT_EQ(f.counters().sentences, 1u);
  EXPECT_EQ(f.counters().checksum_errors, 0u);
}

TEST(TaipFramer, AcceptsAMessageWithoutChecksumSinceTaipMakesItOptional) {
  TaipFramer f;
  auto got = frame(f, ">RPV81854+4902565+1220996700000012<");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0], "RPV81854+4902565+1220996700000012");
  EXPECT_EQ(f.counters().missing_checksum, 0u);
}

TEST(TaipFramer, RejectsAndCountsAWrongChecksum) {
  TaipFramer f;
  EXPECT_TRUE(frame(f, ">RPV15714+3739438-1220384601512612;ID=1234;*7E<").empty());
  EXPECT_TRUE(frame(f, ">RPV15714+3739438-1220384601512612;ID=1234;*7<").empty());
  EXPECT_TRUE(frame(f, ">RPV15714+3739438-1220384601512612;ID=1234;*ZZ<").empty());
  EXPECT_EQ(f.counters().checksum_errors, 3u);
}

TEST(TaipFramer, AcceptsLowerCaseHexChecksum) {
  TaipFramer f;
  EXPECT_EQ(frame(f, ">RPV15714+3739438-1220384601512612;ID=1234;*7f<").size(), 1u);
}

TEST(TaipFramer, FindsMessagesInAnyChunkingWithCrLfBetweenThem) {
  const std::string two = std::string(kSpecPv) + "\r\n" + kSpecPv + "\r\n";
  for (std::size_t cut = 0; cut <= two.size(); ++cut) {
    TaipFramer f;
    auto a = frame(f, std::string_view(two).substr(0, cut));
    auto b = frame(f, std::string_view(two).substr(cut));
    EXPECT_EQ(a.size() + b.size(), 2u) << "cut at " << cut;
    EXPECT_EQ(f.counters().noise_bytes, 0u);
  }
}

TEST(TaipFramer, NewStartCutsAFragmentShortAndCountsIt) {
  TaipFramer f;
  auto got = frame(f, std::string(">RPV157") + kSpecPv);
  EXPECT_EQ(got.size(), 1u);
  EXPECT_EQ(f.counters().fragments, 1u);
}

TEST(TaipFramer, ControlByteInsideAMessageDropsIt) {
  TaipFramer f;
  EXPECT_TRUE(frame(f, ">RPV15714+3739438\x01-1220384601512612<").empty());
  EXPECT_EQ(f.counters().fragments, 1u);
  EXPECT_EQ(f.counters().sentences, 0u);
}

TEST(TaipFramer, CountsBytesOutsideMessagesAsNoise) {
  TaipFramer f;
  auto got = frame(f, std::string("boot") + kSpecPv);
  EXPECT_EQ(got.size(), 1u);
  EXPECT_EQ(f.counters().noise_bytes, 4u);
}

TEST(TaipFramer, DropsAnOverlongMessageAndRecoversAtTheNextStart) {
  TaipFramer f;
  const std::string endless = ">R" + std::string(1000, '7') + "<";
  auto got = frame(f, endless + kSpecPv);
  EXPECT_EQ(got.size(), 1u);
  EXPECT_EQ(f.counters().overlong, 1u);
  EXPECT_EQ(f.counters().noise_bytes, 0u);  // the rest of the long line is not noise as well
}

TEST(TaipFramer, EmptyMessageIsAFragment) {
  TaipFramer f;
  EXPECT_TRUE(frame(f, "><").empty());
  EXPECT_EQ(f.counters().fragments, 1u);
}

TEST(TaipFramer, ResetForgetsAHalfMessage) {
  TaipFramer f;
  frame(f, ">RPV15714+37");
  f.reset();
  EXPECT_TRUE(frame(f, "39438-1220384601512612<").empty());
}

}  // namespace
}  // namespace mdtc::gps
