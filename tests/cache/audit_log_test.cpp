// The audit chain lives in a file of its own beside the cache: an audit
// record must leave the cache file untouched (SQLite empties the lookup
// connection's page cache whenever the file it reads is committed to), an
// older cache's chain must arrive whole and once, and a chain that was
// removed, replaced or damaged must be said, never started over in silence.
#include <sqlite3.h>

#include <filesystem>
#include <fstream>

#include "cache_fixture.h"
#include "field_cipher.h"
#include "schema.h"
#include "mdtc/sqlite.h"

namespace mdtc::cache::test {
namespace {

using sql::Db;
using sql::Stmt;

namespace fs = std::filesystem;

int64_t query(const std::string& path, const std::string& statement) {
  Db db(path, SQLITE_OPEN_READONLY);
  Stmt q(db, statement);
  return q.step() ? q.integer(0) : -1;
}

bool has_table(const std::string& path, const std::string& table) {
  return query(path, "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='" + table + "'") == 1;
}

class AuditLogFile : public CacheTest {
 protected:
  std::string audit = audit_log_path(db);

  void write_records(Cache& c, int n) {
    for (int i = 0; i < n; ++i) ASSERT_TRUE(c.audit({"2A31", "officer", "I-" + std::to_string(i), {"F-1", "F-2"}}).ok());
  }
};

TEST_F(AuditLogFile, ARecordCommitsNothingToTheCacheFile) {
  Cache c = open();
  ASSERT_TRUE(c.import_text(kExample, "a").ok());
  ASSERT_EQ(match(c, "1208 N MAPLE ST APT 3B, SPRINGFIELD IL").flags.size(), 3u);
  // data_version changes for a connection when another one commits to its
  // file: exactly what makes SQLite drop that connection's cached pages.
  Db watcher(db, SQLITE_OPEN_READONLY);
  const int64_t before = watcher.query_int("PRAGMA data_version");
  write_records(c, 3);
  EXPECT_EQ(watcher.query_int("PRAGMA data_version"), before);
  EXPECT_EQ(query(audit, "SELECT count(*) FROM audit"), 3);
  EXPECT_FALSE(has_table(db, "audit"));
  EXPECT_EQ(c.stats()->audit_records, 3);
  EXPECT_EQ(c.stats()->audit_path, audit);
  EXPECT_TRUE(c.verify().ok());
}

TEST_F(AuditLogFile, IsPrivateLikeTheCache) {
  Cache c = open();
  write_records(c, 1);
  EXPECT_EQ(fs::status(audit).permissions() & (fs::perms::group_all | fs::perms::others_all), fs::perms::none);
}

// A schema 6 cache kept its chain in its own audit table, with the head in
// meta. The upgrade moves both, so the chain verifies and goes on; a crash
// after the copy and before the drop copies nothing twice.
class AuditMove : public AuditLogFile, public ::testing::WithParamInterface<bool> {};

TEST_P(AuditMove, AVersionSixChainArrivesWholeAndOnce) {
  const bool interrupted = GetParam();
  // A real chain, written by this build into another cache's audit file,
  // laid into a schema 6 file as that schema held it.
  const std::string donor = dir.file("donor.db");
  {
    OpenOptions o;
    o.db_path = donor;
    Cache d = open(o);
    write_records(d, 4);
  }
  auto key = load_or_create_key(db + ".key", true);
  ASSERT_TRUE(key.ok());
  {
    Db v6(db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    FieldCipher cipher(*key);
    migrate(v6, 6, &cipher);
    ASSERT_EQ(schema_version(v6), 6);
    // Schema 6 counted audit records too; this build's recount no longer does.
    v6.exec("INSERT INTO row_counts VALUES('audit', 0)");
    v6.exec("ATTACH '" + audit_log_path(donor) + "' AS donor");
    v6.exec("INSERT INTO audit SELECT * FROM donor.audit");
    v6.exec("INSERT INTO meta SELECT 'audit_head', value FROM donor.chain WHERE key = 'head'");
    v6.exec("DETACH donor");
    EXPECT_EQ(query(db, "SELECT n FROM row_counts WHERE tbl = 'audit'"), 4);
  }
  // The copy committed in the audit file, the cache not yet upgraded.
  if (interrupted) fs::copy_file(audit_log_path(donor), audit);
  Cache c = open();
  EXPECT_EQ(c.stats()->schema_version, kSchemaVersion);
  EXPECT_FALSE(has_table(db, "audit"));
  EXPECT_EQ(query(db, "SELECT count(*) FROM meta WHERE key = 'audit_head'"), 0);
  EXPECT_EQ(query(db, "SELECT count(*) FROM row_counts WHERE tbl = 'audit'"), 0);
  EXPECT_EQ(query(audit, "SELECT count(*) FROM audit"), 4);
  EXPECT_EQ(c.stats()->audit_records, 4);
  auto v = c.verify();
  EXPECT_TRUE(v.ok()) << v.error().message;
  write_records(c, 1);
  EXPECT_EQ(c.stats()->audit_records, 5);
  v = c.verify();
  EXPECT_TRUE(v.ok()) << v.error().message;
}

INSTANTIATE_TEST_SUITE_P(CleanOrAfterACrash, AuditMove, ::testing::Bool());

TEST_F(AuditLogFile, ARemovedAuditFileFailsVerifyAndANewChainIsNotTakenForTheOld) {
  {
    Cache c = open();
    write_records(c, 3);
  }
  for (const char* side : {"", "-wal", "-shm"}) fs::remove(audit + side);
  {
    OpenOptions o;
    o.db_path = db;
    o.read_only = true;
    Cache ro = open(o);
    auto v = ro.verify();
    ASSERT_FALSE(v.ok());
    EXPECT_EQ(v.error().code, "cache.audit_broken");
    EXPECT_NE(v.error().message.find("is missing"), std::string::npos) << v.error().message;
    EXPECT_FALSE(fs::exists(audit)) << "a read-only open wrote a file";
  }
  Cache c = open();  // read-write: a new chain begins, and is not passed off as the old
  EXPECT_NE(c.stats()->audit_problem.find("removed or replaced"), std::string::npos) << c.stats()->audit_problem;
  write_records(c, 1);
  auto v = c.verify();
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.error().message.find("removed or replaced"), std::string::npos) << v.error().message;
}

TEST_F(AuditLogFile, AResetCacheCarriesTheChainOn) {
  {
    Cache c = open();
    ASSERT_TRUE(c.import_text(kExample, "a").ok());
    write_records(c, 2);
  }
  OpenOptions o;
  o.db_path = db;
  ASSERT_TRUE(Cache::reset(o).ok());
  EXPECT_TRUE(fs::exists(audit));
  Cache c = open();
  EXPECT_EQ(c.stats()->audit_records, 2);
  EXPECT_EQ(c.stats()->audit_problem, "");
  write_records(c, 1);
  EXPECT_EQ(c.stats()->audit_records, 3);
  auto v = c.verify();
  EXPECT_TRUE(v.ok()) << v.error().message;
}

TEST_F(AuditLogFile, ACorruptAuditFileIsMovedAsideSaidAndLookupsGoOn) {
  {
    Cache c = open();
    ASSERT_TRUE(c.import_text(kExample, "a").ok());
    write_records(c, 2);
  }
  for (const char* side : {"-wal", "-shm"}) fs::remove(audit + side);
  {
    std::ofstream garbage(audit, std::ios::binary | std::ios::trunc);
    garbage << std::string(8192, 'x');
  }
  Cache c = open();
  const Stats s = *c.stats();
  ASSERT_FALSE(s.audit_recovered_from.empty());
  EXPECT_NE(s.audit_problem.find("was corrupt and was moved to " + s.audit_recovered_from), std::string::npos)
      << s.audit_problem;
  EXPECT_TRUE(fs::exists(s.audit_recovered_from));
  EXPECT_EQ(s.audit_records, 0);
  EXPECT_EQ(match(c, "1208 N MAPLE ST APT 3B, SPRINGFIELD IL").flags.size(), 3u);
  write_records(c, 1);
  auto v = c.verify();
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.error().message.find(s.audit_recovered_from), std::string::npos) << v.error().message;
}

// Auditing must never cost a flag: with no audit file to be had the cache
// still answers, and each audit says why it was not written.
TEST_F(AuditLogFile, AnAuditFileThatCannotBeOpenedFailsEachAuditButNotTheLookup) {
  fs::create_directory(audit);  // a directory where the file should be
  Cache c = open();
  ASSERT_TRUE(c.import_text(kExample, "a").ok());
  EXPECT_EQ(match(c, "1208 N MAPLE ST APT 3B, SPRINGFIELD IL").flags.size(), 3u);
  auto st = c.audit({"2A31", "officer", "I-1", {"F-1"}});
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, "cache.audit_failed");
  EXPECT_NE(st.error().message.find(audit), std::string::npos) << st.error().message;
  EXPECT_FALSE(c.verify().ok());
}

}  // namespace
}  // namespace mdtc::cache::test
