// `mdt-coresponder cache ...` run as fleet IT runs it: the built binary on a
// fresh path, JSON on stdout, exit codes.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <chrono>
#include <cstdio>

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

TEST_F(CacheCli, BadFileIsRejectedWithFileAndLine) {
  const std::string bad = dir.file("bad.jsonl");
  mdtc::test::write_file(bad, "{\"type\":\"premise\",\"id\":\"P-1\",\"address\":\"1 ELM ST\"}\n{oops\n");
  auto r = cli({"cache", "import", bad, "--db", db});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("bad.jsonl:2:"), std::string::npos) << r.output;
}

TEST_F(CacheCli, StatsVerifyPurgeOnAFreshPath) {
  auto s = cli({"cache", "stats", "--db", db});
  ASSERT_EQ(s.exit_code, 0) << s.output;
  EXPECT_EQ(json(s.output)->getValue<int>("schema_version"), kSchemaVersion);
  EXPECT_EQ(cli({"cache", "verify", "--db", db}).exit_code, 0);
  auto p = cli({"cache", "purge", "--db", db});
  ASSERT_EQ(p.exit_code, 0) << p.output;
  EXPECT_EQ(json(p.output)->getValue<int>("purged_flags"), 0);
}

TEST_F(CacheCli, MatchOnNeverSyncedCacheSaysUnavailable) {
  auto m = cli({"cache", "match", "1208 N MAPLE ST", "--db", db});
  EXPECT_EQ(m.exit_code, 1);
  EXPECT_EQ(json(m.output)->getValue<std::string>("freshness"), "unavailable");
}

TEST_F(CacheCli, MissingDbIsAUsageError) {
  EXPECT_EQ(cli({"cache", "stats"}).exit_code, 2);
  EXPECT_EQ(cli({"cache", "frobnicate", "--db", db}).exit_code, 2);
}

}  // namespace
}  // namespace mdtc::cache::test
