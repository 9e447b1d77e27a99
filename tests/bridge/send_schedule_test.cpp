#include "send_schedule.h"

#include <gtest/gtest.h>

using mdtc::bridge::SendSchedule;
using namespace std::chrono_literals;

namespace {

std::vector<std::string> pump(SendSchedule& s, SendSchedule::Clock::time_point now,
                              SendSchedule::Pumped* counts = nullptr, int capacity = 100) {
  std::vector<std::string> sent;
  auto p = s.pump(now, [&](const std::string& body) {
    if (capacity-- <= 0) return false;
    sent.push_back(body);
    return true;
  });
  if (counts) *counts = p;
  return sent;
}

}  // namespace

TEST(SendSchedule, SendsOldestFirstThenRetriesWithGrowingBackoffUntilAcked) {
  SendSchedule s;
  SendSchedule::Clock::time_point t0{};
  s.add("k1", "a");
  s.add("k2", "b");
  s.add("k1", "dup");
  SendSchedule::Pumped p;
  EXPECT_EQ(pump(s, t0, &p), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(p.first, 2);
  EXPECT_TRUE(pump(s, t0 + 499ms).empty());
  EXPECT_EQ(pump(s, t0 + 500ms, &p), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(p.retries, 2);
  EXPECT_TRUE(s.ack("k1"));
  EXPECT_FALSE(s.ack("k1"));
  EXPECT_TRUE(pump(s, t0 + 1400ms).empty()) << "second retry waits 1 s";
  EXPECT_EQ(pump(s, t0 + 1500ms), std::vector<std::string>{"b"});
}

TEST(SendSchedule, BackoffIsCappedAtTenSeconds) {
  SendSchedule s;
  SendSchedule::Clock::time_point t{};
  s.add("k", "x");
  for (int i = 0; i < 10; ++i) {
    ASSERT_EQ(pump(s, t).size(), 1u) << i;
    t += 10s;
  }
}

TEST(SendSchedule, FullSocketStopsThePumpAndTheRestStaysDue) {
  SendSchedule s;
  SendSchedule::Clock::time_point t0{};
  s.add("k1", "a");
  s.add("k2", "b");
  EXPECT_EQ(pump(s, t0, nullptr, 1), std::vector<std::string>{"a"});
  EXPECT_EQ(pump(s, t0 + 1ms), std::vector<std::string>{"b"});
}

TEST(SendSchedule, ExpediteMakesEverythingDueNow) {
  SendSchedule s;
  SendSchedule::Clock::time_point t0{};
  s.add("k1", "a");
  (void)pump(s, t0);
  EXPECT_TRUE(pump(s, t0 + 100ms).empty());
  s.expedite(t0 + 100ms);
  EXPECT_EQ(pump(s, t0 + 100ms), std::vector<std::string>{"a"});
}
