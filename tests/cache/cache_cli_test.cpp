// `mdt-coresponder cache ...` run as fleet IT runs it: the built binary on a
// fresh path, JSON on stdout, exit codes.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>

#include "cache_fixture.h"
#include "child_process.h"

namespace mdtc::cache::test {
namespace {

struct CliRun {
  int exit_code = -1;
  std::string output;
};

class CacheCli : public CacheTest {
 protected:
  CliRun cli(std::vector<std::string> args) {
    args.insert(args.begin(), MDTC_BINARY_DIR "/cli/mdt-coresponder");
    const std::string out = dir.file("cli-output.txt");
    std::remove(out.c_str());
    mdtc::test::ChildProcess child(args, out);
    auto status = child.wait_for_exit(std::chrono::seconds(60));
    CliRun r;
    r.exit_code = status ? *status : child.terminate();
    r.output = mdtc::test::read_file(out);
    return r;
  }
  // stdout and stderr share the file; the JSON document is the part in braces.
  static Poco::JSON::Object::Ptr json(const std::string& output) {
    const auto a = output.find('{');
    const auto b = output.rfind('}');
    if (a == std::string::npos || b == std::string::npos) return nullptr;
    Poco::JSON::Parser p;
    return p.parse(output.substr(a, b - a + 1)).extract<Poco::JSON::Object::Ptr>();
  }
  std::string registry() {
    const std::string path = dir.file("registry.jsonl");
    mdtc::test::write_file(path, kExample);
    return path;
  }
};

TEST_F(CacheCli, ImportThenMatchOnAFreshPath) {
  auto imp = cli({"cache", "import", registry(), "--db", db});
  ASSERT_EQ(imp.exit_code, 0) << imp.output;
  EXPECT_EQ(json(imp.output)->getValue<int>("flags"), 3);
  // Premises no text lookup finds are counted (none here).
  for (const char* count : {"coordinates_only", "corners", "unfindable"})
    EXPECT_EQ(json(imp.output)->getValue<int>(count), 0) << count;
  struct stat st {};
  ASSERT_EQ(::stat((db + ".key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  auto m = cli({"cache", "match", "1208 n. maple street #3b, springfield il", "--db", db});
  ASSERT_EQ(m.exit_code, 0) << m.output;
  auto o = json(m.output);
  EXPECT_EQ(o->getValue<std::string>("level"), "exact");
  EXPECT_EQ(o->getValue<std::string>("freshness"), "fresh");
  EXPECT_EQ(o->getArray("premises")->getObject(0)->getValue<std::string>("id"), "P-1");
  EXPECT_EQ(o->getArray("flags")->size(), 3u);
  EXPECT_EQ(o->getArray("flags")->getObject(0)->getValue<std::string>("code"), "WEAPONS");
  EXPECT_FALSE(o->has("address_rules_problem")) << m.output;
}

// Premises read under other address rules: a "none" there may be the rules',
// and whoever looks an address up by hand is told so with the answer.
TEST_F(CacheCli, MatchOnACacheReadUnderOtherAddressRulesSaysSo) {
  ASSERT_EQ(cli({"cache", "import", registry(), "--db", db}).exit_code, 0);
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw, "UPDATE meta SET value = '9' WHERE key = 'address_rules'", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(raw);
  auto m = cli({"cache", "match", "77 NOWHERE RD, SPRINGFIELD IL", "--db", db});
  ASSERT_EQ(m.exit_code, 0) << m.output;
  auto o = json(m.output);
  EXPECT_EQ(o->getValue<std::string>("level"), "none");
  EXPECT_EQ(o->getValue<std::string>("address_rules_problem"), address_rules_problem("9"));
}

TEST_F(CacheCli, VerifyChecksTheKeptCountsAndExitsOneWhenTheyDrift) {
  ASSERT_EQ(cli({"cache", "import", registry(), "--db", db}).exit_code, 0);
  auto good = cli({"cache", "verify", "--db", db});
  ASSERT_EQ(good.exit_code, 0) << good.output;
  EXPECT_EQ(json(good.output)->getValue<std::string>("counts"), "ok");
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw, "UPDATE row_counts SET n = 9 WHERE tbl = 'premises'", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(raw);
  EXPECT_EQ(json(cli({"cache", "stats", "--db", db}).output)->getValue<int>("premises"), 9);  // what is kept
  auto bad = cli({"cache", "verify", "--db", db});
  EXPECT_EQ(bad.exit_code, 1) << bad.output;
  EXPECT_EQ(json(bad.output)->getValue<std::string>("error"), "cache.counts_mismatch");
  EXPECT_NE(bad.output.find("kept count of premises is 9 but the table holds 2 rows"), std::string::npos)
      << bad.output;
}

// An MDT rolled back to this build with a cache a later one migrated: the
// admin is told which and how to go on, and the import does not write into it.
TEST_F(CacheCli, ACacheFromALaterBuildNamesTheWayOn) {
  ASSERT_EQ(cli({"cache", "import", registry(), "--db", db}).exit_code, 0);
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw, "INSERT INTO schema_version VALUES(99, '2030-01-01T00:00:00Z')", nullptr, nullptr,
                         nullptr),
            SQLITE_OK);
  sqlite3_close(raw);
  for (const char* command : {"stats", "verify"}) {
    auto r = cli({"cache", command, "--db", db});
    EXPECT_NE(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("cache.schema_newer"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("cache reset --db " + db), std::string::npos) << r.output;
  }
  auto imp = cli({"cache", "import", registry(), "--db", db});
  EXPECT_NE(imp.exit_code, 0) << imp.output;
  EXPECT_NE(imp.output.find("schema 99"), std::string::npos) << imp.output;
}

TEST_F(CacheCli, MatchByCoordinatesIsNearby) {
  ASSERT_EQ(cli({"cache", "import", registry(), "--db", db}).exit_code, 0);
  auto m = cli({"cache", "match", "77 NOWHERE RD", "--db", db, "--lat", "39.8013", "--lon", "-89.6437"});
  ASSERT_EQ(m.exit_code, 0) << m.output;
  EXPECT_EQ(json(m.output)->getValue<std::string>("level"), "nearby");
}

TEST_F(CacheCli, MatchBelowExactPrintsWhyForTheAnswerAndEachPremise) {
  ASSERT_EQ(cli({"cache", "import", registry(), "--db", db}).exit_code, 0);
  auto m = cli({"cache", "match", "1208 N MAPLE ST APT 5C, SPRINGFIELD IL", "--db", db});
  ASSERT_EQ(m.exit_code, 0) << m.output;
  const auto o = json(m.output);
  EXPECT_EQ(o->getValue<std::string>("level"), "building");
  const auto reasons = o->getArray("reasons");
  ASSERT_TRUE(reasons) << m.output;
  ASSERT_EQ(reasons->size(), 1u) << m.output;
  EXPECT_EQ(reasons->getElement<std::string>(0), "other unit in this building");
  const auto premise = o->getArray("premises")->getObject(0);
  EXPECT_EQ(premise->getValue<std::string>("level"), "building");
  EXPECT_EQ(premise->getArray("reasons")->getElement<std::string>(0), "other unit in this building");
  auto exact = cli({"cache", "match", "1208 N MAPLE ST APT 3B, SPRINGFIELD IL", "--db", db});
  EXPECT_EQ(json(exact.output)->getArray("reasons")->size(), 0u) << exact.output;
}

// The issue's first case: CAD's community name, no comma, no state.
TEST_F(CacheCli, MatchKnowsTheCachesPlacesAndAliases) {
  ASSERT_EQ(cli({"cache", "import", registry(), "--db", db}).exit_code, 0);
  auto m = cli({"cache", "match", "17 OAK AVE SPRINGFIELD", "--db", db});
  ASSERT_EQ(m.exit_code, 0) << m.output;
  EXPECT_EQ(json(m.output)->getValue<std::string>("level"), "exact");
  EXPECT_EQ(json(cli({"cache", "match", "17 OAK AVE SPFLD", "--db", db}).output)->getValue<std::string>("level"),
            "none");
  auto aliased = cli({"cache", "match", "17 OAK AVE SPFLD", "--db", db, "--place-aliases", "SPFLD = SPRINGFIELD"});
  ASSERT_EQ(aliased.exit_code, 0) << aliased.output;
  EXPECT_EQ(json(aliased.output)->getValue<std::string>("level"), "exact");
  auto bad = cli({"cache", "match", "17 OAK AVE", "--db", db, "--place-aliases", "SPFLD"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.output.find("place_aliases"), std::string::npos) << bad.output;
}

TEST_F(CacheCli, BadFileIsRejectedWithFileAndLine) {
  const std::string bad = dir.file("bad.jsonl");
  mdtc::test::write_file(bad, "{\"type\":\"header\",\"mode\":\"snapshot\",\"version\":1}\n"
                              "{\"type\":\"premise\",\"id\":\"P-1\",\"address\":\"1 ELM ST\"}\n{oops\n");
  auto r = cli({"cache", "import", bad, "--db", db, "--legacy"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("bad.jsonl:3:"), std::string::npos) << r.output;
}

TEST_F(CacheCli, MatchOnNeverSyncedCacheSaysUnavailable) {
  auto m = cli({"cache", "match", "1208 N MAPLE ST", "--db", db});
  EXPECT_EQ(m.exit_code, 1);
  EXPECT_EQ(json(m.output)->getValue<std::string>("freshness"), "unavailable");
}

TEST_F(CacheCli, UnknownSubcommandIsAUsageError) {
  EXPECT_EQ(cli({"cache", "frobnicate", "--db", db}).exit_code, 2);
  EXPECT_EQ(cli({"cache", "stats", "--db", db, "--legacy"}).exit_code, 2) << "--legacy is for import";
}

// Issue 13.1, as reproduced: an empty file made a new cache "fresh" with no flags.
TEST_F(CacheCli, EmptyFileIsRefusedAndMatchSaysUnavailable) {
  const std::string empty = dir.file("empty.jsonl");
  mdtc::test::write_file(empty, "");
  auto imp = cli({"cache", "import", empty, "--db", db});
  EXPECT_EQ(imp.exit_code, 1) << imp.output;
  EXPECT_EQ(json(imp.output)->getValue<std::string>("error"), "registry.empty");
  EXPECT_FALSE(std::filesystem::exists(db)) << "a refused first import leaves no empty cache behind";
  EXPECT_FALSE(std::filesystem::exists(db + ".key"));
  EXPECT_FALSE(std::filesystem::exists(db + ".audit"));
  auto m = cli({"cache", "match", "1208 N Maple St Apt 3B, Springfield IL", "--db", db});
  EXPECT_EQ(m.exit_code, 1) << m.output;
  EXPECT_EQ(json(m.output)->getValue<std::string>("freshness"), "unavailable");
  EXPECT_EQ(cli({"cache", "import", dir.path(), "--db", db}).exit_code, 1) << "a directory is no registry file";
}

// Issue 13.2, as reproduced: `head -n 8 demo/registry.jsonl` wiped the demo cache.
TEST_F(CacheCli, CutDemoSnapshotIsRefusedAndTheFlagsStay) {
  const std::string demo = MDTC_SOURCE_DIR "/demo/registry.jsonl";
  ASSERT_EQ(cli({"cache", "import", demo, "--db", db}).exit_code, 0);
  ASSERT_EQ(cli({"cache", "purge", "--db", db}).exit_code, 0);  // the demo's expired flag, as any later open would
  const auto before = json(cli({"cache", "stats", "--db", db}).output);
  const std::string text = mdtc::test::read_file(demo);
  std::size_t end = 0;
  for (int i = 0; i < 8; ++i) end = text.find('\n', end) + 1;
  const std::string cut = dir.file("cut.jsonl");
  mdtc::test::write_file(cut, text.substr(0, end));
  auto imp = cli({"cache", "import", cut, "--db", db});
  EXPECT_EQ(imp.exit_code, 1);
  EXPECT_EQ(json(imp.output)->getValue<std::string>("error"), "registry.incomplete") << imp.output;
  const auto after = json(cli({"cache", "stats", "--db", db}).output);
  EXPECT_EQ(after->getValue<int>("flags"), before->getValue<int>("flags"));
  EXPECT_EQ(after->getValue<int>("history"), 2);
  EXPECT_NE(after->getValue<std::string>("last_reject").find("cut.jsonl"), std::string::npos);
}

// Issue 13.11: a typo in --db made an empty cache and a key and said ok.
TEST_F(CacheCli, LookingAtAMissingCacheCreatesNothing) {
  const std::string typo = dir.file("cahce.db");
  for (const char* sub : {"stats", "verify", "purge", "reset"}) {
    auto r = cli({"cache", sub, "--db", typo});
    EXPECT_EQ(r.exit_code, 1) << sub << ": " << r.output;
    EXPECT_NE(r.output.find("does not exist"), std::string::npos) << sub << ": " << r.output;
  }
  auto m = cli({"cache", "match", "1 ELM ST", "--db", typo});
  EXPECT_EQ(m.exit_code, 1);
  EXPECT_EQ(json(m.output)->getValue<std::string>("freshness"), "unavailable");
  for (const char* suffix : {"", ".key", "-wal", "-shm"})
    EXPECT_FALSE(std::filesystem::exists(typo + suffix)) << typo + suffix;
}

std::string file_bytes(const std::string& path) {
  return std::filesystem::exists(path) ? mdtc::test::read_file(path) : std::string("<absent>");
}

// Issue 15.1: looking at a live cache must not migrate, purge or write it.
TEST_F(CacheCli, LookingLeavesTheCacheFilesByteForByte) {
  // A flag lapsed since the import: a purge on open would delete it.
  ASSERT_EQ(cli({"cache", "import", MDTC_SOURCE_DIR "/demo/registry.jsonl", "--db", db}).exit_code, 0);
  lapse_flag(db, "F-1");
  // Another process holds the cache open meanwhile (as the plugin does), so the WAL stays.
  sqlite3* live = nullptr;
  ASSERT_EQ(sqlite3_open_v2(db.c_str(), &live, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(live, "SELECT count(*) FROM flags", nullptr, nullptr, nullptr), SQLITE_OK);
  const std::string db_before = file_bytes(db), wal_before = file_bytes(db + "-wal");
  const std::string config = dir.file("unit.ini");
  mdtc::test::write_file(config, "[unit]\nid = 2A31\nrole = patrol\n[cache]\ndb = " + db + "\nrevalidate_days = 1\n");
  EXPECT_EQ(cli({"cache", "stats", "--config", config}).exit_code, 0);
  EXPECT_EQ(cli({"cache", "verify", "--config", config}).exit_code, 0);
  EXPECT_EQ(cli({"cache", "match", "1208 N Maple St Apt 3B, Springfield IL", "--config", config}).exit_code, 0);
  cli({"doctor", "--config", config, "--timeout-s", "1"});
  EXPECT_EQ(file_bytes(db), db_before);
  EXPECT_EQ(file_bytes(db + "-wal"), wal_before);
  EXPECT_EQ(json(cli({"cache", "stats", "--db", db}).output)->getValue<int>("flags"), 6);
  sqlite3_close(live);
}

std::string days_ago(int days) {
  const std::time_t t = std::time(nullptr) - static_cast<std::time_t>(days) * 86400;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

// Issue 15.1: the CLI purged with 365 days whatever the car's config said.
TEST_F(CacheCli, ImportWithTheCarsConfigKeepsFlagsItsRevalidationAllows) {
  const std::string config = dir.file("unit.ini");
  mdtc::test::write_file(config, "[unit]\nid = 2A31\nrole = patrol\n[cache]\ndb = " + db + "\nrevalidate_days = 730\n");
  const std::string file = dir.file("registry.jsonl");
  mdtc::test::write_file(file, complete(R"({"type":"header","mode":"snapshot","version":1}
{"type":"premise","id":"P-1","address":"1208 N Maple St Apt 3B, Springfield IL"}
{"type":"flag","id":"F-1","premise":"P-1","kind":"safety","code":"WEAPONS","audience":"all"}
{"type":"flag","id":"F-2","premise":"P-1","kind":"care","code":"AUTISM","audience":"all","validated":")" +
                                        days_ago(500) + R"("}
)"));
  auto imp = cli({"cache", "import", file, "--config", config});
  ASSERT_EQ(imp.exit_code, 0) << imp.output;
  EXPECT_EQ(json(imp.output)->getValue<int>("flags_held"), 2);
  auto purge = cli({"cache", "purge", "--config", config});
  ASSERT_EQ(purge.exit_code, 0) << purge.output;
  auto m = cli({"cache", "match", "1208 N Maple St Apt 3B, Springfield IL", "--config", config});
  EXPECT_EQ(json(m.output)->getArray("flags")->size(), 2u) << m.output;
  EXPECT_EQ(json(cli({"cache", "stats", "--config", config}).output)->getValue<int>("flags"), 2);

  // Found from outside: `--db` alone, as the rollback steps and doctor's
  // fixes run it, purged with the built-in 365 days, even by an import
  // that was refused. Without the car's config only expiry counts.
  EXPECT_NE(cli({"cache", "import", dir.file("missing.jsonl"), "--db", db}).exit_code, 0);
  purge = cli({"cache", "purge", "--db", db});
  ASSERT_EQ(purge.exit_code, 0) << purge.output;
  EXPECT_EQ(json(purge.output)->getValue<int>("purged_flags"), 0);
  EXPECT_EQ(json(cli({"cache", "stats", "--db", db}).output)->getValue<int>("flags"), 2);
  // The car's own config with a shorter period does delete it, and says so.
  mdtc::test::write_file(config, "[unit]\nid = 2A31\nrole = patrol\n[cache]\ndb = " + db + "\nrevalidate_days = 365\n");
  purge = cli({"cache", "purge", "--config", config});
  ASSERT_EQ(purge.exit_code, 0) << purge.output;
  EXPECT_EQ(json(purge.output)->getValue<int>("purged_flags"), 1);
}

// Found from outside: no command read the audit trail, so "which flags did
// unit X see for call Y, and when" needed sqlite3 and an undocumented table.
TEST_F(CacheCli, AuditAnswersWhichFlagsAUnitSawForACallAndWhen) {
  ASSERT_EQ(cli({"cache", "import", registry(), "--db", db}).exit_code, 0);
  {
    Cache c = open();
    ASSERT_TRUE(c.audit({"2A31", "officer1", "I-2", {"F-1", "F-2"}, 1796688000}).ok());  // 2026-12-08T00:00:00Z
    ASSERT_TRUE(c.audit({"CR7", "clinician1", "I-2", {"F-3"}, 1796774400}).ok());
    ASSERT_TRUE(c.audit({"2A31", "officer1", "I-9", {"F-1"}, 1796860800}).ok());
    // F-2 deleted since: the record keeps its id, the cache no longer knows it.
    auto d = c.import_text(complete(R"({"type":"header","mode":"delta","version":2}
{"type":"delete","id":"F-2"}
)"), "d2.jsonl");
    ASSERT_TRUE(d.ok()) << d.error().message;
  }
  auto r = cli({"cache", "audit", "--incident", "I-2", "--unit", "2A31", "--db", db});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto out = json(r.output);
  EXPECT_EQ(out->getValue<std::string>("audit_chain"), "ok");
  ASSERT_EQ(out->getValue<int>("count"), 1) << r.output;
  auto rec = out->getArray("records")->getObject(0);
  EXPECT_EQ(rec->getValue<std::string>("at"), "2026-12-08T00:00:00Z");
  EXPECT_EQ(rec->getValue<std::string>("user"), "officer1");
  auto flags = rec->getArray("flags");
  ASSERT_EQ(flags->size(), 2u);
  EXPECT_EQ(flags->getObject(0)->getValue<std::string>("code"), "WEAPONS");
  EXPECT_EQ(flags->getObject(0)->getValue<std::string>("audience"), "all");
  EXPECT_EQ(flags->getObject(1)->getValue<std::string>("id"), "F-2");
  EXPECT_TRUE(flags->getObject(1)->isNull("code")) << r.output;
  // By time: a day runs through its end.
  EXPECT_EQ(json(cli({"cache", "audit", "--since", "2026-12-09", "--db", db}).output)->getValue<int>("count"), 2);
  EXPECT_EQ(json(cli({"cache", "audit", "--until", "2026-12-08", "--db", db}).output)->getValue<int>("count"), 1);
  EXPECT_EQ(json(cli({"cache", "audit", "--db", db}).output)->getValue<int>("count"), 3);
  EXPECT_EQ(cli({"cache", "audit", "--since", "yesterday", "--db", db}).exit_code, 2);
  EXPECT_EQ(cli({"cache", "stats", "--incident", "I-2", "--db", db}).exit_code, 2);
}

// Issue 13.12: the working remedy for a corrupt cache.
TEST_F(CacheCli, ResetMovesTheCacheAsideAndKeepsTheKey) {
  ASSERT_EQ(cli({"cache", "import", registry(), "--db", db}).exit_code, 0);
  const std::string key = mdtc::test::read_file(db + ".key");
  mdtc::test::write_file(db, std::string(4096, 'x'));  // corrupt
  std::filesystem::remove(db + "-wal");
  std::filesystem::remove(db + "-shm");
  auto r = cli({"cache", "reset", "--db", db});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string moved = json(r.output)->getValue<std::string>("moved_to");
  EXPECT_EQ(moved.rfind(db + ".reset-", 0), 0u) << moved;
  EXPECT_EQ(mdtc::test::read_file(moved), std::string(4096, 'x'));
  EXPECT_FALSE(std::filesystem::exists(db));
  EXPECT_EQ(mdtc::test::read_file(db + ".key"), key);
  auto again = cli({"cache", "import", registry(), "--db", db});
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_EQ(cli({"cache", "match", "1208 N Maple St Apt 3B, Springfield IL", "--db", db}).exit_code, 0);
}

// A reset under a running plugin left it reading the moved file: old flags,
// shown as fresh, while new imports went to a file it never opened; a sync
// beside it shared its staging file.
TEST_F(CacheCli, ResetAndSyncAreRefusedWhileAPluginHoldsItsLockBesideTheCache) {
  ASSERT_EQ(cli({"cache", "import", registry(), "--db", db}).exit_code, 0);
  const std::string lock_path = std::filesystem::path(db).parent_path() / "plugin-2A31.lock";
  mdtc::test::write_file(lock_path, "pid 4242, officer\n");
  const int fd = ::open(lock_path.c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0);
  auto refused = cli({"cache", "reset", "--db", db});
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_EQ(json(refused.output)->getValue<std::string>("error"), "cache.in_use") << refused.output;
  EXPECT_NE(refused.output.find("pid 4242, officer"), std::string::npos) << refused.output;
  EXPECT_TRUE(std::filesystem::exists(db));
  // A shell sync beside it would race the plugin's own sync on one staging file.
  auto sync = cli({"cache", "sync", "--db", db, "--endpoint", "tcp://127.0.0.1:1", "--timeout-s", "1"});
  EXPECT_EQ(sync.exit_code, 1) << sync.output;
  EXPECT_NE(sync.output.find("\"cache.in_use\""), std::string::npos) << sync.output;
  ::close(fd);  // the plugin stopped
  auto r = cli({"cache", "reset", "--db", db});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_FALSE(std::filesystem::exists(db));
}

// Issue 13.12: doctor advised a re-import, which fails on a corrupt file.
TEST_F(CacheCli, DoctorNamesCacheResetForACorruptCache) {
  ASSERT_EQ(cli({"cache", "import", registry(), "--db", db}).exit_code, 0);
  mdtc::test::write_file(db, std::string(4096, 'x'));
  std::filesystem::remove(db + "-wal");
  std::filesystem::remove(db + "-shm");
  const std::string config = dir.file("unit.ini");
  mdtc::test::write_file(config, "[unit]\nid = 2A31\nrole = patrol\n[cache]\ndb = " + db + "\n");
  auto r = cli({"doctor", "--config", config, "--timeout-s", "1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("mdt-coresponder cache reset --db " + db), std::string::npos) << r.output;
  EXPECT_EQ(mdtc::test::read_file(db), std::string(4096, 'x')) << "doctor only looks";
}

// The cache commands name the same remedy as doctor (found by an outside
// test: stats and verify said only "database disk image is malformed").
TEST_F(CacheCli, CommandsOnACorruptCacheNameTheRemedy) {
  ASSERT_EQ(cli({"cache", "import", registry(), "--db", db}).exit_code, 0);
  mdtc::test::write_file(db, std::string(4096, 'x'));
  std::filesystem::remove(db + "-wal");
  std::filesystem::remove(db + "-shm");
  for (const char* sub : {"stats", "verify"}) {
    auto r = cli({"cache", sub, "--db", db});
    EXPECT_EQ(r.exit_code, 1) << sub;
    EXPECT_NE(r.output.find("fix: mdt-coresponder cache reset --db " + db), std::string::npos) << sub << r.output;
  }
  auto m = cli({"cache", "match", "1208 N Maple St Apt 3B, Springfield IL", "--db", db});
  EXPECT_NE(m.output.find("fix: mdt-coresponder cache reset --db " + db), std::string::npos) << m.output;
}

// Issue 13.1: doctor said "all checks passed" on a cache that never held a snapshot.
TEST_F(CacheCli, DoctorFailsOnACacheWithoutASnapshot) {
  // A cache made but never filled, as a first sync leaves it while the
  // snapshot is still on its way.
  {
    auto made = Cache::open({db, {}, true, 24, 365});
    ASSERT_TRUE(made.ok()) << made.error().message;
  }
  const std::string config = dir.file("unit.ini");
  mdtc::test::write_file(config, "[unit]\nid = 2A31\nrole = patrol\n[cache]\ndb = " + db + "\n");
  auto r = cli({"doctor", "--config", config, "--timeout-s", "1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("holds no complete snapshot"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace mdtc::cache::test
