#include "outcome_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "outcome_export.h"
#include "temp_dir.h"

namespace mdtc::plugin {
namespace {

constexpr int64_t kNov1 = 1'793'491'200'000;  // 2026-11-01T00:00:00Z

void sql(const std::string& path, const std::string& statements) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  const int rc = sqlite3_exec(db, statements.c_str(), nullptr, nullptr, &err);
  const std::string message = err ? err : "";
  sqlite3_free(err);
  sqlite3_close(db);
  ASSERT_EQ(rc, SQLITE_OK) << message;
}

int version_of(const std::string& path) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, nullptr);
  sqlite3_step(st);
  const int v = sqlite3_column_int(st, 0);
  sqlite3_finalize(st);
  sqlite3_close(db);
  return v;
}

// A file exactly as the first version of the plugin wrote it.
std::string version0_file(test::TempDir& dir) {
  const std::string path = dir.file("outcomes-CR7.db");
  sql(path,
      "PRAGMA journal_mode=WAL;"
      "CREATE TABLE IF NOT EXISTS outcome("
      " request_id TEXT PRIMARY KEY, incident_id TEXT NOT NULL, unit TEXT NOT NULL,"
      " disposition TEXT NOT NULL, note TEXT NOT NULL DEFAULT '', recorded_at TEXT NOT NULL);"
      "INSERT INTO outcome VALUES('2A31-I-9-1','I-9','CR7','arrest','old note','2026-10-03T04:05:06Z');");
  return path;
}

Outcome filing(const std::string& rid, const std::string& disposition) {
  Outcome o;
  o.request_id = rid;
  o.incident_id = "I-1";
  o.unit = "CR7";
  o.codes["disposition"] = disposition;
  o.recorded_at = "2026-11-22T10:00:00Z";
  return o;
}

TEST(OutcomeStore, RecordsSurviveReopening) {
  test::TempDir dir;
  {
    auto store = OutcomeStore::open(dir.file("o.db"));
    ASSERT_TRUE(store.ok()) << store.error().message;
    ASSERT_TRUE(store->record(filing("R-1", "resolved_on_scene")).ok());
  }
  auto store = OutcomeStore::open(dir.file("o.db"));
  ASSERT_TRUE(store.ok());
  auto all = store->all();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].disposition(), "resolved_on_scene");
  EXPECT_EQ(version_of(dir.file("o.db")), kOutcomeSchemaVersion);
}

TEST(OutcomeStore, FilingAgainReplacesTheCodesButKeepsTheStampedTimes) {
  test::TempDir dir;
  auto store = OutcomeStore::open(dir.file("o.db"));
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE(store->stamp({"R-1", "I-1", "CR7", OutcomeStep::on_scene, kNov1, ""}).ok());
  auto first = filing("R-1", "arrest");
  first.codes["age_band"] = "18_24";
  ASSERT_TRUE(store->record(first).ok());
  ASSERT_TRUE(store->record(filing("R-1", "referral_made")).ok());
  auto all = store->all();
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].disposition(), "referral_made");
  EXPECT_EQ((*all)[0].code("age_band"), "unknown");
  EXPECT_EQ((*all)[0].time(OutcomeStep::on_scene), kNov1);
}

TEST(OutcomeStore, UnknownDispositionOrCodeIsRefused) {
  test::TempDir dir;
  auto store = OutcomeStore::open(dir.file("o.db"));
  auto st = store->record(filing("R-1", "went_home"));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, "outcomes.bad_disposition");
  auto coded = filing("R-1", "arrest");
  coded.codes["transport_by"] = "helicopter";
  st = store->record(coded);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, "outcomes.bad_code");
  EXPECT_NE(st.error().message.find("transport_by = 'helicopter'"), std::string::npos);
}

TEST(OutcomeStore, TheFirstStampOfAStepWinsAndRequesterIsKept) {
  test::TempDir dir;
  auto store = OutcomeStore::open(dir.file("o.db"));
  ASSERT_TRUE(store->stamp({"R-1", "I-1", "CR7", OutcomeStep::offered, kNov1 + 1000, "auto_rule"}).ok());
  ASSERT_TRUE(store->stamp({"R-1", "I-1", "CR7", OutcomeStep::offered, kNov1 + 9000, "officer"}).ok());
  ASSERT_TRUE(store->stamp({"R-1", "I-1", "CR7", OutcomeStep::accepted, kNov1 + 2000, ""}).ok());
  auto all = store->all();
  ASSERT_EQ(all->size(), 1u);
  const Outcome& o = (*all)[0];
  EXPECT_EQ(o.time(OutcomeStep::offered), kNov1 + 1000);
  EXPECT_EQ(o.time(OutcomeStep::accepted), kNov1 + 2000);
  EXPECT_FALSE(o.time(OutcomeStep::on_scene));
  EXPECT_EQ(o.requested_by, "auto_rule");
  EXPECT_EQ(o.disposition(), "unknown");
  EXPECT_EQ(o.recorded_at, "");
}

TEST(OutcomeStore, AWithdrawnAcceptClearsItsTimeAndTheStepsAfterIt) {
  test::TempDir dir;
  auto store = OutcomeStore::open(dir.file("o.db"));
  ASSERT_TRUE(store->stamp({"R-1", "I-1", "CR9", OutcomeStep::offered, kNov1 + 1000, "officer"}).ok());
  ASSERT_TRUE(store->stamp({"R-1", "I-1", "CR9", OutcomeStep::accepted, kNov1 + 2000, ""}).ok());
  ASSERT_TRUE(store->stamp({"R-1", "I-1", "CR9", OutcomeStep::en_route, kNov1 + 3000, ""}).ok());
  OutcomeStamp lost{"R-1", "I-1", "CR9", OutcomeStep::accepted, kNov1 + 4000, ""};
  lost.accept_withdrawn = true;
  ASSERT_TRUE(store->stamp(lost).ok());
  auto all = store->all();
  ASSERT_EQ(all->size(), 1u);
  const Outcome& o = (*all)[0];
  EXPECT_EQ(o.time(OutcomeStep::offered), kNov1 + 1000) << "the offer still reached this unit";
  EXPECT_FALSE(o.time(OutcomeStep::accepted));
  EXPECT_FALSE(o.time(OutcomeStep::en_route));
  EXPECT_EQ(o.requested_by, "officer");
}

TEST(OutcomeStoreMigration, AFirstVersionFileStillReadsWithoutBeingWritten) {
  test::TempDir dir;
  const std::string path = version0_file(dir);
  auto store = OutcomeStore::open_read_only(path);
  ASSERT_TRUE(store.ok()) << store.error().message;
  auto all = store->all();
  ASSERT_TRUE(all.ok()) << all.error().message;
  ASSERT_EQ(all->size(), 1u);
  const Outcome& o = (*all)[0];
  EXPECT_EQ(o.request_id, "2A31-I-9-1");
  EXPECT_EQ(o.disposition(), "arrest");
  EXPECT_EQ(o.note, "old note");
  EXPECT_EQ(o.requested_by, "unknown");
  EXPECT_EQ(o.code("contact_type"), "unknown");
  EXPECT_EQ(version_of(path), 0) << "a read-only open must not migrate";
  std::ostringstream csv;
  write_outcomes_csv(*all, {}, csv);
  EXPECT_NE(csv.str().find("2A31-I-9-1,I-9,CR7,unknown,,,,,,,,,,unknown,unknown,unknown,unknown,arrest,"
                           "unknown,unknown,unknown,old note,2026-10-03T04:05:06Z,,"),
            std::string::npos)
      << csv.str();
}

TEST(OutcomeStoreMigration, OpeningForWritingMigratesAndKeepsTheOldRecords) {
  test::TempDir dir;
  const std::string path = version0_file(dir);
  {
    auto store = OutcomeStore::open(path);
    ASSERT_TRUE(store.ok()) << store.error().message;
    ASSERT_TRUE(store->stamp({"2A31-I-9-1", "I-9", "CR7", OutcomeStep::cleared, kNov1, ""}).ok());
    auto fresh = filing("R-2", "connected_to_services");
    fresh.codes["repeat_contact"] = "yes";
    ASSERT_TRUE(store->record(fresh).ok());
  }
  EXPECT_EQ(version_of(path), kOutcomeSchemaVersion);
  auto again = OutcomeStore::open(path);  // a second open finds nothing to do
  ASSERT_TRUE(again.ok()) << again.error().message;
  auto all = again->all();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  const auto old = std::find_if(all->begin(), all->end(), [](const Outcome& o) { return o.incident_id == "I-9"; });
  ASSERT_NE(old, all->end());
  EXPECT_EQ(old->disposition(), "arrest");
  EXPECT_EQ(old->note, "old note");
  EXPECT_EQ(old->time(OutcomeStep::cleared), kNov1);
  const auto fresh = std::find_if(all->begin(), all->end(), [](const Outcome& o) { return o.request_id == "R-2"; });
  EXPECT_EQ(fresh->code("repeat_contact"), "yes");
}

TEST(OutcomeStoreReadOnly, AMissingFileIsNamedAndNotCreated) {
  test::TempDir dir;
  const std::string path = dir.file("outcomes-nobody.db");
  auto store = OutcomeStore::open_read_only(path);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, "outcomes.missing");
  EXPECT_NE(store.error().message.find(path), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(OutcomeStoreReadOnly, AFileThatIsNotAnOutcomeStoreIsRefused) {
  test::TempDir dir;
  const std::string text = dir.file("notes.txt");
  test::write_file(text, "this is not a database, it is a note\n");
  auto store = OutcomeStore::open_read_only(text);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, "outcomes.not_outcomes");
  const std::string other = dir.file("other.db");
  sql(other, "CREATE TABLE flag(id TEXT);");
  store = OutcomeStore::open_read_only(other);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, "outcomes.not_outcomes");
}

TEST(OutcomeStoreReadOnly, ANewerSchemaIsRefusedNotMisread) {
  test::TempDir dir;
  const std::string path = version0_file(dir);
  sql(path, "PRAGMA user_version=9;");
  auto ro = OutcomeStore::open_read_only(path);
  ASSERT_FALSE(ro.ok());
  EXPECT_EQ(ro.error().code, "outcomes.newer_schema");
  auto rw = OutcomeStore::open(path);
  ASSERT_FALSE(rw.ok());
  EXPECT_EQ(rw.error().code, "outcomes.newer_schema");
}

}  // namespace
}  // namespace mdtc::plugin

namespace mdtc::plugin {
namespace {

TEST(OutcomeStoreMigration, AVersionTwoFileGainsTheHandOffAndKeepsItsRows) {
  test::TempDir dir;
  const std::string path = dir.file("o.db");
  sql(path,
      "CREATE TABLE outcome(request_id TEXT PRIMARY KEY, incident_id TEXT NOT NULL, unit TEXT NOT NULL,"
      " disposition TEXT NOT NULL, note TEXT NOT NULL DEFAULT '', recorded_at TEXT NOT NULL,"
      " requested_by TEXT NOT NULL DEFAULT 'unknown', requested_at TEXT, offered_at TEXT, accepted_at TEXT,"
      " en_route_at TEXT, on_scene_at TEXT, officer_released_at TEXT, cleared_at TEXT,"
      " contact_type TEXT NOT NULL DEFAULT 'unknown', age_band TEXT NOT NULL DEFAULT 'unknown',"
      " presenting_issue TEXT NOT NULL DEFAULT 'unknown', services_referred TEXT NOT NULL DEFAULT 'unknown',"
      " police_backup TEXT NOT NULL DEFAULT 'unknown', transport_by TEXT NOT NULL DEFAULT 'unknown',"
      " repeat_contact TEXT NOT NULL DEFAULT 'unknown');"
      "INSERT INTO outcome(request_id, incident_id, unit, disposition, recorded_at, requested_by, requested_at)"
      " VALUES('2A31-I-8-1','I-8','2A31','unknown','','officer','2026-10-03T04:00:00Z');"
      "PRAGMA user_version=2;");
  auto store = OutcomeStore::open(path);
  ASSERT_TRUE(store.ok()) << store.error().message;
  EXPECT_EQ(version_of(path), kOutcomeSchemaVersion);
  OutcomeStamp s{"2A31-I-8-1", "I-8", "2A31", OutcomeStep::handed_off, *parse_utc_text("2026-10-03T04:03:00Z"), {}};
  s.handoff = "crisis_line";
  ASSERT_TRUE(store->stamp(s).ok());
  // A second tap on another next step does not rewrite which one came first.
  s.handoff = "telehealth";
  s.at_ms += 60'000;
  ASSERT_TRUE(store->stamp(s).ok());
  auto all = store->all();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].requested_by, "officer");
  EXPECT_EQ((*all)[0].handoff, "crisis_line");
  EXPECT_EQ(utc_text(*(*all)[0].time(OutcomeStep::handed_off)), "2026-10-03T04:03:00Z");
}

}  // namespace
}  // namespace mdtc::plugin
