#include "liveness_monitor.h"

#include <gtest/gtest.h>

using mdtc::bridge::LivenessMonitor;
using namespace std::chrono_literals;

TEST(LivenessMonitor, NeverHearingAnythingIsReportedDownAfterTheTimeout) {
  LivenessMonitor::Clock::time_point t0{};
  LivenessMonitor m(15s, t0);
  EXPECT_FALSE(m.check(t0 + 14s));
  auto s = m.check(t0 + 15s);
  ASSERT_TRUE(s);
  EXPECT_FALSE(s->up);
  EXPECT_EQ(s->detail, "CAD link down 15 s");
}

TEST(LivenessMonitor, UpOnceThenDownOnceThenRepeatedWithGrowingSilence) {
  LivenessMonitor::Clock::time_point t0{};
  LivenessMonitor m(15s, t0, 10s);
  auto up = m.heard(t0 + 1s);
  ASSERT_TRUE(up);
  EXPECT_TRUE(up->up);
  EXPECT_FALSE(m.heard(t0 + 2s)) << "already up: no repeat";
  EXPECT_FALSE(m.check(t0 + 16s));
  auto down = m.check(t0 + 42s);
  ASSERT_TRUE(down);
  EXPECT_EQ(down->silent_s, 40);
  EXPECT_EQ(down->detail, "CAD link down 40 s");
  EXPECT_FALSE(m.check(t0 + 45s));
  auto again = m.check(t0 + 52s);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->detail, "CAD link down 50 s");
  auto back = m.heard(t0 + 53s);
  ASSERT_TRUE(back);
  EXPECT_TRUE(back->up);
  EXPECT_EQ(back->detail, "CAD link up");
}
