// The registry sync as fleet IT and an officer meet it: the CLI's one-shot
// sync and report, and stub-mdt-host loading the real plugin with
// registry.endpoint set and no cache at all, which ends up with the
// registry's flags and pops a premise panel for a flagged dispatch.
#include <gtest/gtest.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "mdtc/bridge.h"
#include "mdtc/cache.h"
#include "mdtc/registry_line.h"
#include "small_disk.h"
#include "sync_fixture.h"

namespace mdtc::test {
namespace {

using namespace std::chrono_literals;

const std::string kRegistry = MDTC_SOURCE_DIR "/demo/registry.jsonl";

bool has(const std::string& line, const std::string& what) { return line.find(what) != std::string::npos; }

struct Run {
  int status = -1;
  std::string out;
};

Run run(const std::string& command) {
  Run r;
  FILE* p = popen((command + " 2>/dev/null").c_str(), "r");
  if (!p) return r;
  char buf[4096];
  while (std::size_t n = fread(buf, 1, sizeof buf, p)) r.out.append(buf, n);
  const int raw = pclose(p);
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return r;
}

// stdout, and stderr apart.
struct RunWithErrors {
  int status = -1;
  std::string out, err;
};

RunWithErrors run_with_errors(const std::string& command, const TempDir& dir) {
  const std::string err = dir.file("stderr.txt");
  RunWithErrors r;
  FILE* p = popen((command + " 2>" + err).c_str(), "r");
  if (!p) return r;
  char buf[4096];
  while (std::size_t n = fread(buf, 1, sizeof buf, p)) r.out.append(buf, n);
  const int raw = pclose(p);
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  r.err = read_file(err);
  return r;
}

Poco::JSON::Object::Ptr parse(const std::string& text) {
  Poco::JSON::Parser parser;
  return parser.parse(text).extract<Poco::JSON::Object::Ptr>();
}

TEST(CacheSyncCli, SyncsAFreshPathAndReportsWhatItApplied) {
  TempDir dir;
  RegistryServer registry(dir);
  publish(registry.served_dir(), "demo.jsonl", read_file(kRegistry));
  const std::string db = dir.file("fresh/cache.db");
  std::filesystem::create_directories(dir.file("fresh"));
  auto r = run(std::string(MDTC_CLI) + " cache sync --db " + db + " --endpoint " + registry.endpoint() +
               " --unit 2A31");
  ASSERT_EQ(r.status, 0) << r.out;
  auto doc = parse(r.out);
  EXPECT_TRUE(doc->getValue<bool>("ok"));
  EXPECT_EQ(doc->getValue<std::string>("state"), "current");
  EXPECT_EQ(doc->getValue<int64_t>("version"), 1);
  auto applied = doc->getArray("applied");
  ASSERT_EQ(applied->size(), 1u);
  EXPECT_EQ(applied->getObject(0)->getValue<std::string>("mode"), "snapshot");
  EXPECT_EQ(applied->getObject(0)->getValue<int64_t>("premises"), 4);
  EXPECT_EQ(doc->getObject("counters")->getValue<uint64_t>("files_applied"), 1u);

  // The cache now answers, and a second sync fetches nothing.
  auto match = run(std::string(MDTC_CLI) + " cache match '1208 n. maple street #3b, springfield il' --db " + db);
  EXPECT_EQ(match.status, 0) << match.out;
  EXPECT_TRUE(has(match.out, "WEAPONS")) << match.out;
  auto again = run(std::string(MDTC_CLI) + " cache sync --db " + db + " --endpoint " + registry.endpoint());
  ASSERT_EQ(again.status, 0) << again.out;
  EXPECT_EQ(parse(again.out)->getObject("counters")->getValue<uint64_t>("bytes_fetched"), 0u);
  EXPECT_EQ(parse(again.out)->getValue<int64_t>("version_before"), 1);
}

// Issue 15.1: the car's configuration names the registry, the unit and the
// cache, as the plugin reads them.
TEST(CacheSyncCli, SyncsWithTheCarsConfiguration) {
  TempDir dir;
  RegistryServer registry(dir);
  publish(registry.served_dir(), "demo.jsonl", read_file(kRegistry));
  const std::string db = dir.file("cache.db");
  write_file(dir.file("unit.ini"), "[unit]\nid = 2A31\nrole = patrol\n[cache]\ndb = " + db + "\nkey_file = " +
                                       dir.file("flags.key") + "\n[registry]\nendpoint = " + registry.endpoint() + "\n");
  auto r = run(std::string(MDTC_CLI) + " cache sync --config " + dir.file("unit.ini"));
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(parse(r.out)->getValue<std::string>("db"), db);
  EXPECT_TRUE(std::filesystem::exists(dir.file("flags.key"))) << "cache.key_file is the cache's key";
  EXPECT_FALSE(std::filesystem::exists(db + ".key"));
  auto match = run(std::string(MDTC_CLI) + " cache match '1208 n. maple street #3b, springfield il' --config " +
                   dir.file("unit.ini"));
  EXPECT_EQ(match.status, 0) << match.out;
  EXPECT_TRUE(has(match.out, "WEAPONS")) << match.out;
}

// The transfer's hash proves the bytes came as served; only the file's own
// trailer proves the registry wrote it whole.
TEST(CacheSyncCli, AFileCutOffAtTheRegistryIsRefusedThoughItArrivedIntact) {
  TempDir dir;
  RegistryServer registry(dir);
  const std::string demo = read_file(kRegistry);
  std::size_t end = 0;
  for (int i = 0; i < 8; ++i) end = demo.find('\n', end) + 1;
  publish(registry.served_dir(), "demo.jsonl", demo.substr(0, end));
  const std::string db = dir.file("cache.db");
  auto r = run(std::string(MDTC_CLI) + " cache sync --db " + db + " --endpoint " + registry.endpoint());
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_EQ(parse(r.out)->getValue<std::string>("error"), "registry.incomplete") << r.out;
  auto match = run(std::string(MDTC_CLI) + " cache match '1208 n. maple street #3b, springfield il' --db " + db);
  EXPECT_EQ(match.status, 1) << match.out;
  EXPECT_TRUE(has(match.out, "unavailable")) << match.out;
}

TEST(CacheSyncCli, CurveWithThePinnedKeyWorksAndAnotherKeyDoesNot) {
  TempDir dir;
  auto server = bridge::generate_curve_key_pair();
  auto impostor = bridge::generate_curve_key_pair();
  auto client = bridge::generate_curve_key_pair();
  ASSERT_TRUE(server.ok() && impostor.ok() && client.ok());
  ASSERT_TRUE(bridge::write_curve_key_file(dir.file("registry.key"), *server, false).ok());
  ASSERT_TRUE(bridge::write_curve_key_file(dir.file("client.key"), *client, false).ok());
  RegistryServer registry(dir, {"--curve-secret-file", dir.file("registry.key")});
  publish(registry.served_dir(), "demo.jsonl", read_file(kRegistry));
  const std::string base = std::string(MDTC_CLI) + " cache sync --db " + dir.file("cache.db") + " --endpoint " +
                           registry.endpoint() + " --key-file " + dir.file("client.key") + " --timeout-s 3";
  auto refused = run(base + " --server-key '" + impostor->public_key + "'");
  EXPECT_EQ(refused.status, 1) << refused.out;
  EXPECT_EQ(parse(refused.out)->getArray("applied")->size(), 0u);
  auto ok = run(base + " --server-key '" + server->public_key + "'");
  ASSERT_EQ(ok.status, 0) << ok.out;
  EXPECT_TRUE(parse(ok.out)->getValue<bool>("curve"));
}

TEST(CacheSyncCli, ARefusedStagingKeyIsSaidOnStderrAndInTheReport) {
  TempDir dir;
  const std::string snapshot = generated_export(3000, 1, "snapshot");
  // As written, so that 5 chunks are a small part of it.
  RegistryServer registry(dir, {"--identity-only", "--chunk-bytes", "65536", "--stop-after-chunks", "5"});
  publish(registry.served_dir(), "v1.jsonl", snapshot);
  const std::string db = dir.file("cache.db");
  const std::string sync = std::string(MDTC_CLI) + " cache sync --db " + db + " --endpoint " + registry.endpoint();
  // Cut off after 5 chunks: the staging files stay, with their key.
  auto cut = run_with_errors(sync + " --timeout-s 2", dir);
  ASSERT_EQ(cut.status, 1) << cut.out << cut.err;
  ASSERT_TRUE(std::filesystem::exists(db + ".sync.part"));
  std::filesystem::permissions(db + ".sync.key", std::filesystem::perms::owner_read |
                                                     std::filesystem::perms::owner_write |
                                                     std::filesystem::perms::group_read |
                                                     std::filesystem::perms::others_read);
  registry.start({"--identity-only", "--chunk-bytes", "65536"});
  auto r = run_with_errors(sync, dir);
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  const std::string why = db + ".sync.key has mode 0644: expected 0600";
  EXPECT_NE(r.err.find("warning: staging key file " + why), std::string::npos) << r.err;
  auto doc = parse(r.out);
  EXPECT_EQ(doc->getObject("counters")->getValue<uint64_t>("staging_discarded"), 1u);
  auto warnings = doc->getArray("warnings");
  ASSERT_EQ(warnings->size(), 1u) << r.out;
  EXPECT_NE(warnings->getElement<std::string>(0).find(why), std::string::npos) << r.out;
}

TEST(CacheSyncCli, AnOfferTooLargeForTheDiskIsNotFetchedAndSaysTheNumbers) {
  TempDir dir;
  SmallDisk disk(8 << 10);
  if (!disk.available()) GTEST_SKIP() << "cannot mount a tmpfs here";
  RegistryServer registry(dir);
  publish(registry.served_dir(), "v1.jsonl", generated_export(3000, 1, "snapshot"));
  const std::string db = disk.file("cache.db");
  auto r = run_with_errors(std::string(MDTC_CLI) + " cache sync --db " + db + " --endpoint " + registry.endpoint(),
                           dir);
  EXPECT_EQ(r.status, 1) << r.out << r.err;
  auto doc = parse(r.out);
  EXPECT_EQ(doc->getValue<std::string>("error"), "sync.no_space");
  // 8 MiB cannot keep the 64 MiB reserve: needed, reserve, free, where.
  for (const std::string& words : std::vector<std::string>{"needs ", "keeps 64.0 MiB free for the outbox and the incident journal",
                                  " is free", "on the file system that holds " + disk.path()})
    EXPECT_NE(r.err.find(words), std::string::npos) << words << " in: " << r.err;
  EXPECT_EQ(doc->getObject("counters")->getValue<uint64_t>("no_space"), 1u);
  EXPECT_EQ(doc->getObject("counters")->getValue<uint64_t>("bytes_fetched"), 0u);
  for (const char* ext : {".sync.part", ".sync.json", ".sync.key"})
    EXPECT_FALSE(std::filesystem::exists(db + ext)) << ext;
}

// Found from outside: after a transfer that was thrown away (here: it failed
// verification) the report still showed it under "transfer".
TEST(CacheSyncCli, ADiscardedTransferIsNotShownAsOne) {
  TempDir dir;
  RegistryServer registry(dir, {"--identity-only", "--chunk-bytes", "8192", "--corrupt-chunk", "2"});
  publish(registry.served_dir(), "v1.jsonl", generated_export(100, 1, "snapshot"));
  const std::string db = dir.file("cache.db");
  auto r = run(std::string(MDTC_CLI) + " cache sync --db " + db + " --endpoint " + registry.endpoint());
  EXPECT_EQ(r.status, 1) << r.out;
  auto doc = parse(r.out);
  EXPECT_EQ(doc->getValue<std::string>("error"), "sync.verify_failed") << r.out;
  EXPECT_FALSE(doc->has("transfer")) << r.out;
  EXPECT_FALSE(std::filesystem::exists(db + ".sync.part"));
}

// Found from outside: with --timeout-s 3 and a registry sending chunks slowly
// but steadily, the report said the registry "did not answer".
TEST(CacheSyncCli, ATimeLimitThatEndsASteadyTransferSaysSoAndKeepsTheBytes) {
  TempDir dir;
  RegistryServer registry(dir, {"--identity-only", "--chunk-bytes", "4096", "--chunk-delay-ms", "50"});
  publish(registry.served_dir(), "v1.jsonl", generated_export(2000, 1, "snapshot"));
  const std::string db = dir.file("cache.db");
  auto r = run_with_errors(std::string(MDTC_CLI) + " cache sync --db " + db + " --endpoint " + registry.endpoint() +
                               " --timeout-s 2",
                           dir);
  EXPECT_EQ(r.status, 1) << r.out << r.err;
  auto doc = parse(r.out);
  EXPECT_EQ(doc->getValue<std::string>("error"), "sync.time_limit") << r.out;
  const std::string message = doc->getValue<std::string>("message");
  EXPECT_NE(message.find("this run's time limit ran out during the transfer of snapshot version 1"), std::string::npos)
      << message;
  EXPECT_NE(message.find(" bytes held (kept: the next sync resumes from there)"), std::string::npos) << message;
  EXPECT_EQ(message.find("did not answer"), std::string::npos) << message;
  EXPECT_EQ(doc->getObject("counters")->getValue<uint64_t>("timeouts"), 0u) << "the link was not dead";
  // The bytes held are the transfer the next run resumes.
  ASSERT_TRUE(doc->has("transfer")) << r.out;
  EXPECT_GT(doc->getObject("transfer")->getValue<uint64_t>("bytes"), 0u);
  EXPECT_TRUE(std::filesystem::exists(db + ".sync.part"));
}

TEST(CacheSyncCli, UnreachableRegistryExitsOneWithTheReason) {
  TempDir dir;
  auto r = run(std::string(MDTC_CLI) + " cache sync --db " + dir.file("cache.db") +
               " --endpoint tcp://127.0.0.1:" + std::to_string(free_tcp_port()) + " --timeout-s 1");
  EXPECT_EQ(r.status, 1) << r.out;
  auto doc = parse(r.out);
  EXPECT_FALSE(doc->getValue<bool>("ok"));
  EXPECT_EQ(doc->getValue<std::string>("error"), "sync.timeout");
}

TEST(CacheSyncCli, UsageErrorsExitTwo) {
  EXPECT_EQ(run(std::string(MDTC_CLI) + " cache sync --db x.db").status, 2);
  EXPECT_EQ(run(std::string(MDTC_CLI) + " cache sync --db x.db --endpoint tcp://127.0.0.1:1 --server-key K").status, 2);
}

class PluginSync : public ::testing::Test {
 protected:
  PluginSync() : pub_port(free_tcp_port()), router_port(free_tcp_port()) {}
  std::string endpoint(int port) const { return "tcp://127.0.0.1:" + std::to_string(port); }

  std::string make_unit(const std::string& registry_endpoint, const std::string& extra = {}) {
    const std::string path = dir.file("2A31.ini");
    write_file(path, "[unit]\nid = 2A31\nrole = patrol\nname = 2A31 Patrol\n\n[cad]\nsubscribe_endpoint = " +
                         endpoint(pub_port) + "\ndealer_endpoint = " + endpoint(router_port) +
                         "\n\n[cache]\ndb = " + dir.file("2A31.db") + "\n\n[registry]\nendpoint = " +
                         registry_endpoint + "\nsync_interval_s = 10\n" + extra);
    return path;
  }

  std::unique_ptr<ChildProcess> start_host(const std::string& config) {
    return std::make_unique<ChildProcess>(
        std::vector<std::string>{MDTC_STUB_HOST, "--plugin", MDTC_PLUGIN_PATH, "--config", config, "--record",
                                 dir.file("2A31.jsonl"), "--label", "[2A31]"},
        dir.file("2A31.out"));
  }

  std::unique_ptr<ChildProcess> start_cad(const std::string& scenario, std::vector<std::string> extra = {}) {
    write_file(dir.file("scenario.jsonl"), scenario);
    std::vector<std::string> argv{MDTC_STUB_CAD, "--pub", endpoint(pub_port), "--router", endpoint(router_port),
                                  "--scenario", dir.file("scenario.jsonl"), "--heartbeat-ms", "200",
                                  "--exit-when-done"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    auto cad = std::make_unique<ChildProcess>(argv, dir.file("cad.out"));
    EXPECT_TRUE(wait_for_line(dir.file("cad.out"), [](auto& l) { return has(l, "ready"); }, 20s));
    return cad;
  }

  // CAD sends 2A31 to the demo's flagged premise; `premise` gets its panel.
  void dispatch_to_the_demo_premise(std::string* premise) {
    auto cad = start_cad(
        R"({"wait":"hello","unit":"2A31","timeout_s":30})" "\n"
        R"({"wait":"subscriber","topic":"unit.2A31","timeout_s":30})" "\n"
        R"({"publish":{"topic":"unit.2A31","body":{"type":"dispatch","incident":{"id":"I-2","call_type":"WELFARE CHECK","priority":2,"units":["2A31"],"location":{"address":"1208 n. maple street #3b, Springfield IL","lat":39.8012,"lon":-89.6437}}}}})" "\n");
    ASSERT_EQ(cad->wait_for_exit(60s), 0) << read_file(dir.file("cad.out"));
    ASSERT_TRUE(wait_for_line(dir.file("2A31.jsonl"), [&](const std::string& l) {
      if (!has(l, R"("cb":"show_panel","panel_id":"premise:I-2")")) return false;
      *premise = l;
      return true;
    }, 30s)) << read_file(dir.file("2A31.out"));
  }

  // The status document the host records when the plugin stops.
  Poco::JSON::Object::Ptr final_status() {
    std::string status;
    for (const auto& line : read_lines(dir.file("2A31.jsonl")))
      if (has(line, R"("cb":"status")")) status = line;
    if (status.empty()) return nullptr;
    return parse(status)->getObject("doc");
  }

  TempDir dir;
  int pub_port, router_port;
};

TEST_F(PluginSync, UnitWithoutACacheSyncsFromTheRegistryAndPopsThePanel) {
  RegistryServer registry(dir);
  publish(registry.served_dir(), "demo.jsonl", read_file(kRegistry));
  ASSERT_FALSE(std::filesystem::exists(dir.file("2A31.db")));
  auto host = start_host(make_unit(registry.endpoint()));
  ASSERT_TRUE(wait_for_line(dir.file("2A31.jsonl"),
                            [](auto& l) { return has(l, "flag registry snapshot version 1 applied"); }, 60s))
      << read_file(dir.file("2A31.out"));

  std::string premise;
  ASSERT_NO_FATAL_FAILURE(dispatch_to_the_demo_premise(&premise));
  EXPECT_TRUE(has(premise, "Legally owns rifles")) << premise;
  EXPECT_FALSE(has(premise, "FLAGS UNAVAILABLE")) << premise;
  EXPECT_EQ(host->terminate(), 0);

  auto status = final_status();
  ASSERT_TRUE(status);
  auto sync = status->getObject("registry_sync");
  ASSERT_TRUE(sync) << "status has no registry_sync";
  EXPECT_EQ(sync->getValue<std::string>("state"), "current");  // recorded before the stop
  EXPECT_EQ(sync->getValue<int64_t>("version"), 1);
  EXPECT_EQ(sync->getValue<uint64_t>("files_applied"), 1u);
  EXPECT_FALSE(sync->getValue<std::string>("last_success").empty());
  // No name, note or address in any log line the sync wrote.
  for (const auto& line : read_lines(dir.file("2A31.jsonl"))) {
    if (!has(line, R"("cb":"log")")) continue;
    for (const char* secret : {"J. Doe", "rifles", "Nonverbal", "MAPLE", "Maple"})
      EXPECT_FALSE(has(line, secret)) << secret << " in a log line: " << line;
  }
}

// Found from outside: the cache refused the registry's newer delta, the
// sync's status said so, and the panel still read "Flags updated 6 min ago":
// an address flagged only in that delta would pop no panel at all.
TEST_F(PluginSync, ACarThatCannotLoadTheRegistrysNewerFileSaysItsFlagsMayBeOutOfDate) {
  RegistryServer registry(dir);
  publish(registry.served_dir(), "demo.jsonl", read_file(kRegistry));
  // Version 2 names a premise no file has: the cache refuses it whole.
  auto delta = cache::complete_registry_file(
      R"({"type":"header","mode":"delta","version":2,"created":"2026-11-23T06:00:00Z"})" "\n"
      R"({"type":"flag","id":"F-90","premise":"P-NONE","kind":"safety","code":"WEAPONS","audience":"all"})" "\n");
  ASSERT_TRUE(delta.ok()) << delta.error().message;
  publish(registry.served_dir(), "delta-2.jsonl", *delta);
  auto host = start_host(make_unit(registry.endpoint()));
  // Logged once the sync's state says so: refused, offered again, not fetched.
  ASSERT_TRUE(wait_for_line(dir.file("2A31.jsonl"),
                            [](auto& l) { return has(l, "is the file the cache refused (registry.dangling_reference)"); },
                            60s))
      << read_file(dir.file("2A31.out"));
  std::string premise;
  ASSERT_NO_FATAL_FAILURE(dispatch_to_the_demo_premise(&premise));
  EXPECT_TRUE(has(premise, "Legally owns rifles")) << "what the cache holds still shows";
  EXPECT_TRUE(has(premise, "FLAGS MAY BE OUT OF DATE - the registry has newer flags (version 2) that this car "
                           "could not load (it holds 1)"))
      << premise;
  EXPECT_EQ(host->terminate(), 0);
}

TEST_F(PluginSync, CadWipeHaltsTheSyncSoTheErasedCacheIsNotRefilled) {
  auto server = bridge::generate_curve_key_pair();
  auto client = bridge::generate_curve_key_pair();
  ASSERT_TRUE(server.ok() && client.ok());
  ASSERT_TRUE(bridge::write_curve_key_file(dir.file("server.key"), *server, false).ok());
  ASSERT_TRUE(bridge::write_curve_key_file(dir.file("client.key"), *client, false).ok());
  RegistryServer registry(dir);
  publish(registry.served_dir(), "demo.jsonl", read_file(kRegistry));
  // A wipe is honoured only on a CURVE link.
  auto host = start_host(make_unit(registry.endpoint(), "\n[cad]\nserver_public_key = " + server->public_key +
                                                           "\nclient_key_file = " + dir.file("client.key") + "\n"));
  ASSERT_TRUE(wait_for_line(dir.file("2A31.jsonl"),
                            [](auto& l) { return has(l, "flag registry snapshot version 1 applied"); }, 60s))
      << read_file(dir.file("2A31.out"));
  ASSERT_TRUE(std::filesystem::exists(dir.file("2A31.db")));

  auto cad = start_cad(
      R"({"wait":"hello","unit":"2A31","timeout_s":30})" "\n"
      R"({"wait":"subscriber","topic":"unit.2A31","timeout_s":30})" "\n"
      R"({"publish":{"topic":"unit.2A31","body":{"type":"wipe","reason":"laptop reported stolen"}}})" "\n"
      R"({"publish":{"topic":"unit.2A31","body":{"type":"dispatch","incident":{"id":"I-3","call_type":"WELFARE CHECK","priority":2,"units":["2A31"],"location":{"address":"1208 n. maple street #3b, Springfield IL"}}}}})" "\n",
      {"--server-key-file", dir.file("server.key")});
  ASSERT_EQ(cad->wait_for_exit(60s), 0) << read_file(dir.file("cad.out"));
  std::string premise;
  ASSERT_TRUE(wait_for_line(dir.file("2A31.jsonl"), [&](const std::string& l) {
    if (!has(l, R"("cb":"show_panel","panel_id":"premise:I-3")")) return false;
    premise = l;
    return true;
  }, 30s)) << read_file(dir.file("2A31.out"));
  EXPECT_TRUE(has(premise, "FLAGS UNAVAILABLE")) << premise;
  EXPECT_EQ(host->terminate(), 0);

  auto status = final_status();
  ASSERT_TRUE(status);
  EXPECT_EQ(status->getObject("registry_sync")->getValue<std::string>("state"), "halted");
  EXPECT_EQ(status->getObject("registry_sync")->getValue<std::string>("last_error_code"), "sync.halted");
  for (const char* f : {"2A31.db", "2A31.db.key", "2A31.db.sync.part", "2A31.db.sync.json", "2A31.db.sync.key"})
    EXPECT_FALSE(std::filesystem::exists(dir.file(f))) << f << " after a wipe";
}

TEST_F(PluginSync, SharedCarErasesTheStagingFileWithTheCache) {
  RegistryServer registry(dir);
  publish(registry.served_dir(), "demo.jsonl", read_file(kRegistry));
  auto host = start_host(make_unit(registry.endpoint(), "\n[cache]\nwipe_on_session_end = true\n"));
  ASSERT_TRUE(wait_for_line(dir.file("2A31.jsonl"),
                            [](auto& l) { return has(l, "flag registry snapshot version 1 applied"); }, 60s))
      << read_file(dir.file("2A31.out"));
  // A transfer left half done, as a blip would leave it.
  write_file(dir.file("2A31.db.sync.part"), "{\"type\":\"header\"");
  write_file(dir.file("2A31.db.sync.json"), "{}");
  write_file(dir.file("2A31.db.sync.key"), std::string(32, 'k'));
  EXPECT_EQ(host->terminate(), 0);
  for (const char* f : {"2A31.db", "2A31.db.key", "2A31.db.sync.part", "2A31.db.sync.json", "2A31.db.sync.key"})
    EXPECT_FALSE(std::filesystem::exists(dir.file(f))) << f;
}

}  // namespace
}  // namespace mdtc::test
