// One plugin per unit's state: a second one is refused, naming the first;
// another unit beside it is not; the lock goes when its holder lets go.
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>

#include "mdtc/state_lock.h"
#include "temp_dir.h"

namespace mdtc {
namespace {

TEST(StateLock, ASecondPluginOnTheSameStateIsRefusedNamingTheFirst) {
  test::TempDir dir;
  auto first = StateLock::acquire(dir.path(), "2A31", "account officer1");
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first->held());
  EXPECT_EQ(first->warning(), "");
  // flock(2) locks conflict between two opens even in one process, as
  // between the vendor's host and a panel host.
  auto second = StateLock::acquire(dir.path(), "2A31", "account officer2");
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.error().message.find("already runs unit 2A31 on"), std::string::npos);
  EXPECT_EQ(second.error().code, "plugin.state_in_use");
  EXPECT_NE(second.error().message.find("pid " + std::to_string(::getpid()) + ", account officer1"), std::string::npos)
      << second.error().message;
  EXPECT_NE(second.error().message.find(dir.path()), std::string::npos);
  // Another unit's plugin beside it (a bench with several cars) is not refused.
  auto other_unit = StateLock::acquire(dir.path(), "CR7", "account clinician");
  ASSERT_TRUE(other_unit.ok());
  EXPECT_TRUE(other_unit->held());
  first = StateLock{};  // stop() lets go
  auto third = StateLock::acquire(dir.path(), "2A31", "account officer2");
  ASSERT_TRUE(third.ok());
  EXPECT_TRUE(third->held());
}

// Found from outside: a clinician unit configured on a patrol car's cache
// started beside it; two plugins then synced, purged and audited one file.
TEST(StateLock, ASecondUnitOnTheSameCacheIsRefusedNamingTheFirst) {
  test::TempDir dir;
  const std::string db = dir.file("cache.db");
  auto first = StateLock::acquire_cache(db, "2A31", "account officer1");
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first->held());
  auto second = StateLock::acquire_cache(db, "9Z99", "account clinician");
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, "plugin.state_in_use");
  EXPECT_NE(second.error().message.find("(pid " + std::to_string(::getpid()) + ", unit 2A31, account officer1) "
                                        "already runs the flag cache " + db),
            std::string::npos)
      << second.error().message;
  auto other_cache = StateLock::acquire_cache(dir.file("other.db"), "9Z99", "account clinician");
  EXPECT_TRUE(other_cache.ok()) << "another cache in the same directory is another car's";
  // A command that must not run under a plugin sees it.
  EXPECT_EQ(StateLock::holders_in(dir.path()).size(), 2u);
}

// What an admin command asks before it replaces files under a plugin.
TEST(StateLock, HoldersAreListedWithWhoHoldsThem) {
  test::TempDir dir;
  EXPECT_TRUE(StateLock::holders_in(dir.path()).empty());
  auto first = StateLock::acquire(dir.path(), "2A31", "account officer1");
  ASSERT_TRUE(first.ok());
  const auto holders = StateLock::holders_in(dir.path());
  ASSERT_EQ(holders.size(), 1u);
  EXPECT_EQ(holders[0], "plugin-2A31.lock (pid " + std::to_string(::getpid()) + ", account officer1)");
  first = StateLock{};  // the lock file stays; nobody holds it
  EXPECT_TRUE(std::filesystem::exists(StateLock::file_in(dir.path(), "2A31")));
  EXPECT_TRUE(StateLock::holders_in(dir.path()).empty());
}

TEST(StateLock, TheLockFileIsTheGroupsInASharedDirectory) {
  test::TempDir dir;
  ASSERT_EQ(::chmod(dir.path().c_str(), 02770), 0);
  auto lock = StateLock::acquire(dir.path(), "2A31", "account officer1");
  ASSERT_TRUE(lock.ok());
  struct stat st {};
  ASSERT_EQ(::stat(StateLock::file_in(dir.path(), "2A31").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0660u);
}

TEST(StateLock, AStateDirectoryThatCannotHoldALockIsAWarningNotARefusal) {
  auto lock = StateLock::acquire("/nonexistent-state-dir", "2A31", "account officer1");
  ASSERT_TRUE(lock.ok());
  EXPECT_FALSE(lock->held());
  EXPECT_NE(lock->warning().find("cannot open /nonexistent-state-dir/plugin-2A31.lock"), std::string::npos);
}

}  // namespace
}  // namespace mdtc
