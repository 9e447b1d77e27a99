// The counts `cache stats` reports are kept beside the rows (schema v6):
// after a snapshot, a delta, a purge, an audit record and an upgrade they
// must equal what counting the tables says, and verify must notice when
// they do not.
#include <sqlite3.h>

#include "cache_fixture.h"
#include "field_cipher.h"
#include "schema.h"
#include "mdtc/sqlite.h"

namespace mdtc::cache::test {
namespace {

using sql::Db;
using sql::Stmt;

class RowCounts : public CacheTest {
 protected:
  static std::string snapshot(int version, const std::string& records) {
    return complete("{\"type\":\"header\",\"mode\":\"snapshot\",\"version\":" + std::to_string(version) + "}\n" +
                    records);
  }
  static std::string delta(int version, const std::string& records) {
    return complete("{\"type\":\"header\",\"mode\":\"delta\",\"version\":" + std::to_string(version) + "}\n" +
                    records);
  }

  // What counting the tables says, read through a connection of its own.
  struct Counted {
    int64_t premises, subjects, flags, history, audit;
    int64_t unknown;  // flags with a code outside the vocabulary (stats only)
  };
  Counted counted() {
    Db raw(db, SQLITE_OPEN_READONLY);
    auto n = [&](const std::string& sql) {
      Stmt q(raw, sql);
      q.step();
      return q.integer(0);
    };
    // The audit chain is kept in a file of its own (audit_log.h).
    Db audit_file(audit_log_path(db), SQLITE_OPEN_READONLY);
    Stmt audit(audit_file, "SELECT count(*) FROM audit");
    audit.step();
    return {n("SELECT count(*) FROM premises"), n("SELECT count(*) FROM subjects"), n("SELECT count(*) FROM flags"),
            n("SELECT count(*) FROM history"),  audit.integer(0), 0};
  }

  // The stats equal the counted rows, which equal what the test expects.
  void expect_counts(Cache& c, const Counted& want) {
    auto s = c.stats();
    ASSERT_TRUE(s.ok()) << s.error().message;
    const Counted rows = counted();
    EXPECT_EQ(rows.premises, want.premises);
    EXPECT_EQ(rows.subjects, want.subjects);
    EXPECT_EQ(rows.flags, want.flags);
    EXPECT_EQ(rows.history, want.history);
    EXPECT_EQ(rows.audit, want.audit);
    EXPECT_EQ(s->premises, want.premises);
    EXPECT_EQ(s->subjects, want.subjects);
    EXPECT_EQ(s->flags, want.flags);
    EXPECT_EQ(s->history, want.history);
    EXPECT_EQ(s->audit_records, want.audit);
    EXPECT_EQ(s->unknown_codes, want.unknown);
    auto v = c.verify();
    EXPECT_TRUE(v.ok()) << v.error().message;
  }

  void tamper(const std::string& statement) {
    Db raw(db, SQLITE_OPEN_READWRITE);
    raw.exec(statement);
  }
};

TEST_F(RowCounts, AreRightAfterASnapshot) {
  Cache c = open();
  expect_counts(c, {0, 0, 0, 0, 0, 0});
  ASSERT_TRUE(c.import_text(kExample, "a.jsonl").ok());
  expect_counts(c, {2, 1, 3, 1, 0, 0});
}

TEST_F(RowCounts, AreRightAfterASnapshotReplacesALargerOne) {
  Cache c = open();
  ASSERT_TRUE(c.import_text(kExample, "a.jsonl").ok());
  const std::string smaller = snapshot(2, R"({"type":"premise","id":"P-9","address":"5 ELM ST, SPRINGFIELD IL"}
{"type":"flag","id":"F-9","premise":"P-9","kind":"safety","code":"DOG","audience":"all"}
{"type":"flag","id":"F-8","premise":"P-9","kind":"safety","code":"NEW_CODE","audience":"all"}
)");
  ASSERT_TRUE(c.import_text(smaller, "b.jsonl", {.allow_shrink = true}).ok());
  expect_counts(c, {1, 0, 2, 0, 0, 1});
}

TEST_F(RowCounts, FollowADelta) {
  Cache c = open();
  ASSERT_TRUE(c.import_text(kExample, "a.jsonl").ok());
  // New premise and flags, an updated flag (same id: no new row), a flag
  // whose code changes to one outside the vocabulary, a new history row.
  const std::string d2 = delta(2, R"({"type":"premise","id":"P-9","address":"5 ELM ST, SPRINGFIELD IL"}
{"type":"flag","id":"F-9","premise":"P-9","kind":"safety","code":"DOG","audience":"all"}
{"type":"flag","id":"F-1","subject":"S-1","premise":"P-1","kind":"safety","code":"WEAPONS","note":"Updated","audience":"all"}
{"type":"flag","id":"F-2","subject":"S-1","premise":"P-1","kind":"care","code":"ZZ_UNKNOWN","audience":"all"}
{"type":"history","premise":"P-9","incident":"I-7","at":"2099-01-01T00:00:00Z","call_type":"WELFARE CHECK","disposition":"RESOLVED"}
)");
  auto r = c.import_text(d2, "d2.jsonl");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->flags_held, 4);
  expect_counts(c, {3, 1, 4, 2, 0, 1});
  // Tombstones cascade: the subject takes its three flags, the premise its
  // flag and history row.
  const std::string d3 = delta(3, R"({"type":"delete","id":"S-1"}
{"type":"delete","id":"P-9"}
)");
  ASSERT_TRUE(c.import_text(d3, "d3.jsonl").ok());
  expect_counts(c, {2, 0, 0, 1, 0, 0});
}

TEST_F(RowCounts, ARejectedImportLeavesThemAsTheyWere) {
  Cache c = open();
  ASSERT_TRUE(c.import_text(kExample, "a.jsonl").ok());
  // The flag names a premise nobody has: the whole file is refused after
  // its rows were written, so the counts roll back with them.
  const std::string bad = delta(2, R"({"type":"premise","id":"P-9","address":"5 ELM ST, SPRINGFIELD IL"}
{"type":"flag","id":"F-9","premise":"P-404","kind":"safety","code":"DOG","audience":"all"}
)");
  auto r = c.import_text(bad, "bad.jsonl");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "registry.dangling_reference");
  expect_counts(c, {2, 1, 3, 1, 0, 0});
}

TEST_F(RowCounts, FollowAPurge) {
  Cache c = open();
  ASSERT_TRUE(c.import_text(kExample, "a.jsonl").ok());
  ASSERT_TRUE(c.import_text(delta(2, R"({"type":"flag","id":"F-X","premise":"P-2","kind":"safety","code":"DOG","audience":"all","expires":"2099-01-01"}
{"type":"flag","id":"F-V","premise":"P-2","kind":"care","code":"DEMENTIA","audience":"all"}
)"), "b.jsonl").ok());
  expect_counts(c, {2, 1, 5, 1, 0, 0});
  lapse_flag(db, "F-X");
  lapse_flag(db, "F-V", "validated");
  auto n = c.purge();
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 2);
  expect_counts(c, {2, 1, 3, 1, 0, 0});
}

TEST_F(RowCounts, FollowTheAuditLog) {
  Cache c = open();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(c.audit({"2A31", "u", "I-" + std::to_string(i), {"F-1"}}).ok());
  expect_counts(c, {0, 0, 0, 0, 3, 0});
}

// A cache written by schema 5 is counted once by the upgrade, and the
// triggers keep counting after it.
TEST_F(RowCounts, AreMadeWhenAVersionFiveCacheIsUpgraded) {
  auto key = load_or_create_key(db + ".key", true);
  ASSERT_TRUE(key.ok());
  {
    Db v5(db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    FieldCipher cipher(*key);
    migrate(v5, 5, &cipher);
    ASSERT_EQ(schema_version(v5), 5);
    v5.exec("INSERT INTO premises(id, display, hno, name, city, state) VALUES"
            "('P-1','5 ELM ST, SPRINGFIELD IL','5','ELM','SPRINGFIELD','IL'),"
            "('P-2','7 ELM ST, SPRINGFIELD IL','7','ELM','SPRINGFIELD','IL')");
    v5.exec("INSERT INTO flags(premise_id, id, kind, code, audience) VALUES"
            "('P-1','F-1','safety','WEAPONS','all'), ('P-1','F-2','safety','XYZ','all'), "
            "('P-2','F-3','care','AUTISM','all')");
    v5.exec("INSERT INTO history(premise_id, incident, at) VALUES('P-1','I-1','2099-01-01T00:00:00Z')");
    v5.exec("INSERT INTO meta VALUES('last_sync', strftime('%s','now')), ('snapshot_version', '1'), "
            "('registry_version', '1')");
  }
  Cache c = open();
  {
    Db raw(db, SQLITE_OPEN_READONLY);
    EXPECT_EQ(schema_version(raw), kSchemaVersion);
  }
  expect_counts(c, {2, 0, 3, 1, 0, 1});
  ASSERT_TRUE(c.import_text(delta(2, R"({"type":"delete","id":"P-1"})" "\n"), "d.jsonl").ok());
  expect_counts(c, {1, 0, 1, 0, 0, 0});
}

TEST_F(RowCounts, VerifyNamesATamperedCount) {
  Cache c = open();
  ASSERT_TRUE(c.import_text(kExample, "a.jsonl").ok());
  tamper("UPDATE row_counts SET n = 7 WHERE tbl = 'flags'");
  auto v = c.verify();
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code, "cache.counts_mismatch");
  EXPECT_NE(v.error().message.find("kept count of flags is 7 but the table holds 3 rows"), std::string::npos)
      << v.error().message;
  // A snapshot counts again, and verify passes.
  ASSERT_TRUE(c.import_text(snapshot(2, R"({"type":"premise","id":"P-9","address":"5 ELM ST, SPRINGFIELD IL"}
{"type":"flag","id":"F-9","premise":"P-9","kind":"safety","code":"DOG","audience":"all"}
)"), "b.jsonl", {.allow_shrink = true}).ok());
  expect_counts(c, {1, 0, 1, 0, 0, 0});
}

TEST_F(RowCounts, VerifyNamesARowWrittenPastTheTriggers) {
  Cache c = open();
  ASSERT_TRUE(c.import_text(kExample, "a.jsonl").ok());
  // A history row slipped in with the counting trigger out of the way.
  tamper("DROP TRIGGER history_count_ins; "
         "INSERT INTO premise_rows(premise_id, rec, id, at) VALUES('P-1',1,'I-X','2099-01-01T00:00:00Z')");
  auto v = c.verify();
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code, "cache.counts_mismatch");
  EXPECT_NE(v.error().message.find("kept count of history is 1 but the table holds 2 rows"), std::string::npos)
      << v.error().message;
}

TEST_F(RowCounts, VerifyNamesATamperedCodeCount) {
  Cache c = open();
  ASSERT_TRUE(c.import_text(kExample, "a.jsonl").ok());
  tamper("DELETE FROM flag_code_counts WHERE code = 'AUTISM'");
  auto v = c.verify();
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code, "cache.counts_mismatch");
  EXPECT_NE(v.error().message.find("flags with code AUTISM is 0 but the flags table holds 1"), std::string::npos)
      << v.error().message;
}

TEST_F(RowCounts, VerifyNamesAMissingCount) {
  Cache c = open();
  ASSERT_TRUE(c.import_text(kExample, "a.jsonl").ok());
  tamper("DELETE FROM row_counts WHERE tbl = 'premises'");
  auto v = c.verify();
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code, "cache.counts_mismatch");
  EXPECT_NE(v.error().message.find("no kept count of premises"), std::string::npos) << v.error().message;
}

}  // namespace
}  // namespace mdtc::cache::test
