// kill -9 of a process syncing from a real stub-registry on loopback, at
// several points of a streaming sync: while chunks arrive, once the whole
// file is staged, and inside the import's transaction. After each kill the
// cache is whole at the old version or the new one, nothing of the
// registry's sealed fields is on disk in the clear, and the next sync
// resumes from the bytes already staged instead of fetching them again.
#include <gtest/gtest.h>
#include <signal.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>

#include "child_process.h"
#include "mdtc/cache.h"
#include "mdtc/registry_line.h"
#include "sync_fixture.h"
#include "temp_dir.h"

namespace mdtc::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Only ever in a flag note, which the cache seals: found in any file of the
// data directory, it is registry text in the clear.
const std::string kMarker = "KILLTEST-PLAINTEXT-MARKER-7f3a";

// v2: a generated snapshot plus one flag whose note is the marker.
std::string marked_snapshot(int64_t premises, int64_t version) {
  std::string text = generated_export(premises, version, "snapshot", 11);
  text = text.substr(0, text.rfind("{\"type\":\"trailer\""));
  // Every generated snapshot has premise P-0.
  text += R"({"type":"flag","id":"F-MARK","premise":"P-0","kind":"care","code":"AUTISM","audience":"all","note":")" + kMarker + "\"}\n";
  auto complete = cache::complete_registry_file(text);
  EXPECT_TRUE(complete.ok());
  return *complete;
}

std::string contents(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

uint64_t size_of(const std::string& path) {
  std::error_code ec;
  const auto n = fs::file_size(path, ec);
  return ec ? 0 : n;
}

// Waits (polling the file system, the only thing another process's
// progress shows) until `ready`, or `timeout`.
template <class Pred>
bool wait_until(Pred ready, std::chrono::milliseconds timeout = 60s) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (!ready()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

class SyncKillTest : public ::testing::Test {
 protected:
  std::string db() const { return dir.file("cache.db"); }

  std::unique_ptr<ChildProcess> start_sync(const RegistryServer& registry) {
    return std::make_unique<ChildProcess>(
        std::vector<std::string>{MDTC_CLI, "cache", "sync", "--db", db(), "--endpoint", registry.endpoint(),
                                 "--timeout-s", "120"},
        dir.file("sync-" + std::to_string(++runs) + ".out"));
  }

  Poco::JSON::Object::Ptr finish_sync(const RegistryServer& registry) {
    auto child = start_sync(registry);
    const auto rc = child->wait_for_exit(180s);
    EXPECT_EQ(rc, 0) << read_file(dir.file("sync-" + std::to_string(runs) + ".out"));
    Poco::JSON::Parser p;
    const std::string out = read_file(dir.file("sync-" + std::to_string(runs) + ".out"));
    return p.parse(out.substr(0, out.rfind('}') + 1)).extract<Poco::JSON::Object::Ptr>();
  }

  // The cache is whole at v1 or v2 (integrity, kept counts, the rows a
  // version holds), and no file of the data directory holds the marker.
  void expect_whole_and_sealed(const std::string& when) {
    cache::OpenOptions o;
    o.db_path = db();
    o.read_only = true;
    {
      auto c = cache::Cache::open(o);
      ASSERT_TRUE(c.ok()) << when << ": " << c.error().message;
      EXPECT_TRUE(c->verify().ok()) << when;
      auto s = c->stats();
      ASSERT_TRUE(s.ok());
      if (s->registry_version == 1) {
        EXPECT_EQ(s->premises, kV1Premises) << when;
      } else {
        EXPECT_EQ(s->registry_version, 2) << when;
        EXPECT_EQ(s->premises, kV2Premises) << when;
        EXPECT_EQ(s->flags, v2_flags) << when;
      }
    }
    for (const auto& e : fs::recursive_directory_iterator(dir.path())) {
      if (!e.is_regular_file() || e.path().string().find("/served") != std::string::npos) continue;
      const std::string bytes = contents(e.path().string());
      EXPECT_EQ(bytes.find(kMarker), std::string::npos) << when << ": registry text in the clear in " << e.path();
    }
  }

  static constexpr int64_t kV1Premises = 200, kV2Premises = 50000;
  TempDir dir;
  int runs = 0;
  int64_t v2_flags = 0;
};

TEST_F(SyncKillTest, KilledAnywhereTheCacheIsWholeNothingIsInTheClearAndTheSyncResumes) {
  // Files as written: the kill points are found by the staged file's size,
  // which a 37 MB transfer passes slowly enough to catch; compressed, it is
  // 2 MB. A compressed transfer cut and resumed is in registry_sync_test.
  RegistryServer registry(dir, {"--chunk-bytes", "65536", "--identity-only"});
  publish(registry.served_dir(), "v1.jsonl", generated_export(kV1Premises, 1, "snapshot"));
  ASSERT_EQ(finish_sync(registry)->getValue<int64_t>("registry_version"), 1);

  const std::string v2 = marked_snapshot(kV2Premises, 2);
  v2_flags = 2 * kV2Premises + 1;
  publish(registry.served_dir(), "v2.jsonl", v2);
  const std::string part = db() + ".sync.part";

  // 1. While chunks arrive: a quarter of the file staged.
  auto child = start_sync(registry);
  ASSERT_TRUE(wait_until([&] { return size_of(part) > v2.size() / 4; }));
  ::kill(child->pid(), SIGKILL);
  child->wait_for_exit(10s);
  expect_whole_and_sealed("killed while fetching");
  // What was staged then, but for a record the kill may have torn: a
  // resumed transfer keeps it byte for byte (same key, same sealed
  // records); one started afresh would rewrite it under a new key.
  const std::string key = contents(db() + ".sync.key");
  const std::string held = contents(part).substr(0, size_of(part) - std::min<uint64_t>(size_of(part), 70000));
  ASSERT_GT(held.size(), 0u);
  auto kept = [&](const std::string& when) {
    EXPECT_EQ(contents(db() + ".sync.key"), key) << when << ": the transfer started afresh";
    EXPECT_EQ(contents(part).substr(0, held.size()), held) << when << ": staged bytes were fetched again";
  };

  // 2. Resumed, and killed again once more than three quarters are staged.
  child = start_sync(registry);
  ASSERT_TRUE(wait_until([&] { return size_of(part) > 3 * v2.size() / 4; }));
  ::kill(child->pid(), SIGKILL);
  child->wait_for_exit(10s);
  expect_whole_and_sealed("killed while fetching, again");
  kept("resumed and killed while fetching");

  // 3. Resumed, and killed inside the import's transaction: the write-ahead
  // log grows only while the import writes (its pages spill from the
  // writer's 8 MB cache: a file this size does not fit), before its commit.
  child = start_sync(registry);
  const uint64_t wal_before = size_of(db() + "-wal");
  ASSERT_TRUE(wait_until([&] { return size_of(db() + "-wal") > wal_before + (1 << 20); }));
  ::kill(child->pid(), SIGKILL);
  child->wait_for_exit(10s);
  expect_whole_and_sealed("killed while importing");
  {
    cache::OpenOptions o;
    o.db_path = db();
    o.read_only = true;
    auto c = cache::Cache::open(o);
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->stats()->registry_version, 1) << "the kill came before the commit: the old version stays";
  }
  EXPECT_GE(size_of(part), v2.size()) << "the whole file was staged before the import";
  kept("resumed and killed while importing");

  // 4. The last run fetches nothing: every byte was staged and is applied
  // from the staging file.
  auto last = finish_sync(registry);
  EXPECT_EQ(last->getValue<int64_t>("registry_version"), 2);
  const auto counters = last->getObject("counters");
  EXPECT_EQ(counters->getValue<uint64_t>("bytes_fetched"), 0u) << "verified bytes were fetched again";
  EXPECT_EQ(counters->getValue<uint64_t>("bytes_resumed"), v2.size());
  expect_whole_and_sealed("after the last sync");
  EXPECT_FALSE(fs::exists(part)) << "the staging goes once the file is applied";
}

}  // namespace
}  // namespace mdtc::test

namespace mdtc::test {
namespace {

// The same with zstd on the wire (docs/protocol.md, "Encodings"): killed
// inside the import of a compressed file, the cache keeps its version,
// nothing decompressed is left in the clear, and the next run applies the
// staged stream without fetching it again.
TEST_F(SyncKillTest, KilledWhileImportingACompressedFileKeepsTheCacheAndResumesFromTheStagedStream) {
  RegistryServer registry(dir, {"--chunk-bytes", "65536"});
  publish(registry.served_dir(), "v1.jsonl", generated_export(kV1Premises, 1, "snapshot"));
  ASSERT_EQ(finish_sync(registry)->getValue<int64_t>("registry_version"), 1);

  const std::string v2 = marked_snapshot(kV2Premises, 2);
  v2_flags = 2 * kV2Premises + 1;
  publish(registry.served_dir(), "v2.jsonl", v2);
  const std::string part = db() + ".sync.part";

  auto child = start_sync(registry);
  const uint64_t wal_before = size_of(db() + "-wal");
  ASSERT_TRUE(wait_until([&] { return size_of(db() + "-wal") > wal_before + (1 << 20); }));
  ::kill(child->pid(), SIGKILL);
  child->wait_for_exit(10s);
  expect_whole_and_sealed("killed while importing a compressed file");
  {
    cache::OpenOptions o;
    o.db_path = db();
    o.read_only = true;
    auto c = cache::Cache::open(o);
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->stats()->registry_version, 1) << "the kill came before the commit: the old version stays";
  }
  const uint64_t staged = size_of(part);
  EXPECT_GT(staged, 0u);
  EXPECT_LT(staged * 5, v2.size()) << "what is staged is the compressed stream";

  auto last = finish_sync(registry);
  EXPECT_EQ(last->getValue<int64_t>("registry_version"), 2);
  const auto counters = last->getObject("counters");
  EXPECT_EQ(counters->getValue<uint64_t>("bytes_fetched"), 0u) << "verified bytes were fetched again";
  EXPECT_GT(counters->getValue<uint64_t>("bytes_resumed"), 0u);
  EXPECT_LT(counters->getValue<uint64_t>("bytes_resumed") * 5, v2.size());
  expect_whole_and_sealed("after the last sync");
  EXPECT_FALSE(fs::exists(part));
}

}  // namespace
}  // namespace mdtc::test
