#include "motion_state.h"

#include <gtest/gtest.h>

namespace mdtc::plugin {
namespace {

constexpr double kmh(double v) { return v / 3.6; }

MotionTracker tracker() { return MotionTracker(MotionOptions{24, 10, 10}); }

TEST(MotionTracker, NoFixIsNotMovingAndSaysSo) {
  auto t = tracker();
  const auto m = t.state(1000);
  EXPECT_FALSE(m.moving);
  EXPECT_EQ(m.gps, "none");
}

TEST(MotionTracker, AtTheLockSpeedIsMovingBelowIsNot) {
  auto t = tracker();
  t.on_fix(kmh(23.9), 1000);
  EXPECT_FALSE(t.state(1000).moving);
  t.on_fix(kmh(24), 2000);
  EXPECT_TRUE(t.state(2000).moving);
  EXPECT_EQ(t.state(2000).gps, "fresh");
}

TEST(MotionTracker, StaysLockedUntilStoppedForUnlockAfter) {
  auto t = tracker();
  t.on_fix(kmh(60), 0);
  t.on_fix(kmh(0), 1000);  // a red light
  EXPECT_TRUE(t.state(1000).moving);
  t.on_fix(kmh(0), 9000);
  EXPECT_TRUE(t.state(9999).moving);
  EXPECT_FALSE(t.state(10000).moving);
}

TEST(MotionTracker, AStaleFixNeverLocksTheScreen) {
  auto t = tracker();
  t.on_fix(kmh(80), 0);
  EXPECT_TRUE(t.state(10000).moving);
  const auto m = t.state(10001);
  EXPECT_FALSE(m.moving);
  EXPECT_EQ(m.gps, "stale");
}

TEST(MotionTracker, AFixWithoutSpeedChangesNothing) {
  auto t = tracker();
  t.on_fix(kmh(80), 0);
  t.on_fix(std::nullopt, 9000);
  EXPECT_EQ(t.state(10001).gps, "stale");
}

TEST(MotionTracker, UnlockAfterZeroUnlocksAtTheFirstSlowFix) {
  MotionTracker t(MotionOptions{24, 0, 10});
  t.on_fix(kmh(50), 0);
  EXPECT_TRUE(t.state(500).moving);
  t.on_fix(kmh(5), 1000);
  EXPECT_FALSE(t.state(1000).moving);
}

TEST(PanelDocument, MotionIsAnOptionalMemberOfVersionOne) {
  PanelDocument doc;
  doc.id = "premise:I-1";
  doc.kind = "premise";
  doc.title = "T";
  EXPECT_EQ(doc.to_json().find("motion"), std::string::npos);
  doc.motion = PanelMotion{true, "fresh", 24, 10};
  const std::string json = doc.to_json();
  EXPECT_NE(json.find(R"("v":1)"), std::string::npos);
  EXPECT_NE(json.find(R"("motion":{"moving":true,"gps":"fresh","lock_speed_kmh":24,"unlock_after_s":10})"),
            std::string::npos) << json;
}

}  // namespace
}  // namespace mdtc::plugin
