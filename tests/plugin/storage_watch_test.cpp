#include "storage_watch.h"

#include <gtest/gtest.h>

#include "mdtc/repeat_limiter.h"
#include "small_disk.h"
#include "temp_dir.h"

namespace mdtc::plugin {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

TEST(RepeatLimiter, SaysOnceAMinuteHowOftenItHappened) {
  RepeatLimiter limit;
  const auto t0 = Clock::time_point{} + 1h;
  EXPECT_EQ(limit.occur(t0), 1u);
  for (int i = 1; i < 1200; ++i)  // every 50 ms for a minute
    EXPECT_FALSE(limit.occur(t0 + i * 50ms).has_value()) << i;
  EXPECT_EQ(limit.occur(t0 + 60s), 1200u);
  limit.clear();
  EXPECT_EQ(limit.occur(t0 + 61s), 1u) << "a new fault is news at once";
}

TEST(StorageWatch, RefusedWritesAreCountedShownOnceAndClearWhenTheDiskTakesWrites) {
  test::SmallDisk disk;
  if (!disk.available()) GTEST_SKIP() << "cannot mount a tmpfs here";
  StorageWatch watch(disk.path());
  const auto t0 = Clock::now();
  EXPECT_FALSE(watch.changed(t0).has_value()) << "nothing to say while all is well";
  disk.fill();
  const Error full = make_error("storage.full", "database or disk is full");
  watch.failed("journal", full, "journal.not_written");
  auto shown = watch.changed(t0);
  ASSERT_TRUE(shown.has_value());
  EXPECT_FALSE(shown->ok);
  EXPECT_EQ(shown->title, "STORAGE FULL");
  EXPECT_EQ(shown->detail.find("audit"), std::string::npos) << shown->detail;
  // The audit failing too changes what the officer is told: the records of
  // flags shown wait in memory.
  watch.failed("audit", full, "audit.held");
  watch.failed("audit", full, "audit.held");
  watch.count("audit.lost");
  shown = watch.changed(t0);
  ASSERT_TRUE(shown.has_value());
  EXPECT_NE(shown->detail.find("the audit log waits in memory"), std::string::npos) << shown->detail;
  EXPECT_FALSE(watch.changed(t0 + 1s).has_value()) << "one status line, not one per tick";
  EXPECT_EQ(watch.counters()["audit.held"], 2u);
  EXPECT_EQ(watch.counters()["audit.lost"], 1u);
  disk.free_space();
  auto cleared = watch.changed(t0 + 11s);
  ASSERT_TRUE(cleared.has_value());
  EXPECT_TRUE(cleared->ok);
}

TEST(StorageWatch, ReadOnlyDiskIsNamedReadOnly) {
  test::SmallDisk disk;
  if (!disk.available()) GTEST_SKIP() << "cannot mount a tmpfs here";
  disk.read_only(true);
  StorageWatch watch(disk.path());
  watch.failed("incident journal", make_error("storage.read_only", "attempt to write a readonly database"),
               "journal.not_written");
  auto shown = watch.changed(Clock::now());
  ASSERT_TRUE(shown.has_value());
  EXPECT_EQ(shown->title, "STORAGE READ-ONLY");
  EXPECT_EQ(check_directory(disk.path()).state, DiskState::read_only);
}

TEST(StorageWatch, LinkFaultAloneRaisesTheStatusAndItsClearingDropsIt) {
  test::TempDir dir;
  StorageWatch watch(dir.path());
  watch.set_link_fault("storage.full: outbox insert: database or disk is full");
  auto shown = watch.changed(Clock::now());
  ASSERT_TRUE(shown.has_value());
  EXPECT_FALSE(shown->ok);
  watch.set_link_fault(std::nullopt);
  auto cleared = watch.changed(Clock::now());
  ASSERT_TRUE(cleared.has_value());
  EXPECT_TRUE(cleared->ok);
}

}  // namespace
}  // namespace mdtc::plugin
