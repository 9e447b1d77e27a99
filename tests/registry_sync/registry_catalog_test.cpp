// The stub registry's serving rule and catalog: what a unit holding version
// N is offered, and which files in the directory are served.
#include <gtest/gtest.h>

#include <filesystem>

#include "registry_catalog.h"
#include "temp_dir.h"

namespace mdtc::stub_registry {
namespace {

CatalogFile file(const std::string& mode, int64_t version) {
  CatalogFile f;
  f.path = mode + std::to_string(version) + ".jsonl";
  f.mode = mode;
  f.version = version;
  return f;
}

const std::vector<CatalogFile> kFiles{file("snapshot", 3), file("delta", 4), file("delta", 5),
                                      file("snapshot", 5), file("delta", 6)};

TEST(ServingRule, UnitWithNothingGetsTheNewestSnapshot) {
  auto a = choose(kFiles, std::nullopt, false);
  ASSERT_EQ(a.kind, Answer::Kind::offer);
  EXPECT_EQ(a.file->mode, "snapshot");
  EXPECT_EQ(a.file->version, 5);
}

TEST(ServingRule, UnitGetsTheNextDelta) {
  auto a = choose(kFiles, 3, false);
  ASSERT_EQ(a.kind, Answer::Kind::offer);
  EXPECT_EQ(a.file->mode, "delta");
  EXPECT_EQ(a.file->version, 4);
}

TEST(ServingRule, UnitOlderThanTheOldestDeltaGetsTheSnapshot) {
  auto a = choose(kFiles, 1, false);
  ASSERT_EQ(a.kind, Answer::Kind::offer);
  EXPECT_EQ(a.file->mode, "snapshot");
  EXPECT_EQ(a.file->version, 5);
}

TEST(ServingRule, UnitAskingForASnapshotGetsOne) {
  auto a = choose(kFiles, 5, true);
  ASSERT_EQ(a.kind, Answer::Kind::offer);
  EXPECT_EQ(a.file->mode, "snapshot");
}

TEST(ServingRule, UnitAtOrPastTheLatestIsUpToDate) {
  for (int64_t have : {6, 9}) {
    auto a = choose(kFiles, have, false);
    ASSERT_EQ(a.kind, Answer::Kind::up_to_date);
    EXPECT_EQ(a.latest, 6);
  }
}

TEST(ServingRule, NoPathIsAnErrorNotAGuess) {
  auto a = choose({file("delta", 2), file("delta", 4)}, 2, false);
  EXPECT_EQ(a.kind, Answer::Kind::error);
  EXPECT_EQ(a.code, "no_path");
  EXPECT_EQ(choose({file("delta", 2)}, std::nullopt, false).code, "no_snapshot");
  EXPECT_EQ(choose({}, 1, false).code, "empty");
}

TEST(Catalog, ServesHeaderedJsonlFilesAndSkipsTheRest) {
  test::TempDir dir;
  test::write_file(dir.file("v1.jsonl"),
                   "{\"type\":\"header\",\"mode\":\"snapshot\",\"version\":1}\n{\"type\":\"delete\",\"id\":\"X\"}\n");
  test::write_file(dir.file("hand-made.jsonl"), "{\"type\":\"delete\",\"id\":\"X\"}\n");
  test::write_file(dir.file("notes.txt"), "{\"type\":\"header\",\"mode\":\"delta\",\"version\":2}\n");
  test::write_file(dir.file(".v2.jsonl.tmp"), "{\"type\":\"header\",\"mode\":\"delta\",\"version\":2}\n");
  RegistryCatalog catalog(dir.path());
  auto warnings = catalog.rescan();
  ASSERT_EQ(catalog.files().size(), 1u);
  EXPECT_EQ(catalog.files()[0].version, 1);
  EXPECT_EQ(catalog.files()[0].sha256.size(), 64u);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("hand-made.jsonl"), std::string::npos);
  EXPECT_TRUE(catalog.rescan().empty()) << "an unusable file is reported once";

  std::filesystem::rename(dir.file(".v2.jsonl.tmp"), dir.file("v2.jsonl"));
  catalog.rescan();
  EXPECT_EQ(catalog.files().size(), 2u) << "a file dropped in is picked up";
  std::filesystem::remove(dir.file("v1.jsonl"));
  catalog.rescan();
  ASSERT_EQ(catalog.files().size(), 1u) << "a removed file is forgotten";
  EXPECT_EQ(catalog.files()[0].mode, "delta");
}

}  // namespace
}  // namespace mdtc::stub_registry
