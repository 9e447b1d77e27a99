// `mdt-coresponder outcomes export|summary` on real outcome files.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <algorithm>
#include <filesystem>

#include "child_process.h"
#include "outcome_store.h"
#include "temp_dir.h"

namespace mdtc::plugin {
namespace {

constexpr int64_t kMin = 60'000;
constexpr int64_t kNov1 = 1'793'491'200'000;  // 2026-11-01T00:00:00Z

struct CliRun {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

class OutcomesCli : public ::testing::Test {
 protected:
  CliRun cli(std::vector<std::string> args) {
    args.insert(args.begin(), {MDTC_BINARY_DIR "/cli/mdt-coresponder", "outcomes"});
    const std::string out = dir.file("cli-output.txt");
    std::remove(out.c_str());
    test::ChildProcess child(args, out);
    auto status = child.wait_for_exit(std::chrono::seconds(60));
    CliRun r;
    r.exit_code = status ? *status : child.terminate();
    r.output = test::read_file(out);
    return r;
  }
  // Three requests, one a day from Nov 1 at 10:17, one filed with a note.
  std::string three_days() {
    const std::string path = dir.file("outcomes-CR7.db");
    auto store = OutcomeStore::open(path);
    EXPECT_TRUE(store.ok());
    for (int d = 0; d < 3; ++d) {
      const std::string rid = "2A31-I-" + std::to_string(d) + "-1";
      const int64_t t = kNov1 + d * 24 * 60 * kMin + 10 * 60 * kMin + 17 * kMin;
      EXPECT_TRUE(store->stamp({rid, "I-" + std::to_string(d), "CR7", OutcomeStep::requested, t, "officer"}).ok());
      EXPECT_TRUE(store->stamp({rid, "", "CR7", OutcomeStep::accepted, t + kMin, ""}).ok());
      EXPECT_TRUE(store->stamp({rid, "", "CR7", OutcomeStep::on_scene, t + (d + 1) * 10 * kMin, ""}).ok());
    }
    Outcome o;
    o.request_id = "2A31-I-1-1";
    o.incident_id = "I-1";
    o.unit = "CR7";
    o.codes["disposition"] = "arrest";
    o.note = "Fictional note";
    o.recorded_at = "2026-11-02T12:00:00Z";
    EXPECT_TRUE(store->record(o).ok());
    return path;
  }
  test::TempDir dir;
};

TEST_F(OutcomesCli, AMissingFileIsNamedWithItsCodeAndNotCreated) {
  const std::string path = dir.file("outcomes-typo.db");
  for (const char* sub : {"export", "summary"}) {
    auto r = sub == std::string("export") ? cli({sub, "--csv", "--db", path}) : cli({sub, "--db", path});
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("outcomes.missing: outcome store " + path + " does not exist"), std::string::npos)
        << r.output;
  }
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST_F(OutcomesCli, AFileThatIsNotAnOutcomeStoreIsRefused) {
  const std::string path = dir.file("cache.db");
  test::write_file(path, "not sqlite at all\n");
  auto r = cli({"export", "--json", "--db", path});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("outcomes.not_outcomes: " + path + " is not an outcome store"), std::string::npos)
      << r.output;
}

// Found by an outside test: a directory was said not to exist.
TEST_F(OutcomesCli, ADirectoryIsNamedAsOne) {
  auto r = cli({"summary", "--db", dir.path()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("outcomes.not_outcomes: " + dir.path() + " is a directory"), std::string::npos) << r.output;
}

TEST_F(OutcomesCli, UsageMistakesExitTwo) {
  EXPECT_EQ(cli({"export", "--csv"}).exit_code, 2) << "no --db";
  auto both = cli({"export", "--csv", "--json", "--db", three_days()});
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_NE(both.output.find("give one of --csv or --json"), std::string::npos);
  auto period = cli({"summary", "--from", "last week", "--db", three_days()});
  EXPECT_EQ(period.exit_code, 2);
  EXPECT_NE(period.output.find("--from = 'last week'"), std::string::npos) << period.output;
  EXPECT_EQ(cli({"purge", "--db", three_days()}).exit_code, 2);
}

TEST_F(OutcomesCli, CsvExportHasEveryRecord) {
  auto r = cli({"export", "--csv", "--db", three_days()});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output.rfind("request_id,incident_id,unit,requested_by,requested_at,", 0), 0u) << r.output;
  EXPECT_NE(r.output.find("2A31-I-1-1,I-1,CR7,officer,2026-11-02T10:17:00Z,"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("Fictional note"), std::string::npos);
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 4);
}

TEST_F(OutcomesCli, DeidentifiedJsonForAPeriod) {
  auto r = cli({"export", "--json", "--deidentified", "--from", "2026-11-02", "--to", "2026-11-03", "--db",
                three_days()});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find(R"("requested_at":"2026-11-02T10:00:00Z")"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(R"("disposition":"arrest")"), std::string::npos);
  for (const char* gone : {"2026-11-01", "2026-11-03", "I-1", "CR7", "Fictional", ":17"})
    EXPECT_EQ(r.output.find(gone), std::string::npos) << gone << "\n" << r.output;
}

TEST_F(OutcomesCli, SummaryStatesTheProgramFigures) {
  auto r = cli({"summary", "--db", three_days()});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("requests with a record: 3"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("request to on scene: median 20.0 min, 90th percentile 30.0 min (3 requests)"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("diversion rate: 0.0% (0 diverted, 1 hold or arrest)"), std::string::npos);
  EXPECT_NE(r.output.find("  10:00  3 / 0"), std::string::npos);
  auto json = cli({"summary", "--json", "--to", "2026-11-02", "--db", three_days()});
  ASSERT_EQ(json.exit_code, 0) << json.output;
  EXPECT_NE(json.output.find(R"("records":1)"), std::string::npos) << json.output;
}

TEST_F(OutcomesCli, AFirstVersionFileExportsAndIsLeftAsItWas) {
  const std::string path = dir.file("outcomes-old.db");
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "CREATE TABLE outcome(request_id TEXT PRIMARY KEY, incident_id TEXT NOT NULL,"
                         " unit TEXT NOT NULL, disposition TEXT NOT NULL, note TEXT NOT NULL DEFAULT '',"
                         " recorded_at TEXT NOT NULL);"
                         "INSERT INTO outcome VALUES('R-9','I-9','CR7','referral_made','','2026-10-03T04:05:06Z');",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  const auto before = test::read_file(path);
  auto r = cli({"export", "--csv", "--db", path});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("R-9,I-9,CR7,unknown,"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(",referral_made,"), std::string::npos);
  auto s = cli({"summary", "--db", path});
  EXPECT_NE(s.output.find("diversion rate: 100.0% (1 diverted, 0 hold or arrest)"), std::string::npos) << s.output;
  EXPECT_EQ(test::read_file(path), before) << "a report never migrates or writes the file";
}

}  // namespace
}  // namespace mdtc::plugin
