// Snapshot, delta, tombstones and whole-file rejection on a real SQLite file.
#include "cache_fixture.h"

namespace mdtc::cache::test {
namespace {

class RegistryImport : public CacheTest {};

TEST_F(RegistryImport, SnapshotReportsCounts) {
  Cache c = open();
  auto r = c.import_text(kExample, "example.jsonl");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->mode, "snapshot");
  EXPECT_EQ(r->version, 1);
  EXPECT_EQ(r->premises, 2);
  EXPECT_EQ(r->subjects, 1);
  EXPECT_EQ(r->flags, 3);
  EXPECT_EQ(r->history, 1);
  auto s = c.stats();
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->flags, 3);
  EXPECT_EQ(s->registry_version, 1);
  EXPECT_EQ(s->last_mode, "snapshot");
  EXPECT_TRUE(s->age_s.has_value());
}

TEST_F(RegistryImport, SyncedVersionAndConfirmationLeaveTheDataAlone) {
  Cache c = open();
  EXPECT_FALSE(c.synced_version().has_value()) << "a fresh cache holds no registry version";
  EXPECT_FALSE(c.mark_synced().ok()) << "nothing applied yet: nothing to confirm";
  ASSERT_TRUE(c.import_text(kExample, "example.jsonl").ok());
  EXPECT_EQ(c.synced_version(), 1);
  ASSERT_TRUE(c.mark_synced().ok());
  auto s = c.stats();
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->registry_version, 1);
  EXPECT_EQ(s->last_mode, "snapshot");
  EXPECT_EQ(s->flags, 3);
  EXPECT_LE(*s->age_s, 1);
}

TEST_F(RegistryImport, BadLineRejectsWholeFileAndKeepsPreviousData) {
  Cache c = open();
  ASSERT_TRUE(c.import_text(kExample, "a.jsonl").ok());
  const std::string bad = R"({"type":"header","mode":"snapshot","version":2}
{"type":"premise","id":"P-9","address":"5 ELM ST, SPRINGFIELD IL"}
{"type":"flag","id":"F-9","premise":"P-9","kind":"safety","code":"DOG","audience":"all"}
{"type":"flag","id":"F-10","premise":"P-9","kind":"bogus","code":"DOG"}
)";
  auto r = c.import_text(bad, "b.jsonl");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message.rfind("b.jsonl:4: ", 0), 0u) << r.error().message;
  EXPECT_EQ(flag_ids(match(c, "1208 N MAPLE ST APT 3B, SPRINGFIELD IL")),
            (std::vector<std::string>{"F-1", "F-2", "F-3"}));
  EXPECT_EQ(match(c, "5 ELM ST, SPRINGFIELD IL").level, MatchLevel::none);
  EXPECT_EQ(c.stats()->registry_version, 1);
  EXPECT_EQ(c.stats()->import_rejects, 1);
  EXPECT_EQ(c.stats()->last_reject.rfind("b.jsonl:4: ", 0), 0u);
}

TEST_F(RegistryImport, DanglingReferenceRejectsFileNamingTheLine) {
  Cache c = open();
  ASSERT_TRUE(c.import_text(kExample, "a.jsonl").ok());
  auto r = c.import_text(R"({"type":"flag","id":"F-7","premise":"P-404","kind":"safety","code":"DOG"}
)", "d.jsonl");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "registry.dangling_reference");
  EXPECT_NE(r.error().message.find("d.jsonl:1:"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("P-404"), std::string::npos);
  EXPECT_EQ(c.stats()->flags, 3);
}

TEST_F(RegistryImport, SnapshotReplacesEverything) {
  Cache c = open();
  ASSERT_TRUE(c.import_text(kExample, "a.jsonl").ok());
  auto r = c.import_text(R"({"type":"header","mode":"snapshot","version":2}
{"type":"premise","id":"P-5","address":"5 ELM ST, SPRINGFIELD IL"}
{"type":"flag","id":"F-5","premise":"P-5","kind":"safety","code":"DOG","audience":"all"}
)", "s2.jsonl");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(match(c, "1208 N MAPLE ST APT 3B, SPRINGFIELD IL").level, MatchLevel::none);
  EXPECT_EQ(flag_ids(match(c, "5 Elm Street, Springfield IL")), (std::vector<std::string>{"F-5"}));
  EXPECT_EQ(c.stats()->subjects, 0);
}

TEST_F(RegistryImport, FileWithoutHeaderIsADelta) {
  Cache c = open();
  ASSERT_TRUE(c.import_text(kExample, "a.jsonl").ok());
  auto r = c.import_text(R"({"type":"flag","id":"F-4","premise":"P-2","kind":"safety","code":"DOG","audience":"all"}
)", "delta.jsonl");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->mode, "delta");
  EXPECT_EQ(c.stats()->flags, 4);
  EXPECT_EQ(c.stats()->registry_version, 1);
}

TEST_F(RegistryImport, DeletingASubjectRemovesItsFlagsEverywhere) {
  Cache c = open();
  ASSERT_TRUE(c.import_text(kExample, "a.jsonl").ok());
  ASSERT_TRUE(c.import_text(R"({"type":"flag","id":"F-8","subject":"S-1","premise":"P-2","kind":"care","code":"AUTISM","audience":"all"}
)", "b.jsonl").ok());
  ASSERT_TRUE(c.import_text(R"({"type":"delete","id":"S-1"})", "c.jsonl").ok());
  EXPECT_TRUE(match(c, "1208 N MAPLE ST APT 3B, SPRINGFIELD IL").flags.empty());
  EXPECT_TRUE(match(c, "17 OAK AVE, SPRINGFIELD IL").flags.empty());
  EXPECT_EQ(c.stats()->flags, 0);
}

TEST_F(RegistryImport, DeletingAFlagLeavesTheOthers) {
  Cache c = open();
  ASSERT_TRUE(c.import_text(kExample, "a.jsonl").ok());
  ASSERT_TRUE(c.import_text(R"({"type":"delete","id":"F-1"})", "c.jsonl").ok());
  EXPECT_EQ(flag_ids(match(c, "1208 N MAPLE ST APT 3B, SPRINGFIELD IL")), (std::vector<std::string>{"F-2", "F-3"}));
}

TEST_F(RegistryImport, UnknownCodeIsStoredShownAndCounted) {
  Cache c = open();
  ASSERT_TRUE(c.import_text(kExample, "a.jsonl").ok());
  auto r = c.import_text(R"({"type":"flag","id":"F-6","premise":"P-2","kind":"safety","code":"CROSSBOW","audience":"all"}
)", "new-code.jsonl");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->unknown_codes, 1);
  EXPECT_EQ(r->unknown_code_names, (std::vector<std::string>{"CROSSBOW"}));
  auto m = match(c, "17 OAK AVE, SPRINGFIELD IL");
  ASSERT_EQ(m.flags.size(), 1u);
  EXPECT_EQ(m.flags[0].display_name, "Other safety flag (CROSSBOW)");
  EXPECT_GE(m.flags[0].severity, 2);
  EXPECT_EQ(c.stats()->unknown_codes, 1);
}

TEST_F(RegistryImport, OlderVersionIsRefused) {
  Cache c = open();
  ASSERT_TRUE(c.import_text(R"({"type":"header","mode":"snapshot","version":5})", "v5").ok());
  auto r = c.import_text(R"({"type":"header","mode":"delta","version":4})", "v4");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "registry.old_version");
}

TEST_F(RegistryImport, HeaderAfterRecordsIsRejected) {
  Cache c = open();
  auto r = c.import_text(R"({"type":"premise","id":"P-5","address":"5 ELM ST"}
{"type":"header","mode":"snapshot","version":2}
)", "h.jsonl");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "registry.misplaced_header");
  EXPECT_NE(r.error().message.find("h.jsonl:2:"), std::string::npos);
}

TEST_F(RegistryImport, SudFlagIsAlwaysClinicianOnly) {
  Cache c = open();
  ASSERT_TRUE(c.import_text(kExample, "a.jsonl").ok());
  auto r = c.import_text(R"({"type":"flag","id":"F-S","premise":"P-2","kind":"sud","code":"SUD_TREATMENT","audience":"all"}
)", "sud.jsonl");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->warnings.size(), 1u);
  auto m = match(c, "17 OAK AVE, SPRINGFIELD IL");
  ASSERT_EQ(m.flags.size(), 1u);
  EXPECT_EQ(m.flags[0].audience, Audience::clinician);
}

// A snapshot of `n` premises (each with a flag and a history row), enough
// lines to cross many of the importer's batches between its threads.
std::string big_snapshot(int n, int version = 1) {
  std::string s = R"({"type":"header","mode":"snapshot","version":)" + std::to_string(version) + "}\n";
  for (int i = 0; i < n; ++i) {
    const std::string id = std::to_string(i);
    s += R"({"type":"premise","id":"P-)" + id + R"(","address":")" + std::to_string(100 + i) +
         R"( N MAPLE ST, SPRINGFIELD IL","lat":)" + std::to_string(39.0 + i * 0.01) + R"(,"lon":-89.0})" "\n";
    s += R"({"type":"flag","id":"F-)" + id + R"(","premise":"P-)" + id +
         R"(","kind":"safety","code":"DOG","note":"note )" + id + R"(","audience":"all"})" "\n";
    s += R"({"type":"history","premise":"P-)" + id + R"(","incident":"I-)" + id +
         R"(","at":"2099-01-01T00:00:00Z","call_type":"CHECK","disposition":"DONE"})" "\n";
  }
  return s;
}

TEST_F(RegistryImport, LargeSnapshotIsAppliedWhole) {
  Cache c = open();
  auto r = c.import_text(big_snapshot(3000), "big.jsonl");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->premises, 3000);
  EXPECT_EQ(r->flags, 3000);
  EXPECT_EQ(r->history, 3000);
  EXPECT_EQ(r->lines, 9000);
  const MatchResult m = match(c, "2999 N MAPLE ST, SPRINGFIELD IL");
  EXPECT_EQ(flag_ids(m), (std::vector<std::string>{"F-2899"}));
  ASSERT_EQ(m.flags.size(), 1u);
  EXPECT_EQ(m.flags[0].note, "note 2899");
  ASSERT_EQ(m.history.size(), 1u);
  EXPECT_EQ(m.history[0].disposition, "DONE");
  // The R*Tree is rebuilt after the load: the last premise is found by coordinates.
  const MatchResult near = match(c, "", 39.0 + 2999 * 0.01, -89.0);
  EXPECT_EQ(near.level, MatchLevel::nearby);
  ASSERT_EQ(near.premises.size(), 1u);
  EXPECT_EQ(near.premises[0].id, "P-2999");
}

TEST_F(RegistryImport, BadLineLateInALargeFileRejectsItAndKeepsTheIndexes) {
  Cache c = open();
  ASSERT_TRUE(c.import_text(kExample, "a.jsonl").ok());
  std::string text = big_snapshot(3000, 2);
  text += R"({"type":"flag","id":"F-Z","premise":"P-1","kind":"bogus","code":"DOG"})" "\n";
  text += big_snapshot(1, 2).substr(text.find('\n') + 1);
  auto r = c.import_text(text, "late.jsonl");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "registry.bad_field");
  EXPECT_EQ(r.error().message.rfind("late.jsonl:9002: ", 0), 0u) << r.error().message;
  // The snapshot's dropped street index and R*Tree came back with the rollback.
  EXPECT_EQ(flag_ids(match(c, "1208 N MAPLE ST APT 3B, SPRINGFIELD IL")),
            (std::vector<std::string>{"F-1", "F-2", "F-3"}));
  EXPECT_EQ(match(c, "", 39.8013, -89.6437).level, MatchLevel::nearby);
  EXPECT_EQ(c.stats()->registry_version, 1);
  EXPECT_EQ(c.stats()->premises, 2);
}

TEST_F(RegistryImport, BadFirstRecordAfterTheHeaderIsNamed) {
  Cache c = open();
  auto r = c.import_text("{\"type\":\"header\",\"mode\":\"snapshot\",\"version\":1}\n\n{\"type\":\"premise\"}\n" +
                             big_snapshot(2000).substr(big_snapshot(0).size()),
                         "first.jsonl");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message.rfind("first.jsonl:3: ", 0), 0u) << r.error().message;
  EXPECT_EQ(c.stats()->premises, 0);
}

TEST_F(RegistryImport, DanglingHistoryAndSubjectAreNamedByTheirLines) {
  Cache c = open();
  std::string text = big_snapshot(1500);
  text += R"({"type":"history","premise":"P-GONE","incident":"I-9","at":"2099-01-01T00:00:00Z"})" "\n";
  auto r = c.import_text(text, "h.jsonl");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "registry.dangling_reference");
  EXPECT_EQ(r.error().message.rfind("h.jsonl:4502: history I-9 refers to premise P-GONE", 0), 0u)
      << r.error().message;

  text = big_snapshot(1500);
  text += R"({"type":"flag","id":"F-0","subject":"S-404","premise":"P-1","kind":"care","code":"AUTISM"})" "\n";
  r = c.import_text(text, "s.jsonl");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "registry.dangling_reference");
  // F-0 is on line 3 too; the line that set the dangling subject is named.
  EXPECT_EQ(r.error().message.rfind("s.jsonl:4502: flag F-0 refers to subject S-404", 0), 0u) << r.error().message;
  EXPECT_EQ(c.stats()->premises, 0);
}

TEST_F(RegistryImport, ResentFlagMayMoveToAnotherPremise) {
  Cache c = open();
  ASSERT_TRUE(c.import_text(kExample, "a.jsonl").ok());
  ASSERT_TRUE(c.import_text(R"({"type":"flag","id":"F-1","subject":"S-1","premise":"P-2","kind":"safety","code":"WEAPONS","note":"moved","audience":"all"}
)", "move.jsonl").ok());
  EXPECT_EQ(flag_ids(match(c, "1208 N MAPLE ST APT 3B, SPRINGFIELD IL")), (std::vector<std::string>{"F-2", "F-3"}));
  const MatchResult m = match(c, "17 OAK AVE, SPRINGFIELD IL");
  ASSERT_EQ(m.flags.size(), 1u);
  EXPECT_EQ(m.flags[0].id, "F-1");
  EXPECT_EQ(m.flags[0].note, "moved");
  EXPECT_EQ(c.stats()->flags, 3);
}

TEST_F(RegistryImport, SecondSnapshotRebuildsTheSpatialIndex) {
  Cache c = open();
  ASSERT_TRUE(c.import_text(kExample, "a.jsonl").ok());
  // The reader has statements on the R*Tree and the street index prepared
  // when the snapshot drops and recreates them.
  ASSERT_EQ(match(c, "", 39.8013, -89.6437).level, MatchLevel::nearby);
  ASSERT_EQ(match(c, "1208 N MAPLE ST APT 3B, SPRINGFIELD IL").level, MatchLevel::exact);
  ASSERT_TRUE(c.import_text(big_snapshot(10, 2), "b.jsonl").ok());
  EXPECT_EQ(flag_ids(match(c, "105 N MAPLE ST, SPRINGFIELD IL")), (std::vector<std::string>{"F-5"}));
  EXPECT_EQ(match(c, "", 39.8013, -89.6437).level, MatchLevel::none);  // P-1 is gone
  EXPECT_EQ(match(c, "", 39.05, -89.0).premises.at(0).id, "P-5");
}

TEST_F(RegistryImport, MissingFileIsAnError) {
  Cache c = open();
  auto r = c.import_file(dir.file("nope.jsonl"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "registry.unreadable");
}

}  // namespace
}  // namespace mdtc::cache::test
