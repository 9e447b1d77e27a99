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
  EXPECT_EQ(m.flags[0].display_name, "CROSSBOW");
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

TEST_F(RegistryImport, MissingFileIsAnError) {
  Cache c = open();
  auto r = c.import_file(dir.file("nope.jsonl"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "registry.unreadable");
}

}  // namespace
}  // namespace mdtc::cache::test
