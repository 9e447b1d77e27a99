// Whether an offered file fits on the cache's disk (the rule, as plain
// values), and what the staging file does when the disk fills up under it
// (on a real small file system, skipped where it cannot be mounted).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "mdtc/registry_sync.h"
#include "small_disk.h"
#include "sync_staging.h"

namespace mdtc::bridge {
namespace {

constexpr uint64_t MiB = 1 << 20;

SyncMessage offer_of(const std::string& mode, uint64_t total, uint64_t content_total = 0) {
  SyncMessage m;
  m.type = "offer";
  m.version = 7;
  m.mode = mode;
  m.sha256 = std::string(64, 'a');
  m.total = total;
  m.content_total = content_total;
  if (content_total) {
    m.encoding = kZstdEncoding;
    m.wire_sha256 = std::string(64, 'b');
  }
  return m;
}

TEST(SyncSpaceRule, TheTestersCaseDoesNotFit) {
  // A 29 MB snapshot, a 20 MB disk holding a small cache: never fetched.
  const auto s = sync_space_rule(offer_of("snapshot", 29'242'542), 256 << 10, 0, 0, 150'000, 19 * MiB, 64 * MiB);
  EXPECT_FALSE(s.fits());
  EXPECT_FALSE(s.drop_held()) << "nothing held";
  // The staged stream is the file plus 40 bytes per 256 KiB record and a
  // block each for its description and key.
  EXPECT_EQ(s.stage, 29'242'542 + 112 * kStagedRecordOverhead + 2 * 4096);
  // A new cache: the pages go to the WAL, then to the file (measured: a
  // 29 MB snapshot peaks at 78 MB of cache and WAL).
  EXPECT_GE(s.import, 78'000'000u);
  EXPECT_NE(sync_space_words(s).find("keeps 64.0 MiB free"), std::string::npos) << sync_space_words(s);
}

TEST(SyncSpaceRule, FitsOnlyWithTheReserveLeftOver) {
  const auto offer = offer_of("snapshot", 10 * MiB);
  const auto probe = sync_space_rule(offer, 256 << 10, 0, 0, 0, 0, 64 * MiB);
  const uint64_t exact = probe.needed() + probe.reserve;
  EXPECT_TRUE(sync_space_rule(offer, 256 << 10, 0, 0, 0, exact, 64 * MiB).fits());
  EXPECT_FALSE(sync_space_rule(offer, 256 << 10, 0, 0, 0, exact - 1, 64 * MiB).fits());
  // Staging of another file is deleted when this one starts: it counts as free.
  EXPECT_TRUE(sync_space_rule(offer, 256 << 10, 0, 1, 0, exact - 1, 64 * MiB).fits());
}

TEST(SyncSpaceRule, ASnapshotOverALargeCacheNeedsOnlyItsWal) {
  const auto offer = offer_of("snapshot", 10 * MiB);
  const auto fresh = sync_space_rule(offer, 256 << 10, 0, 0, 0, 0, 0);
  const auto over = sync_space_rule(offer, 256 << 10, 0, 0, 100 * MiB, 0, 0);
  EXPECT_EQ(fresh.import, 2 * over.import);
  EXPECT_EQ(over.import, 15 * MiB);
  // A delta's pages are counted twice whatever the cache's size.
  EXPECT_EQ(sync_space_rule(offer_of("delta", 10 * MiB), 256 << 10, 0, 0, 100 * MiB, 0, 0).import, 30 * MiB);
}

TEST(SyncSpaceRule, AnEncodedFileIsImportedAtItsContentSize) {
  const auto s = sync_space_rule(offer_of("snapshot", 3 * MiB, 30 * MiB), 256 << 10, 0, 0, 100 * MiB, 0, 0);
  EXPECT_EQ(s.import, 45 * MiB);
  EXPECT_LT(s.stage, 4 * MiB) << "what is staged is the stream on the wire";
}

TEST(SyncSpaceRule, HeldBytesAreKeptUnlessTheyEatTheReserve) {
  const auto offer = offer_of("snapshot", 100 * MiB);
  // Half staged: only the rest is still needed.
  const auto resume = sync_space_rule(offer, 256 << 10, 50 * MiB, 0, 0, 1000 * MiB, 64 * MiB);
  EXPECT_TRUE(resume.fits());
  EXPECT_LT(resume.stage, 51 * MiB);
  // Does not fit, but the reserve is free: kept, to resume once room is made.
  const auto wait = sync_space_rule(offer, 256 << 10, 50 * MiB, 0, 0, 100 * MiB, 64 * MiB);
  EXPECT_FALSE(wait.fits());
  EXPECT_FALSE(wait.drop_held());
  // Does not fit and the reserve is gone: the held bytes go.
  const auto full = sync_space_rule(offer, 256 << 10, 50 * MiB, 0, 0, 10 * MiB, 64 * MiB);
  EXPECT_TRUE(full.drop_held());
}

TEST(SyncSpace, ReadsTheStagingBesideTheCache) {
  test::SmallDisk disk(4096);
  if (!disk.available()) GTEST_SKIP() << "cannot mount a tmpfs here";
  RegistrySyncOptions o;
  o.staging_path = disk.file("c.db.sync");
  o.cache_path = disk.file("c.db");
  o.min_free_bytes = 1 * MiB;
  const auto offer = offer_of("delta", 300'000);
  SyncStaging staging(o.staging_path);
  ASSERT_TRUE(staging.begin({offer.version, offer.mode, offer.sha256, offer.total, "identity", ""}).ok());
  ASSERT_TRUE(staging.append(0, std::string(100'000, 'x')).ok());
  staging.close();
  auto same = sync_space(o, offer);
  ASSERT_TRUE(same.ok()) << same.error().message;
  EXPECT_GE(same->held, 100'000u);
  EXPECT_EQ(same->stale, 0u);
  EXPECT_GT(same->free, 3 * MiB);
  auto other_offer = offer;
  other_offer.version = 8;
  auto other = sync_space(o, other_offer);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->held, 0u);
  EXPECT_GE(other->stale, 100'000u);
}

TEST(SyncStagingOnASmallDisk, AFullDiskIsNoSpaceNotAStagingFault) {
  test::SmallDisk disk(1024);
  if (!disk.available()) GTEST_SKIP() << "cannot mount a tmpfs here";
  SyncStaging staging(disk.file("c.db.sync"));
  const uint64_t total = 4 * MiB;
  ASSERT_TRUE(staging.begin({1, "snapshot", std::string(64, 'a'), total, "identity", ""}).ok());
  Status last = Ok{};
  for (uint64_t at = 0; at < total && last; at += 256 << 10) last = staging.append(at, std::string(256 << 10, 'x'));
  ASSERT_FALSE(last.ok()) << "a 4 MiB file fitted on a 1 MiB disk";
  EXPECT_EQ(last.error().code, "sync.no_space") << last.error().message;
  EXPECT_NE(last.error().message.find("c.db.sync.part"), std::string::npos) << last.error().message;
}

}  // namespace
}  // namespace mdtc::bridge
