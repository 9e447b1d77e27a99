// What is on disk: encryption at rest, key file rules, corrupt files,
// migrations, freshness, purge and the audit chain.
#include <sqlite3.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "cache_fixture.h"
#include "field_cipher.h"
#include "schema.h"
#include "sealed_fields.h"
#include "mdtc/time_text.h"
#include "mdtc/sqlite.h"

namespace mdtc::cache::test {
namespace {

using sql::Db;
using sql::Stmt;

namespace fs = std::filesystem;

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void sql(const std::string& path, const std::string& statement) {
  Db db(path, SQLITE_OPEN_READWRITE);
  db.exec(statement);
}

class CacheStorage : public CacheTest {};

TEST_F(CacheStorage, NotesNamesAndHistoryAreNotStoredInClear) {
  {
    Cache c = open();
    ASSERT_TRUE(c.import_text(kExample, "a").ok());
  }
  std::string bytes = slurp(db);
  if (fs::exists(db + "-wal")) bytes += slurp(db + "-wal");
  ASSERT_NE(bytes.find("MAPLE"), std::string::npos);  // the address is in clear: the check can see text
  for (const char* secret : {"Legally owns rifles", "J. Doe", "Dr. A, 555-0100", "WELFARE CHECK", "RESOLVED ON SCENE"})
    EXPECT_EQ(bytes.find(secret), std::string::npos) << secret;
}

// Every flag shown writes an audit record. The log must start over once
// SQLite has checkpointed it, or it grows for as long as the plugin runs and
// every lookup searches all of it (it was 4 frames a record, without end).
TEST_F(CacheStorage, TheWriteAheadLogStaysBoundedWhileAuditRecordsAreWritten) {
  Cache c = open();
  ASSERT_TRUE(c.import_text(kExample, "a").ok());
  for (int i = 0; i < 3000; ++i) {
    ASSERT_TRUE(c.audit({"2A31", "officer", "I-" + std::to_string(i), {"F-1", "F-2"}}).ok());
    if (i % 100 == 0) (void)match(c, "1208 N MAPLE ST APT 3B, SPRINGFIELD IL");  // a reader comes and goes
  }
  // SQLite checkpoints every 1000 frames (4 KB pages): about 4 MB at most.
  EXPECT_LT(fs::file_size(audit_log_path(db) + "-wal"), 8u << 20);
}

TEST_F(CacheStorage, KeyFileIsCreatedOwnerOnly) {
  open();
  struct stat st {};
  ASSERT_EQ(::stat((db + ".key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_size, 32);
  ASSERT_EQ(::stat(db.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 077, 0u);
}

// The package's state directory (2770, setgid): the database and its WAL
// files are the group's to read and write, the key the group's to read, so
// the panel host of whichever officer is signed in opens what the vendor's
// host or another officer's session made. Exact whatever the umask.
TEST_F(CacheStorage, InAGroupSharedDirectoryTheCacheIs0660AndItsKey0640) {
  ASSERT_EQ(::chmod(dir.path().c_str(), 02770), 0);
  const mode_t old = ::umask(077);
  {
    Cache c = open();
    ASSERT_TRUE(c.import_text(kExample, "a").ok());
    struct stat st {};
    ASSERT_EQ(::stat(dir.path().c_str(), &st), 0);
    const gid_t group = st.st_gid;
    for (const std::string& f : {db, db + "-wal", db + "-shm"}) {
      if (!fs::exists(f)) continue;
      ASSERT_EQ(::stat(f.c_str(), &st), 0);
      EXPECT_EQ(st.st_mode & 07777, 0660u) << f;
      EXPECT_EQ(st.st_gid, group) << f;
    }
    ASSERT_EQ(::stat((db + ".key").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0640u);
  }
  ::umask(old);
  // Opened again: a group-readable key in its shared directory is accepted.
  OpenOptions o;
  o.db_path = db;
  o.create_if_missing = false;
  EXPECT_TRUE(Cache::open(o).ok());
  // The same key in a directory closed to its group is refused.
  ASSERT_EQ(::chmod(dir.path().c_str(), 0700), 0);
  auto refused = Cache::open(o);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "cache.key_permissions");
}

TEST_F(CacheStorage, KeyFileReadableByOthersIsRefused) {
  open();
  ::chmod((db + ".key").c_str(), 0644);
  OpenOptions o;
  o.db_path = db;
  auto c = Cache::open(o);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, "cache.key_permissions");
  EXPECT_NE(c.error().message.find("0644"), std::string::npos);
}

TEST_F(CacheStorage, WrongKeyIsRefused) {
  open();
  const std::string other = dir.file("other.key");
  ASSERT_TRUE(load_or_create_key(other, true).ok());
  OpenOptions o;
  o.db_path = db;
  o.key_path = other;
  auto c = Cache::open(o);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, "cache.key_mismatch");
}

// A cache a later build migrated (an MDT rolled back): neither read nor
// written, and said so, instead of flags read through a layout this build
// does not know. The file is left as it was.
TEST_F(CacheStorage, ACacheFromALaterSchemaIsRefusedAndLeftAlone) {
  {
    Cache c = open();
    ASSERT_TRUE(c.import_text(kExample, "a").ok());
  }
  sql(db, "INSERT INTO schema_version VALUES(" + std::to_string(kSchemaVersion + 1) + ", '2030-01-01T00:00:00Z')");
  for (const bool read_only : {false, true}) {
    OpenOptions o;
    o.db_path = db;
    o.read_only = read_only;
    auto c = Cache::open(o);
    ASSERT_FALSE(c.ok()) << read_only;
    EXPECT_EQ(c.error().code, "cache.schema_newer") << read_only;
    EXPECT_NE(c.error().message.find("schema " + std::to_string(kSchemaVersion + 1)), std::string::npos)
        << c.error().message;
  }
  Db after(db, SQLITE_OPEN_READONLY);
  EXPECT_EQ(schema_version(after), kSchemaVersion + 1);
  Stmt flags(after, "SELECT count(*) FROM flags");
  flags.step();
  EXPECT_EQ(flags.integer(0), 3);
}

TEST_F(CacheStorage, MissingDatabaseWithoutCreateIsAnError) {
  OpenOptions o;
  o.db_path = db;
  o.create_if_missing = false;
  auto c = Cache::open(o);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, "cache.missing");
  EXPECT_FALSE(fs::exists(db));
}

TEST_F(CacheStorage, CorruptFileIsMovedAsideAndAnswersUnavailable) {
  {
    Cache c = open();
    ASSERT_TRUE(c.import_text(kExample, "a").ok());
  }
  fs::remove(db + "-wal");
  fs::remove(db + "-shm");
  {
    std::ofstream garbage(db, std::ios::binary | std::ios::trunc);
    for (int i = 0; i < 4096; ++i) garbage.put(static_cast<char>((i * 7919) & 0xff));
  }
  Cache c = open();
  const MatchResult m = match(c, "1208 N MAPLE ST APT 3B, SPRINGFIELD IL");
  EXPECT_EQ(m.freshness, Freshness::unavailable);
  EXPECT_NE(m.unavailable_reason.find(".corrupt-"), std::string::npos) << m.unavailable_reason;
  bool moved = false;
  for (const auto& e : fs::directory_iterator(dir.path()))
    moved |= e.path().filename().string().rfind("flags.db.corrupt-", 0) == 0;
  EXPECT_TRUE(moved);
  EXPECT_FALSE(c.stats()->recovered_from.empty());
  // The next sync restores service.
  ASSERT_TRUE(c.import_text(kExample, "a").ok());
  EXPECT_EQ(match(c, "1208 N MAPLE ST APT 3B, SPRINGFIELD IL").freshness, Freshness::fresh);
}

TEST_F(CacheStorage, DatabaseBrokenUnderneathAnswersUnavailableNotEmpty) {
  Cache c = open();
  ASSERT_TRUE(c.import_text(kExample, "a").ok());
  sql(db, "DROP TABLE premise_rows");
  const MatchResult m = match(c, "1208 N MAPLE ST APT 3B, SPRINGFIELD IL");
  EXPECT_EQ(m.freshness, Freshness::unavailable);
  EXPECT_FALSE(m.unavailable_reason.empty());
}

TEST_F(CacheStorage, OpensAndAnswersWhileAnotherProcessHoldsTheWriteLock) {
  {
    Cache c = open();
    ASSERT_TRUE(c.import_text(kExample, "a").ok());
  }
  Db other(db, SQLITE_OPEN_READWRITE);
  other.exec("BEGIN IMMEDIATE");
  other.exec("INSERT INTO meta VALUES('held', 'by another importer')");
  Cache c = open();
  EXPECT_EQ(match(c, "1208 N MAPLE ST APT 3B, SPRINGFIELD IL").flags.size(), 3u);
  other.exec("ROLLBACK");
}

TEST_F(CacheStorage, ImportHandsTheWalBack) {
  // A snapshot's WAL is as large as the cache; it must not stay on disk,
  // nor keep serving lookups, once the import is in the file.
  Cache c = open();
  ASSERT_TRUE(c.import_text(kExample, "a").ok());
  ASSERT_TRUE(fs::exists(db + "-wal"));
  // What stays is the few frames kept for recording a rejection on a full disk.
  EXPECT_LE(fs::file_size(db + "-wal"), 32u * 1024);
  EXPECT_EQ(match(c, "1208 N MAPLE ST APT 3B, SPRINGFIELD IL").flags.size(), 3u);
}

TEST_F(CacheStorage, OldSyncIsStale) {
  Cache c = open();
  ASSERT_TRUE(c.import_text(kExample, "a").ok());
  // Read once first: the lookup keeps the sync time between calls and must
  // notice another connection changing it.
  ASSERT_EQ(match(c, "1208 N MAPLE ST APT 3B, SPRINGFIELD IL").freshness, Freshness::fresh);
  sql(db, "UPDATE meta SET value = CAST(value AS INTEGER) - 90000 WHERE key = 'last_sync'");
  const MatchResult m = match(c, "1208 N MAPLE ST APT 3B, SPRINGFIELD IL");
  EXPECT_EQ(m.freshness, Freshness::stale);
  ASSERT_TRUE(m.age_s);
  EXPECT_GE(*m.age_s, 90000);
  EXPECT_EQ(m.flags.size(), 3u);  // stale still shows what it knows
}

TEST_F(CacheStorage, VersionOneDatabaseIsUpgraded) {
  ASSERT_TRUE(load_or_create_key(db + ".key", true).ok());
  {
    Db v1(db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    migrate(v1, 1);
    ASSERT_EQ(schema_version(v1), 1);
    v1.exec("INSERT INTO premises(id, display, hno, name, lat, lon) VALUES('P-OLD','5 ELM ST','5','ELM',39.0,-89.0)");
  }
  Cache c = open();
  EXPECT_EQ(c.stats()->schema_version, kSchemaVersion);
  const MatchResult m = match(c, "", 39.0001, -89.0);
  EXPECT_EQ(m.level, MatchLevel::nearby);
  ASSERT_EQ(m.premises.size(), 1u);
  EXPECT_EQ(m.premises[0].id, "P-OLD");
}

// A cache written by schema `from` (2 or 3: the same columns for these
// rows), with rows sealed the way that version sealed them, opens upgraded
// to the current schema with every value readable.
void upgrade_keeps_rows_readable(int from, const std::string& db) {
  SCOPED_TRACE("from schema " + std::to_string(from));
  auto key = load_or_create_key(db + ".key", true);
  ASSERT_TRUE(key.ok());
  {
    Db v2(db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    migrate(v2, from);
    ASSERT_EQ(schema_version(v2), from);
    // Rows as a version 2 or 3 cache wrote them, sealed with the cache's key.
    FieldCipher cipher(*key);
    v2.exec("INSERT INTO premises(id, display, hno, predir, name, type, city, state, lat, lon) VALUES"
            "('P-1','1208 N MAPLE ST, SPRINGFIELD IL','1208','N','MAPLE','ST','SPRINGFIELD','IL',39.8012,-89.6437)");
    Stmt s(v2, "INSERT INTO subjects VALUES('S-1', ?1, ?2)");
    s.bind_blob(1, cipher.seal("J. Doe", "subjects.name:S-1")).bind_blob(2, cipher.seal("1990", "subjects.born:S-1"));
    s.run();
    Stmt f(v2, "INSERT INTO flags(id, subject_id, premise_id, kind, code, note, audience) VALUES(?1,'S-1','P-1',?2,?3,?4,'all')");
    f.bind(1, "F-1").bind(2, "safety").bind(3, "WEAPONS").bind_blob(4, cipher.seal("Legally owns rifles", "flags.note:F-1"));
    f.run();
    f.bind(1, "F-2").bind(2, "care").bind(3, "AUTISM").bind_blob(4, cipher.seal("Calm voice", "flags.note:F-2"));
    f.run();
    Stmt h(v2, "INSERT INTO history VALUES('P-1','I-7','2099-01-01T00:00:00Z',?1,?2)");
    h.bind_blob(1, cipher.seal("WELFARE CHECK", "history:P-1:I-7:call_type"))
        .bind_blob(2, cipher.seal("RESOLVED", "history:P-1:I-7:disposition"));
    h.run();
    // A value altered on disk (sealed for another row) stays unreadable.
    Stmt h2(v2, "INSERT INTO history VALUES('P-1','I-8','2098-01-01T00:00:00Z',?1,?2)");
    h2.bind_blob(1, cipher.seal("TRAFFIC STOP", "history:P-1:I-7:call_type"))
        .bind_blob(2, cipher.seal("CITED", "history:P-1:I-8:disposition"));
    h2.run();
    v2.exec("INSERT INTO meta VALUES('last_sync', strftime('%s','now'))");
  }
  OpenOptions o;
  o.db_path = db;
  auto opened = Cache::open(o);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  Cache& c = *opened;
  EXPECT_EQ(c.stats()->schema_version, kSchemaVersion);
  EXPECT_EQ(c.stats()->flags, 2);
  AddressQuery by_text;
  by_text.address = "1208 N Maple Street, Springfield IL";
  const MatchResult m = c.match(by_text);
  EXPECT_EQ(m.level, MatchLevel::exact);
  ASSERT_EQ(m.flags.size(), 2u);
  EXPECT_EQ(m.flags[0].id, "F-1");
  EXPECT_EQ(m.flags[0].note, "Legally owns rifles");
  EXPECT_EQ(m.flags[1].note, "Calm voice");
  ASSERT_EQ(m.subjects.size(), 1u);
  EXPECT_EQ(m.subjects[0].name, "J. Doe");
  ASSERT_EQ(m.history.size(), 2u);
  EXPECT_EQ(m.history[0].incident, "I-7");
  EXPECT_EQ(m.history[0].call_type, "WELFARE CHECK");
  EXPECT_EQ(m.history[0].disposition, "RESOLVED");
  EXPECT_EQ(m.history[1].incident, "I-8");
  EXPECT_EQ(m.history[1].call_type, "[unreadable]");
  AddressQuery by_position;
  by_position.lat = 39.8013;
  by_position.lon = -89.6437;
  EXPECT_EQ(c.match(by_position).level, MatchLevel::nearby);
  // Ids stay unique after the upgrade, and tombstones still cascade.
  ASSERT_TRUE(c.import_text(R"({"type":"delete","id":"S-1"})", "d", {.legacy = true}).ok());
  EXPECT_EQ(c.stats()->flags, 0);
  EXPECT_TRUE(c.verify().ok());
}

TEST_F(CacheStorage, VersionTwoDatabaseIsUpgradedWithItsRowsReadable) { upgrade_keeps_rows_readable(2, db); }

TEST_F(CacheStorage, VersionThreeDatabaseIsUpgradedWithItsRowsReadable) {
  upgrade_keeps_rows_readable(3, dir.file("v3.db"));
}

// Schema 8 merged the flags and history tables into premise_rows. A cache
// written by schema 7 keeps every row readable, its counts and uniqueness,
// and a delta afterwards moves counts through the new triggers.
TEST_F(CacheStorage, VersionSevenDatabaseMergesFlagsAndHistoryKeepingEveryRow) {
  auto key = load_or_create_key(db + ".key", true);
  ASSERT_TRUE(key.ok());
  {
    Db v7(db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    FieldCipher cipher(*key);
    migrate(v7, 7, &cipher);
    ASSERT_EQ(schema_version(v7), 7);
    v7.exec("INSERT INTO premises(id, display, hno, predir, name, type, city, state) VALUES"
            "('P-1','1208 N MAPLE ST, SPRINGFIELD IL','1208','N','MAPLE','ST','SPRINGFIELD','IL'),"
            "('P-2','14 OAK AVE, SPRINGFIELD IL','14','','OAK','AVE','SPRINGFIELD','IL')");
    Stmt s(v7, "INSERT INTO subjects VALUES('S-1', ?1, ?2)");
    s.bind_blob(1, cipher.seal("J. Doe", "subjects.name:S-1")).bind_blob(2, cipher.seal("1990", "subjects.born:S-1"));
    s.run();
    Stmt f(v7, "INSERT INTO flags(premise_id, id, subject_id, kind, code, note, audience, expires) "
               "VALUES(?1,?2,?3,?4,?5,?6,'all',?7)");
    f.bind(1, "P-1").bind(2, "F-1").bind(3, "S-1").bind(4, "safety").bind(5, "WEAPONS")
        .bind_blob(6, cipher.seal("Legally owns rifles", "flags.note:F-1")).bind_null(7);
    f.run();
    f.bind(1, "P-1").bind(2, "F-2").bind_null(3).bind(4, "care").bind(5, "AUTISM")
        .bind_blob(6, cipher.seal("Calm voice", "flags.note:F-2")).bind(7, "2099-01-01");
    f.run();
    f.bind(1, "P-2").bind(2, "F-3").bind_null(3).bind(4, "safety").bind(5, "DOG")
        .bind_blob(6, cipher.seal("Large dog", "flags.note:F-3")).bind_null(7);
    f.run();
    std::string aad;
    Stmt h(v7, "INSERT INTO history(premise_id, incident, at, detail) VALUES('P-1',?1,?2,?3)");
    for (const auto& [incident, at] : {std::pair{"I-7", "2099-01-01T00:00:00Z"}, {"I-8", "2098-01-01T00:00:00Z"}}) {
      history_aad(aad, "P-1", incident);
      h.bind(1, incident).bind(2, at).bind_blob(3, cipher.seal(encode_history_detail("WELFARE CHECK", "RESOLVED"), aad));
      h.run();
    }
    v7.exec("INSERT INTO meta VALUES('last_sync', strftime('%s','now')), ('snapshot_version', '1'), "
            "('registry_version', '1')");
  }
  OpenOptions o;
  o.db_path = db;
  auto opened = Cache::open(o);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  Cache& c = *opened;
  {
    Db raw(db, SQLITE_OPEN_READONLY);
    EXPECT_EQ(schema_version(raw), 8);
    Stmt kinds(raw, "SELECT name || ' ' || type FROM sqlite_master WHERE name IN ('flags','history','premise_rows') "
                    "ORDER BY name");
    std::vector<std::string> got;
    while (kinds.step()) got.push_back(kinds.text(0));
    EXPECT_EQ(got, (std::vector<std::string>{"flags view", "history view", "premise_rows table"}));
  }
  EXPECT_EQ(c.stats()->flags, 3);
  EXPECT_EQ(c.stats()->history, 2);
  EXPECT_TRUE(c.verify().ok());
  AddressQuery q;
  q.address = "1208 N Maple Street, Springfield IL";
  MatchResult m = c.match(q);
  ASSERT_EQ(m.flags.size(), 2u);
  EXPECT_EQ(m.flags[0].note, "Legally owns rifles");
  EXPECT_EQ(m.flags[1].note, "Calm voice");
  EXPECT_EQ(m.flags[1].expires, "2099-01-01");
  ASSERT_EQ(m.subjects.size(), 1u);
  EXPECT_EQ(m.subjects[0].name, "J. Doe");
  ASSERT_EQ(m.history.size(), 2u);
  EXPECT_EQ(m.history[0].incident, "I-7");
  EXPECT_EQ(m.history[0].call_type, "WELFARE CHECK");
  // A delta: F-1 changes code, F-3 moves to P-1, a history row joins, F-2
  // is deleted. Counts move through the new triggers; ids stay unique.
  const std::string delta =
      R"({"type":"header","mode":"delta","version":2,"base":1})" "\n"
      R"({"type":"flag","id":"F-1","premise":"P-1","kind":"safety","code":"VIOLENCE","audience":"all"})" "\n"
      R"({"type":"flag","id":"F-3","premise":"P-1","kind":"safety","code":"DOG","audience":"all"})" "\n"
      R"({"type":"history","premise":"P-2","incident":"I-9","at":"2099-02-01T00:00:00Z","call_type":"ALARM","disposition":"FALSE"})" "\n"
      R"({"type":"delete","id":"F-2"})" "\n";
  auto applied = c.import_text(*complete_registry_file(delta), "d.jsonl");
  ASSERT_TRUE(applied.ok()) << applied.error().message;
  EXPECT_EQ(c.stats()->flags, 2);
  EXPECT_EQ(c.stats()->history, 3);
  EXPECT_TRUE(c.verify().ok());
  m = c.match(q);
  std::vector<std::string> ids;
  for (const auto& flag : m.flags) ids.push_back(flag.id + " " + flag.code);
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (std::vector<std::string>{"F-1 VIOLENCE", "F-3 DOG"}));
  q.address = "14 Oak Ave, Springfield IL";
  m = c.match(q);
  EXPECT_TRUE(m.flags.empty());
  ASSERT_EQ(m.history.size(), 1u);
  EXPECT_EQ(m.history[0].call_type, "ALARM");
}

TEST_F(CacheStorage, VersionTwoDatabaseWithTheWrongKeyIsRefusedBeforeAnyUpgrade) {
  auto key = load_or_create_key(db + ".key", true);
  ASSERT_TRUE(key.ok());
  {
    Db v2(db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    migrate(v2, 2);
    // The key check a version 2 cache recorded when it was created.
    static const char* hex = "0123456789abcdef";
    std::string h;
    for (unsigned char b : FieldCipher(*key).seal("mdt-coresponder cache key check", "meta.key_check")) {
      h += hex[b >> 4];
      h += hex[b & 15];
    }
    v2.exec("INSERT INTO meta VALUES('key_check', '" + h + "')");
  }
  fs::remove(db + ".key");
  ASSERT_TRUE(load_or_create_key(db + ".key", true).ok());  // another key
  OpenOptions o;
  o.db_path = db;
  auto c = Cache::open(o);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, "cache.key_mismatch");
  Db after(db, SQLITE_OPEN_READWRITE);
  EXPECT_EQ(schema_version(after), 2);  // nothing was re-sealed with the wrong key
}

// What a snapshot drops and builds again must come back exactly as the
// migrations define it, or a later open would see a schema no step made.
TEST_F(CacheStorage, SnapshotLeavesTheSchemaAsTheMigrationsMadeIt) {
  auto schema_of = [](const std::string& path) {
    Db d(path, SQLITE_OPEN_READWRITE);
    Stmt q(d, "SELECT type || ' ' || name || ': ' || coalesce(sql, '') FROM sqlite_master ORDER BY type, name");
    std::vector<std::string> rows;
    while (q.step()) rows.push_back(q.text(0));
    return rows;
  };
  {
    Cache fresh = open();
  }
  const auto before = schema_of(db);
  {
    Cache c = open();
    ASSERT_TRUE(c.import_text(kExample, "a.jsonl").ok());
  }
  EXPECT_EQ(schema_of(db), before);
  EXPECT_NE(std::find_if(before.begin(), before.end(),
                         [](const std::string& r) { return r.rfind("trigger premise_geo_ins", 0) == 0; }),
            before.end());
  EXPECT_NE(std::find_if(before.begin(), before.end(),
                         [](const std::string& r) { return r.rfind("trigger flags_count_ins", 0) == 0; }),
            before.end());
}

TEST_F(CacheStorage, PurgeDeletesExpiredAndUnvalidatedFlags) {
  Cache c = open();
  ASSERT_TRUE(c.import_text(kExample, "a").ok());
  ASSERT_TRUE(c.import_text(R"({"type":"flag","id":"F-X","premise":"P-2","kind":"safety","code":"DOG","audience":"all","expires":"2099-01-01"}
{"type":"flag","id":"F-V","premise":"P-2","kind":"care","code":"DEMENTIA","audience":"all","validated":"2001-01-01"}
{"type":"flag","id":"F-W","premise":"P-2","kind":"care","code":"AUTISM","audience":"all"}
)", "b", {.legacy = true}).ok());
  EXPECT_EQ(c.stats()->flags, 5) << "F-V arrived lapsed and is not kept";
  lapse_flag(db, "F-X");
  lapse_flag(db, "F-W", "validated");
  auto n = c.purge();
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 2);
  EXPECT_EQ(c.stats()->flags, 3);
}

TEST_F(CacheStorage, PurgeRunsOnOpen) {
  {
    Cache c = open();
    ASSERT_TRUE(c.import_text(kExample, "a").ok());
    ASSERT_TRUE(c.import_text(R"({"type":"flag","id":"F-X","premise":"P-2","kind":"safety","code":"DOG","audience":"all","expires":"2099-01-01"})", "b", {.legacy = true}).ok());
    EXPECT_EQ(c.stats()->flags, 4);
    lapse_flag(db, "F-X");
  }
  Cache c = open();
  EXPECT_EQ(c.stats()->flags, 3);
}

// Found from outside: a laptop whose clock ran 30 h ahead opened the cache,
// and the purge deleted a flag still in force; back at the right time, no
// panel, and the sync said "current". A purge now counts time only up to
// the last word from the registry.
TEST_F(CacheStorage, APurgeDeletesNothingThatLapsedAfterTheLastSync) {
  {
    Cache c = open();
    ASSERT_TRUE(c.import_text(kExample, "a").ok());
  }
  const int64_t now = now_unix();
  {
    sql::Db raw(db, SQLITE_OPEN_READWRITE);
    // The last sync three days ago; F-1 expired two days ago, after it.
    raw.exec("UPDATE meta SET value = '" + std::to_string(now - 3 * 86400) + "' WHERE key = 'last_sync'");
    raw.exec("UPDATE premise_rows SET expires = '" + iso_date_utc(now - 2 * 86400) + "' WHERE id = 'F-1'");
  }
  Cache c = open();  // purges on open
  EXPECT_EQ(c.stats()->flags, 3) << "kept on disk";
  EXPECT_EQ(flag_ids(match(c, "1208 N MAPLE ST APT 3B, SPRINGFIELD IL")), (std::vector<std::string>{"F-2", "F-3"}))
      << "and hidden by today's date";
  auto n = c.purge();
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0);
  ASSERT_TRUE(c.mark_synced().ok());  // the registry says, now, that the cache is current
  n = c.purge();
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1);
  EXPECT_EQ(c.stats()->flags, 2);
}

// The clock reads before the last sync: the cache's age cannot be told
// (it read as fresh, never going stale), and a purge or import under the
// clock that was ahead may have deleted flags in force: a snapshot brings
// them back.
TEST_F(CacheStorage, ALastSyncAheadOfTheClockIsStaleAndAsksForASnapshot) {
  Cache c = open();
  ASSERT_TRUE(c.import_text(kExample, "a").ok());
  EXPECT_FALSE(c.wants_snapshot());
  {
    sql::Db raw(db, SQLITE_OPEN_READWRITE);
    raw.exec("UPDATE meta SET value = '" + std::to_string(now_unix() + 30 * 3600) + "' WHERE key = 'last_sync'");
  }
  const MatchResult m = match(c, "1208 N MAPLE ST APT 3B, SPRINGFIELD IL");
  EXPECT_EQ(m.freshness, Freshness::stale);
  EXPECT_EQ(m.stale_reason, kClockBehindWords);
  EXPECT_FALSE(m.age_s.has_value());
  EXPECT_EQ(m.flags.size(), 3u) << "the flags still show";
  EXPECT_TRUE(c.wants_snapshot());
  ASSERT_TRUE(c.import_text(kExample, "again").ok());  // the snapshot the sync asks for
  EXPECT_FALSE(c.wants_snapshot());
  const MatchResult after = match(c, "1208 N MAPLE ST APT 3B, SPRINGFIELD IL");
  EXPECT_EQ(after.freshness, Freshness::fresh);
  EXPECT_EQ(after.stale_reason, "");
}

// A few minutes between the registry's word and this clock is not a wrong clock.
TEST_F(CacheStorage, ALastSyncMinutesAheadIsStillFresh) {
  Cache c = open();
  ASSERT_TRUE(c.import_text(kExample, "a").ok());
  {
    sql::Db raw(db, SQLITE_OPEN_READWRITE);
    raw.exec("UPDATE meta SET value = '" + std::to_string(now_unix() + 300) + "' WHERE key = 'last_sync'");
  }
  EXPECT_EQ(match(c, "1208 N MAPLE ST APT 3B, SPRINGFIELD IL").freshness, Freshness::fresh);
  EXPECT_FALSE(c.wants_snapshot());
}

TEST_F(CacheStorage, AuditChainVerifies) {
  Cache c = open();
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(c.audit({"2A31", "officer" + std::to_string(i), "I-" + std::to_string(i), {"F-1", "F-2"}}).ok());
  EXPECT_TRUE(c.verify().ok());
  EXPECT_EQ(c.stats()->audit_records, 5);
}

TEST_F(CacheStorage, AlteredAuditRecordIsFound) {
  Cache c = open();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(c.audit({"2A31", "u", "I-" + std::to_string(i), {"F-1"}}).ok());
  sql(audit_log_path(db), "UPDATE audit SET user = 'someone else' WHERE seq = 3");
  auto v = c.verify();
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code, "cache.audit_broken");
  EXPECT_NE(v.error().message.find("audit record 3"), std::string::npos) << v.error().message;
}

TEST_F(CacheStorage, RemovedAuditRecordIsFound) {
  Cache c = open();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(c.audit({"2A31", "u", "I-" + std::to_string(i), {"F-1"}}).ok());
  sql(audit_log_path(db), "DELETE FROM audit WHERE seq = 2");
  auto v = c.verify();
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.error().message.find("audit record 3"), std::string::npos) << v.error().message;
}

TEST_F(CacheStorage, TruncatedAuditTailIsFound) {
  Cache c = open();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(c.audit({"2A31", "u", "I-" + std::to_string(i), {"F-1"}}).ok());
  sql(audit_log_path(db), "DELETE FROM audit WHERE seq = 5");
  EXPECT_FALSE(c.verify().ok());
}

TEST_F(CacheStorage, CiphertextMovedToAnotherRowDoesNotDecrypt) {
  Cache c = open();
  ASSERT_TRUE(c.import_text(kExample, "a").ok());
  sql(db, "UPDATE premise_rows SET note = (SELECT note FROM flags WHERE id = 'F-3') WHERE rec = 0 AND id = 'F-2'");
  const MatchResult m = match(c, "1208 N MAPLE ST APT 3B, SPRINGFIELD IL");
  for (const auto& f : m.flags) {
    if (f.id == "F-2") {
      EXPECT_EQ(f.note, "[note unreadable]");
    }
  }
  EXPECT_EQ(m.flags.size(), 3u);  // the flag itself is still shown
}

class FieldCipherEngines : public ::testing::TestWithParam<FieldCipher::Engine> {};

TEST_P(FieldCipherEngines, RoundTripAndTamper) {
  Key k{};
  k[0] = 1;
  FieldCipher cipher(k, GetParam());
  Bytes sealed = cipher.seal("calm with low voice", "flags.note:F-1");
  EXPECT_EQ(cipher.open(sealed, "flags.note:F-1"), std::optional<std::string>("calm with low voice"));
  EXPECT_EQ(cipher.open(sealed, "flags.note:F-2"), std::nullopt);
  Bytes tag_changed = sealed;
  tag_changed.back() ^= 1;
  EXPECT_EQ(cipher.open(tag_changed, "flags.note:F-1"), std::nullopt);
  Bytes short_one(sealed.begin(), sealed.begin() + 28);  // version, nonce, 15 bytes of tag
  EXPECT_EQ(cipher.open(short_one, "flags.note:F-1"), std::nullopt);
  sealed[20] ^= 1;
  EXPECT_EQ(cipher.open(sealed, "flags.note:F-1"), std::nullopt);
  EXPECT_NE(cipher.seal("x", "a"), cipher.seal("x", "a"));  // fresh nonce each time
  EXPECT_EQ(cipher.open(cipher.seal("", "subjects.born:S-1"), "subjects.born:S-1"), std::optional<std::string>(""));
}

INSTANTIATE_TEST_SUITE_P(BothEngines, FieldCipherEngines,
                         ::testing::Values(FieldCipher::Engine::fastest, FieldCipher::Engine::portable),
                         [](const ::testing::TestParamInfo<FieldCipher::Engine>& param) {
                           return param.param == FieldCipher::Engine::fastest ? "fastest" : "portable";
                         });

// A cache sealed by one engine opens under the other: a laptop whose CPU
// lacks AES instructions, or a cache written before the faster engine,
// reads the same bytes. A wrong key opens nothing under either.
TEST(FieldCipher, EitherEngineOpensWhatTheOtherSealed) {
  Key k{};
  for (std::size_t i = 0; i < k.size(); ++i) k[i] = static_cast<unsigned char>(i * 7 + 3);
  FieldCipher fast(k, FieldCipher::Engine::fastest), portable(k, FieldCipher::Engine::portable);
  std::string text;
  for (int n = 0; n < 300; n += 37) {
    text.assign(static_cast<std::size_t>(n), 'a');
    for (std::size_t i = 0; i < text.size(); ++i) text[i] = static_cast<char>('a' + i % 26);
    const std::string aad = "history:P-1:I-" + std::to_string(n);
    EXPECT_EQ(portable.open(fast.seal(text, aad), aad), std::optional<std::string>(text)) << n;
    EXPECT_EQ(fast.open(portable.seal(text, aad), aad), std::optional<std::string>(text)) << n;
  }
  Key other = k;
  other[31] ^= 1;
  const Bytes sealed = fast.seal("Legally owns rifles", "flags.note:F-1");
  EXPECT_EQ(FieldCipher(other, FieldCipher::Engine::fastest).open(sealed, "flags.note:F-1"), std::nullopt);
  EXPECT_EQ(FieldCipher(other, FieldCipher::Engine::portable).open(sealed, "flags.note:F-1"), std::nullopt);
}

}  // namespace
}  // namespace mdtc::cache::test
