// The staging file of a registry transfer, on a real directory: what it
// resumes, what it throws away, and that nothing unverified passes.
#include <gtest/gtest.h>

#include <filesystem>

#include "sync_staging.h"
#include "temp_dir.h"

namespace mdtc::bridge {
namespace {

const std::string kData = "{\"type\":\"header\",\"mode\":\"delta\",\"version\":4}\n{\"type\":\"delete\",\"id\":\"F-1\"}\n";

StagedFileId id_for(const std::string& data, int64_t version = 4) {
  return {version, "delta", sha256_hex(data), data.size()};
}

TEST(SyncStaging, WholeFileInPiecesVerifies) {
  test::TempDir dir;
  SyncStaging s(dir.file("cache.db.sync"));
  ASSERT_EQ(*s.begin(id_for(kData)), 0u);
  ASSERT_TRUE(s.append(0, std::string_view(kData).substr(0, 10)).ok());
  ASSERT_TRUE(s.append(10, std::string_view(kData).substr(10)).ok());
  EXPECT_TRUE(s.complete());
  EXPECT_TRUE(*s.verify());
  EXPECT_EQ(test::read_file(s.part_path()), kData);
  EXPECT_EQ(std::filesystem::status(s.part_path()).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

TEST(SyncStaging, SameFileOfferedAgainResumesFromWhatIsHeld) {
  test::TempDir dir;
  {
    SyncStaging s(dir.file("cache.db.sync"));
    ASSERT_TRUE(s.begin(id_for(kData)).ok());
    ASSERT_TRUE(s.append(0, std::string_view(kData).substr(0, 17)).ok());
  }  // interrupted: the process went away
  SyncStaging again(dir.file("cache.db.sync"));
  auto held = again.begin(id_for(kData));
  ASSERT_TRUE(held.ok());
  EXPECT_EQ(*held, 17u);
  ASSERT_TRUE(again.append(17, std::string_view(kData).substr(17)).ok());
  EXPECT_TRUE(*again.verify()) << "the hash covers the bytes held before the restart";
}

TEST(SyncStaging, ADifferentFileStartsAfresh) {
  test::TempDir dir;
  SyncStaging s(dir.file("cache.db.sync"));
  ASSERT_TRUE(s.begin(id_for(kData)).ok());
  ASSERT_TRUE(s.append(0, std::string_view(kData).substr(0, 17)).ok());
  s.close();
  const std::string newer = kData + "{\"type\":\"delete\",\"id\":\"F-2\"}\n";
  EXPECT_EQ(*s.begin(id_for(newer, 5)), 0u);
  EXPECT_EQ(std::filesystem::file_size(s.part_path()), 0u);
}

TEST(SyncStaging, TamperedBytesFailVerification) {
  test::TempDir dir;
  SyncStaging s(dir.file("cache.db.sync"));
  ASSERT_TRUE(s.begin(id_for(kData)).ok());
  std::string bad = kData;
  bad[5] ^= 0x20;
  ASSERT_TRUE(s.append(0, bad).ok());
  EXPECT_FALSE(*s.verify());
}

TEST(SyncStaging, OutOfOrderOrOverlongChunksAreRefused) {
  test::TempDir dir;
  SyncStaging s(dir.file("cache.db.sync"));
  ASSERT_TRUE(s.begin(id_for(kData)).ok());
  EXPECT_FALSE(s.append(5, "xyz").ok()) << "a gap";
  EXPECT_FALSE(s.append(0, kData + "more").ok()) << "past the offered size";
  EXPECT_EQ(s.size(), 0u);
}

TEST(SyncStaging, DiscardRemovesBothFiles) {
  test::TempDir dir;
  SyncStaging s(dir.file("cache.db.sync"));
  ASSERT_TRUE(s.begin(id_for(kData)).ok());
  ASSERT_TRUE(std::filesystem::exists(dir.file("cache.db.sync.json")));
  s.discard();
  s.discard();
  EXPECT_FALSE(std::filesystem::exists(dir.file("cache.db.sync.part")));
  EXPECT_FALSE(std::filesystem::exists(dir.file("cache.db.sync.json")));
}

}  // namespace
}  // namespace mdtc::bridge
