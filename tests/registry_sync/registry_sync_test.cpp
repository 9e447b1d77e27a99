// RegistrySync against the real stub-registry program over loopback ZeroMQ,
// importing into real SQLite caches: first sync, deltas, interrupted
// transfers, corrupt and refused files, lookups during an import, CURVE, and
// a registry that answers nonsense.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <sstream>

#include <atomic>
#include <filesystem>
#include <future>
#include <thread>
#include <zmq.hpp>

#include "mdtc/bridge.h"
#include "mdtc/cache.h"
#include "mdtc/registry_line.h"
#include "mdtc/registry_sync.h"
#include "mdtc/sqlite.h"
#include "manual_time.h"
#include "small_disk.h"
#include "sync_fixture.h"

namespace mdtc::test {
namespace {

using namespace std::chrono_literals;
using bridge::RegistrySync;
using bridge::RegistrySyncOptions;
using bridge::RegistrySyncStatus;

// The generator puts premise P-0 at this address in every export (and, below
// 9,000 premises, no other premise at the same house number).
const char* kP0 = "100 MAPLE ST, Springfield IL";

class RegistrySyncTest : public ::testing::Test {
 protected:
  RegistrySyncTest() {
    auto c = cache::Cache::open({dir.file("cache.db"), "", true, 24});
    if (!c) throw std::runtime_error(c.error().message);
    cache = std::make_unique<cache::Cache>(std::move(*c));
  }

  RegistrySyncOptions options(const std::string& endpoint) {
    RegistrySyncOptions o;
    o.endpoint = endpoint;
    o.identity = "2A31";
    o.staging_path = dir.file("cache.db.sync");
    o.request_timeout_ms = 5000;
    o.backoff_initial_ms = 100;
    o.backoff_max_ms = 400;
    o.interval_s = 3600;
    return o;
  }

  RegistrySync::CurrentVersion current_version() {
    return [this]() -> std::optional<int64_t> {
      auto s = cache->stats();
      if (!s || s->last_sync.empty()) return std::nullopt;
      return s->registry_version;
    };
  }

  RegistrySync::Apply importer() {
    return [this](ByteSource& file, int64_t, const std::string&) -> Status {
      ++imports;
      auto r = cache->import_stream(file, "registry sync test");
      if (!r) return r.error();
      return Ok{};
    };
  }

  std::unique_ptr<RegistrySync> make_sync(const RegistrySyncOptions& o, StatusWaiter* waiter = nullptr) {
    return std::make_unique<RegistrySync>(o, current_version(), importer(), RegistrySync::Confirm{},
                                          waiter ? waiter->handler() : RegistrySync::StatusHandler{});
  }

  int64_t version() { return cache->stats()->registry_version; }
  bool staged() const {
    return std::filesystem::exists(dir.file("cache.db.sync.part")) ||
           std::filesystem::exists(dir.file("cache.db.sync.json")) ||
           std::filesystem::exists(dir.file("cache.db.sync.key"));
  }

  // run_once on time that moves only here: after `gone` returns (the
  // registry can no longer answer), a request timeout passes at a time
  // until the run gives up.
  RegistrySyncStatus run_once_timing_out(RegistrySyncOptions o, const std::function<void()>& gone = {}) {
    o.time = time;
    auto sync = make_sync(o);
    auto run = std::async(std::launch::async, [&] { return sync->run_once(30s); });
    if (gone) gone();
    const bool ended = advance_until(*time, std::chrono::milliseconds(o.request_timeout_ms), [&](auto settle) {
      return run.wait_for(settle) == std::future_status::ready;
    });
    EXPECT_TRUE(ended) << "run_once went on although its requests had timed out";
    if (!ended) sync->halt("the test gave up on it");  // fail now, not at the test's time limit
    return run.get();
  }

  // A transfer of `snapshot` cut short: the registry is killed after 5
  // chunks of kChunk. Returns the bytes the unit holds.
  static constexpr uint64_t kChunk = 64 << 10;
  uint64_t interrupted_transfer(RegistryServer& registry, const RegistrySyncOptions& o) {
    auto first = run_once_timing_out(
        o, [&] { EXPECT_EQ(registry.process().wait_for_exit(20s), 3) << registry.output(); });
    EXPECT_NE(first.state, "current");
    EXPECT_EQ(first.last_error_code, "sync.timeout");
    EXPECT_EQ(imports, 0);
    return counter(first, "bytes_fetched");
  }

  // The tests of transfers, resumes and staging below count chunks of the
  // file as written (the wire is what a registry from before compressed
  // transfer sends); the same paths with zstd are tested under "Encodings".
  static RegistrySyncOptions as_written(RegistrySyncOptions o) {
    o.accept_encodings = {bridge::kIdentityEncoding};
    return o;
  }

  RegistrySyncOptions chunked(const RegistryServer& registry, bool compressed = false) {
    auto o = compressed ? options(registry.endpoint()) : as_written(options(registry.endpoint()));
    o.chunk_bytes = kChunk;
    o.request_timeout_ms = 3000;  // long enough that a busy machine never times out a live registry
    return o;
  }

  TempDir dir;
  std::unique_ptr<cache::Cache> cache;
  std::atomic<int> imports{0};
  std::shared_ptr<ManualTime> time = std::make_shared<ManualTime>();
};

TEST_F(RegistrySyncTest, SyncsFromEmptyToSnapshotThenDeltas) {
  RegistryServer registry(dir);
  publish(registry.served_dir(), "v1.jsonl", generated_export(200, 1, "snapshot"));

  auto first = make_sync(options(registry.endpoint()))->run_once(30s);
  ASSERT_EQ(first.state, "current") << first.last_error;
  EXPECT_EQ(first.registry_version, 1);
  EXPECT_EQ(counter(first, "snapshots_applied"), 1u);
  EXPECT_EQ(version(), 1);
  EXPECT_EQ(cache->stats()->premises, 200);
  EXPECT_FALSE(staged()) << "a verified, applied file leaves nothing behind";

  // The registry publishes two deltas while the unit is away.
  publish(registry.served_dir(), "v2.jsonl", generated_export(200, 2, "delta", 2));
  publish(registry.served_dir(), "v3.jsonl", generated_export(200, 3, "delta", 3));
  auto second = make_sync(options(registry.endpoint()))->run_once(30s);
  ASSERT_EQ(second.state, "current") << second.last_error;
  EXPECT_EQ(counter(second, "deltas_applied"), 2u);
  EXPECT_EQ(counter(second, "snapshots_applied"), 0u) << "deltas were available; no snapshot needed";
  EXPECT_EQ(version(), 3);
  // The deltas' tombstones took effect: subject S-55 and its flags are gone.
  auto m = cache->match({"155 MAPLE ST, Springfield IL", {}, {}, {}});
  EXPECT_EQ(m.level, cache::MatchLevel::exact);
  EXPECT_TRUE(m.flags.empty());
  for (const auto& f : m.flags) EXPECT_NE(f.subject_id, "S-55");

  // Nothing new: one question, one answer.
  auto third = make_sync(options(registry.endpoint()))->run_once(30s);
  EXPECT_EQ(third.state, "current");
  EXPECT_EQ(counter(third, "requests"), 1u);
  EXPECT_EQ(counter(third, "bytes_fetched"), 0u);
}

TEST_F(RegistrySyncTest, UnitOlderThanTheOldestDeltaGetsTheSnapshot) {
  RegistryServer registry(dir);
  publish(registry.served_dir(), "v1.jsonl", generated_export(50, 1, "snapshot"));
  ASSERT_EQ(make_sync(options(registry.endpoint()))->run_once(30s).state, "current");
  // The registry moved on to a new snapshot and kept only the delta after it.
  publish(registry.served_dir(), "v5.jsonl", generated_export(60, 5, "snapshot", 5));
  publish(registry.served_dir(), "v6.jsonl", generated_export(60, 6, "delta", 6));
  auto s = make_sync(options(registry.endpoint()))->run_once(30s);
  ASSERT_EQ(s.state, "current") << s.last_error;
  EXPECT_EQ(counter(s, "snapshots_applied"), 1u);
  EXPECT_EQ(counter(s, "deltas_applied"), 1u);
  EXPECT_EQ(version(), 6);
}

// After an upgrade that changed the address rules, the cache wants the whole
// registry again. It asked for a snapshot only, a registry whose newest
// snapshot was older than the cache offered that one, the cache refused it,
// and no delta came again: a new flag never reached the car. The deltas now
// go on until a snapshot at or past the cache's version is published.
TEST_F(RegistrySyncTest, ACacheWantingASnapshotTakesDeltasWhileTheNewestSnapshotIsOlder) {
  RegistryServer registry(dir);
  publish(registry.served_dir(), "v1.jsonl", generated_export(50, 1, "snapshot"));
  publish(registry.served_dir(), "v2.jsonl", generated_export(50, 2, "delta", 2));
  ASSERT_EQ(make_sync(options(registry.endpoint()))->run_once(30s).state, "current");
  ASSERT_EQ(version(), 2);
  {
    sql::Db raw(dir.file("cache.db"), SQLITE_OPEN_READWRITE);  // as a cache read under older rules
    raw.exec("UPDATE meta SET value = '9' WHERE key = 'address_rules'");
  }
  ASSERT_TRUE(cache->wants_snapshot());
  const auto holding = [this]() -> RegistrySync::Holding {
    return {cache->synced_version(), cache->wants_snapshot()};
  };
  publish(registry.served_dir(), "v3.jsonl", generated_export(50, 3, "delta", 3));
  const auto behind = RegistrySync(options(registry.endpoint()), holding, importer()).run_once(30s);
  ASSERT_EQ(behind.state, "current") << behind.last_error;
  EXPECT_EQ(version(), 3) << "the delta came although a snapshot was wanted";
  EXPECT_EQ(counter(behind, "snapshots_older_than_cache"), 1u);
  EXPECT_EQ(counter(behind, "snapshots_applied"), 0u);
  EXPECT_EQ(counter(behind, "files_rejected"), 0u) << "the older snapshot was not even fetched";
  EXPECT_TRUE(cache->wants_snapshot());

  // A snapshot at or past the cache's version: taken, the premises re-read.
  publish(registry.served_dir(), "v4.jsonl", generated_export(50, 4, "snapshot", 4));
  const auto reread = RegistrySync(options(registry.endpoint()), holding, importer()).run_once(30s);
  ASSERT_EQ(reread.state, "current") << reread.last_error;
  EXPECT_EQ(counter(reread, "snapshots_applied"), 1u);
  EXPECT_EQ(version(), 4);
  EXPECT_FALSE(cache->wants_snapshot());
}

TEST_F(RegistrySyncTest, ResumesAfterTheRegistryIsKilledMidTransfer) {
  const std::string snapshot = generated_export(3000, 1, "snapshot");
  ASSERT_GT(snapshot.size(), 10 * kChunk);
  RegistryServer registry(dir, {"--chunk-bytes", std::to_string(kChunk), "--stop-after-chunks", "5"});
  publish(registry.served_dir(), "v1.jsonl", snapshot);

  auto o = as_written(options(registry.endpoint()));
  o.chunk_bytes = kChunk;
  o.request_timeout_ms = 3000;  // long enough that a busy machine never times out a live registry
  auto first = run_once_timing_out(
      o, [&] { EXPECT_EQ(registry.process().wait_for_exit(20s), 3) << registry.output(); });
  EXPECT_NE(first.state, "current");
  EXPECT_EQ(first.last_error_code, "sync.timeout");
  // The registry sent 5 chunks; how many left its queue before it died is
  // up to the kernel, but every one that arrived is kept. With 4 fetches in
  // flight, the 5th was asked only after the 1st arrived.
  const uint64_t held = counter(first, "bytes_fetched");
  ASSERT_GE(held, kChunk);
  EXPECT_LE(held, 5 * kChunk);
  EXPECT_EQ(held % kChunk, 0u);
  // Held sealed: one record per chunk, each a little larger than the chunk.
  const uint64_t part = std::filesystem::file_size(dir.file("cache.db.sync.part"));
  EXPECT_GT(part, held);
  EXPECT_LE(part, held + 5 * 64);
  EXPECT_EQ(std::filesystem::status(dir.file("cache.db.sync.key")).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  EXPECT_EQ(imports, 0);
  EXPECT_FALSE(cache->stats()->last_sync.size()) << "nothing applied from a partial file";

  // The registry comes back; a new process (a restarted plugin) picks up
  // where the first left off and fetches only the rest.
  registry.start({"--chunk-bytes", std::to_string(kChunk)});
  auto second = make_sync(o)->run_once(30s);
  ASSERT_EQ(second.state, "current") << second.last_error;
  EXPECT_EQ(counter(second, "transfers_resumed"), 1u);
  EXPECT_EQ(counter(second, "bytes_resumed"), held);
  EXPECT_EQ(counter(second, "bytes_fetched"), snapshot.size() - held);
  EXPECT_EQ(counter(second, "staging_discarded"), 0u);
  EXPECT_EQ(counter(second, "staging_chunks_rejected"), 0u);
  EXPECT_EQ(version(), 1);
  EXPECT_EQ(cache->stats()->premises, 3000);
  EXPECT_FALSE(staged()) << "staging file, description and key go once the file is imported";
}

TEST_F(RegistrySyncTest, InterruptedTransferLeavesNoPlaintextOnDisk) {
  const std::string snapshot = generated_export(3000, 1, "snapshot");
  // What the served export says in the clear within its first chunk.
  for (const char* marker : {"J. Doe 0", "Fictional safety note", "100 MAPLE ST", "\"type\":\"subject\""})
    ASSERT_LT(snapshot.find(marker), kChunk) << marker;
  RegistryServer registry(dir, {"--chunk-bytes", std::to_string(kChunk), "--stop-after-chunks", "5"});
  publish(registry.served_dir(), "v1.jsonl", snapshot);
  const uint64_t held = interrupted_transfer(registry, chunked(registry));
  ASSERT_GE(held, kChunk);
  for (const char* f : {"cache.db.sync.part", "cache.db.sync.json", "cache.db.sync.key"}) {
    const std::string bytes = read_file(dir.file(f));
    for (const char* marker : {"J. Doe", "Fictional", "MAPLE", "\"type\""})
      EXPECT_EQ(bytes.find(marker), std::string::npos) << marker << " in " << f;
  }
  // Nothing else beside the cache holds it either.
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    if (e.is_regular_file() && e.path().filename().string().rfind("cache.db", 0) == 0) {
      EXPECT_EQ(read_file(e.path().string()).find("J. Doe 0"), std::string::npos) << e.path();
    }
  }
}

TEST_F(RegistrySyncTest, TamperedStagingChunkIsFetchedAgainAndNeverApplied) {
  const std::string snapshot = generated_export(3000, 1, "snapshot");
  RegistryServer registry(dir, {"--chunk-bytes", std::to_string(kChunk), "--stop-after-chunks", "5"});
  publish(registry.served_dir(), "v1.jsonl", snapshot);
  const auto o = chunked(registry);
  const uint64_t held = interrupted_transfer(registry, o);
  ASSERT_GE(held, kChunk);
  // Someone with the disk flips a byte inside the first sealed chunk.
  const std::string part = dir.file("cache.db.sync.part");
  std::string bytes = read_file(part);
  bytes[12 + 12 + 1000] = static_cast<char>(bytes[12 + 12 + 1000] ^ 0x40);
  write_file(part, bytes);

  registry.start({"--chunk-bytes", std::to_string(kChunk)});
  auto second = make_sync(o)->run_once(30s);
  ASSERT_EQ(second.state, "current") << second.last_error;
  EXPECT_EQ(counter(second, "staging_chunks_rejected"), 1u);
  EXPECT_EQ(counter(second, "bytes_resumed"), 0u) << "nothing before the altered chunk to keep";
  EXPECT_EQ(counter(second, "bytes_fetched"), snapshot.size());
  EXPECT_EQ(counter(second, "verify_failures"), 0u);
  EXPECT_EQ(imports, 1);
  EXPECT_EQ(cache->stats()->premises, 3000);
  EXPECT_FALSE(staged());
}

TEST_F(RegistrySyncTest, MissingOrExposedKeyFileMeansAFreshTransfer) {
  const std::string snapshot = generated_export(3000, 1, "snapshot");
  for (const std::string fault : {"missing", "world-readable"}) {
    SCOPED_TRACE(fault);
    TempDir run;
    RegistryServer registry(run, {"--chunk-bytes", std::to_string(kChunk), "--stop-after-chunks", "5"});
    publish(registry.served_dir(), "v1.jsonl", snapshot);
    auto o = chunked(registry);
    o.staging_path = run.file("cache.db.sync");
    auto c = cache::Cache::open({run.file("cache.db"), "", true, 24});
    ASSERT_TRUE(c.ok());
    cache = std::make_unique<cache::Cache>(std::move(*c));
    imports = 0;
    ASSERT_GE(interrupted_transfer(registry, o), kChunk);
    const std::string key = run.file("cache.db.sync.key");
    if (fault == "missing")
      std::filesystem::remove(key);
    else
      std::filesystem::permissions(key, std::filesystem::perms::others_read | std::filesystem::perms::group_read,
                                   std::filesystem::perm_options::add);

    registry.start({"--chunk-bytes", std::to_string(kChunk)});
    auto second = make_sync(o)->run_once(30s);
    ASSERT_EQ(second.state, "current") << second.last_error;
    EXPECT_EQ(counter(second, "staging_discarded"), 1u);
    // Said, naming the file and what is wrong, where a caller without the
    // log (cache sync) finds it.
    ASSERT_EQ(second.warnings.size(), 1u);
    EXPECT_NE(second.warnings[0].find(key + (fault == "missing" ? " is missing" : " has mode 0644: expected 0600")),
              std::string::npos)
        << second.warnings[0];
    EXPECT_EQ(counter(second, "transfers_resumed"), 0u);
    EXPECT_EQ(counter(second, "bytes_fetched"), snapshot.size());
    EXPECT_EQ(imports, 1);
    EXPECT_EQ(cache->stats()->premises, 3000);
    for (const char* f : {"cache.db.sync.part", "cache.db.sync.json", "cache.db.sync.key"})
      EXPECT_FALSE(std::filesystem::exists(run.file(f))) << f;
    cache.reset();
  }
}

// The cache, and so its staging, on a small disk of its own.
class RegistrySyncOnASmallDisk : public RegistrySyncTest {
 protected:
  void SetUp() override {
    if (!disk.available()) GTEST_SKIP() << "cannot mount a tmpfs here";
    cache.reset();
    auto c = cache::Cache::open({disk.file("cache.db"), "", true, 24});
    ASSERT_TRUE(c.ok()) << c.error().message;
    cache = std::make_unique<cache::Cache>(std::move(*c));
  }
  RegistrySyncOptions on_disk(RegistrySyncOptions o) const {
    o.staging_path = disk.file("cache.db.sync");
    o.cache_path = disk.file("cache.db");
    return o;
  }
  bool staged_on_disk() const {
    return std::filesystem::exists(disk.file("cache.db.sync.part")) ||
           std::filesystem::exists(disk.file("cache.db.sync.json")) ||
           std::filesystem::exists(disk.file("cache.db.sync.key"));
  }
  uint64_t free_bytes() const { return std::filesystem::space(disk.path()).available; }

  SmallDisk disk{16 << 10};
};

TEST_F(RegistrySyncOnASmallDisk, AnOfferThatDoesNotFitIsNotFetchedAndTheCacheKeepsItsVersion) {
  // Version 1 in the cache; version 2 would leave less than the reserve.
  ASSERT_TRUE(cache->import_text(generated_export(50, 1, "snapshot"), "seed").ok());
  const std::string snapshot = generated_export(3000, 2, "snapshot");
  RegistryServer registry(dir);
  publish(registry.served_dir(), "v2.jsonl", snapshot);
  auto o = on_disk(as_written(options(registry.endpoint())));
  o.min_free_bytes = free_bytes() - snapshot.size();  // the file alone would fit; not with its import
  const uint64_t before = free_bytes();
  auto r = make_sync(o)->run_once(30s);
  EXPECT_EQ(r.state, "failed");
  EXPECT_EQ(r.last_error_code, "sync.no_space");
  for (const char* words : {"snapshot version 2", "does not fit on the cache's disk", "for the import",
                            "free for the outbox and the incident journal", "is free", disk.path().c_str()})
    EXPECT_NE(r.last_error.find(words), std::string::npos) << words << " in: " << r.last_error;
  EXPECT_EQ(counter(r, "no_space"), 1u);
  EXPECT_EQ(counter(r, "bytes_fetched"), 0u);
  EXPECT_EQ(counter(r, "transfers"), 0u);
  EXPECT_EQ(imports, 0);
  EXPECT_EQ(version(), 1);
  EXPECT_FALSE(staged_on_disk());
  EXPECT_GE(free_bytes(), before) << "nothing written for an offer that does not fit";

  // With room for it (a smaller reserve), the same offer syncs.
  o.min_free_bytes = 1 << 20;
  auto ok = make_sync(o)->run_once(30s);
  ASSERT_EQ(ok.state, "current") << ok.last_error;
  EXPECT_EQ(version(), 2);
  EXPECT_FALSE(staged_on_disk());
}

TEST_F(RegistrySyncOnASmallDisk, BytesStagedOnAFullDiskAreDeletedNotResumedIntoIt) {
  const std::string snapshot = generated_export(3000, 1, "snapshot");
  RegistryServer registry(dir, {"--chunk-bytes", std::to_string(kChunk), "--stop-after-chunks", "5"});
  publish(registry.served_dir(), "v1.jsonl", snapshot);
  auto o = on_disk(chunked(registry));
  o.min_free_bytes = 1 << 20;
  const uint64_t held = interrupted_transfer(registry, o);
  ASSERT_GE(held, kChunk);
  ASSERT_TRUE(staged_on_disk());
  // Something else fills the disk: the held bytes now eat the reserve.
  disk.fill();
  ASSERT_LT(free_bytes(), o.min_free_bytes);

  registry.start({"--chunk-bytes", std::to_string(kChunk)});
  auto r = make_sync(o)->run_once(30s);
  EXPECT_EQ(r.last_error_code, "sync.no_space") << r.last_error;
  EXPECT_NE(r.last_error.find("were deleted"), std::string::npos) << r.last_error;
  EXPECT_EQ(counter(r, "no_space"), 1u);
  EXPECT_EQ(counter(r, "no_space_dropped"), 1u);
  EXPECT_EQ(counter(r, "bytes_fetched"), 0u);
  EXPECT_FALSE(staged_on_disk()) << "a full disk is given back, not kept full";
  EXPECT_GE(free_bytes(), held) << "the staged bytes' space is free again";
  EXPECT_EQ(imports, 0);

  // Once the filler goes, the file syncs from the start.
  disk.free_space();
  auto again = make_sync(o)->run_once(30s);
  ASSERT_EQ(again.state, "current") << again.last_error;
  EXPECT_EQ(counter(again, "bytes_fetched"), snapshot.size());
  EXPECT_EQ(version(), 1);
}

TEST_F(RegistrySyncOnASmallDisk, BytesStagedAboveTheReserveAreKeptToResume) {
  const std::string snapshot = generated_export(3000, 1, "snapshot");
  RegistryServer registry(dir, {"--chunk-bytes", std::to_string(kChunk), "--stop-after-chunks", "5"});
  publish(registry.served_dir(), "v1.jsonl", snapshot);
  auto o = on_disk(chunked(registry));
  o.min_free_bytes = 1 << 20;
  const uint64_t held = interrupted_transfer(registry, o);
  ASSERT_GE(held, kChunk);
  registry.start({"--chunk-bytes", std::to_string(kChunk)});
  // A reserve the disk cannot give, though it has more free than the old one.
  auto large = o;
  large.min_free_bytes = free_bytes();
  auto r = make_sync(large)->run_once(30s);
  EXPECT_EQ(r.last_error_code, "sync.no_space") << r.last_error;
  EXPECT_NE(r.last_error.find("are kept to resume"), std::string::npos) << r.last_error;
  EXPECT_EQ(counter(r, "no_space_dropped"), 0u);
  EXPECT_TRUE(std::filesystem::exists(disk.file("cache.db.sync.part")));
  auto resumed = make_sync(o)->run_once(30s);
  ASSERT_EQ(resumed.state, "current") << resumed.last_error;
  EXPECT_EQ(counter(resumed, "bytes_resumed"), held);
}

TEST_F(RegistrySyncOnASmallDisk, ADiskThatFillsUpDuringTheTransferIsGivenBack) {
  const std::string snapshot = generated_export(3000, 1, "snapshot");
  RegistryServer registry(dir, {"--chunk-bytes", std::to_string(kChunk)});
  publish(registry.served_dir(), "v1.jsonl", snapshot);
  auto o = on_disk(chunked(registry));
  o.min_free_bytes = 1 << 20;
  // The offer fits when it is checked; then something else takes the rest
  // of the disk before the first chunk is written.
  bool filled = false;
  RegistrySync sync(o, current_version(), importer(), RegistrySync::Confirm{},
                    [&](const RegistrySyncStatus& s) {
                      if (s.state == "transferring" && !filled) {
                        filled = true;
                        disk.fill();
                      }
                    });
  auto r = sync.run_once(30s);
  ASSERT_TRUE(filled);
  EXPECT_EQ(r.last_error_code, "sync.no_space") << r.last_error;
  EXPECT_NE(r.last_error.find("No space left on device"), std::string::npos) << r.last_error;
  EXPECT_EQ(counter(r, "no_space"), 1u);
  EXPECT_EQ(counter(r, "no_space_dropped"), 1u);
  EXPECT_FALSE(staged_on_disk()) << "what was staged is deleted, not left filling the disk";
  EXPECT_EQ(imports, 0);
}

TEST_F(RegistrySyncTest, BackgroundSyncRidesOutARegistryRestartWithoutRefetching) {
  constexpr uint64_t kSmallChunk = 32 << 10;
  const std::string snapshot = generated_export(2000, 1, "snapshot");
  RegistryServer registry(dir, {"--chunk-bytes", std::to_string(kSmallChunk), "--stop-after-chunks", "7"});
  publish(registry.served_dir(), "v1.jsonl", snapshot);
  auto o = as_written(options(registry.endpoint()));
  o.chunk_bytes = kSmallChunk;
  o.request_timeout_ms = 3000;
  o.time = time;
  StatusWaiter waiter;
  auto sync = make_sync(o, &waiter);
  ASSERT_TRUE(sync->start().ok());
  EXPECT_EQ(registry.process().wait_for_exit(20s), 3);
  // The registry is gone: the request in flight times out.
  ASSERT_TRUE(advance_until(*time, 3s, [&](auto settle) {
    return waiter.wait([](const RegistrySyncStatus& s) { return counter(s, "timeouts") >= 1; }, settle);
  })) << waiter.latest().state;

  registry.start({"--chunk-bytes", std::to_string(kSmallChunk)});
  // The backoff (at most 400 ms, jittered up to 480) passes; time moves no
  // further, so the resumed transfer runs with no timeout in its way.
  ASSERT_TRUE(advance_until(*time, 500ms, [&](auto settle) {
    return waiter.wait([](const RegistrySyncStatus& s) { return s.state != "failed"; }, settle);
  })) << waiter.latest().state;
  ASSERT_TRUE(waiter.wait([](const RegistrySyncStatus& s) { return s.state == "current"; }))
      << waiter.latest().last_error;
  sync->stop();
  const auto s = sync->status();
  EXPECT_GE(counter(s, "bytes_resumed"), 3 * kSmallChunk);  // fetch 7 went out after chunk 3 arrived
  EXPECT_LE(counter(s, "bytes_resumed"), 7 * kSmallChunk);
  // Every byte crossed the network once.
  EXPECT_EQ(counter(s, "bytes_fetched"), snapshot.size());
  EXPECT_GE(counter(s, "reconnects"), 1u);
  EXPECT_EQ(version(), 1);
}

// The nice value of each of this process's threads, from /proc.
std::vector<int> thread_nice_values() {
  std::vector<int> out;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream in(task.path() / "stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // Fields after the command name, which is in parentheses and may hold spaces:
    // state is field 3 and nice field 19, so nice is the 17th after ')'.
    std::istringstream rest(stat.substr(stat.rfind(')') + 1));
    std::string field;
    for (int i = 3; i <= 19 && rest >> field; ++i) {
    }
    if (rest) out.push_back(std::stoi(field));
  }
  return out;
}

// A background sync gives way to dispatches: its thread runs at a lower
// priority than the rest of the plugin (here, the test's own thread).
TEST_F(RegistrySyncTest, TheBackgroundSyncThreadRunsAtALowerPriority) {
  RegistryServer registry(dir);
  publish(registry.served_dir(), "v1.jsonl", generated_export(50, 1, "snapshot"));
  StatusWaiter waiter;
  auto sync = make_sync(options(registry.endpoint()), &waiter);
  const auto before = thread_nice_values();
  EXPECT_EQ(std::count(before.begin(), before.end(), 10), 0);
  ASSERT_TRUE(sync->start().ok());
  ASSERT_TRUE(waiter.wait([](const RegistrySyncStatus& s) { return s.state == "current"; }))
      << waiter.latest().last_error;
  const auto during = thread_nice_values();
  // The sync's thread, and those its ZeroMQ context started from it.
  EXPECT_GE(std::count(during.begin(), during.end(), 10), 1);
  EXPECT_EQ(getpriority(PRIO_PROCESS, static_cast<id_t>(gettid())), 0) << "the caller's priority is its own";
  sync.reset();  // its context's threads go with it
  const auto after = thread_nice_values();
  EXPECT_EQ(std::count(after.begin(), after.end(), 10), 0);
}

// A registry restored from a backup answers "up to date" at a version the
// unit already passed: that is no confirmation. The sync fails and says
// why, and the cache is not marked as heard from the registry, so the
// panel's age keeps counting instead of calling old data fresh.
TEST_F(RegistrySyncTest, ARegistryBehindTheCacheConfirmsNothing) {
  RegistryServer registry(dir);
  publish(registry.served_dir(), "v3.jsonl", generated_export(40, 3, "snapshot"));
  ASSERT_EQ(make_sync(options(registry.endpoint()))->run_once(30s).state, "current");
  ASSERT_EQ(version(), 3);
  std::filesystem::remove(registry.served_dir() + "/v3.jsonl");
  publish(registry.served_dir(), "v1.jsonl", generated_export(40, 1, "snapshot", 2));

  int confirmed = 0;
  RegistrySync sync(options(registry.endpoint()), current_version(), importer(),
                    [&](int64_t) { ++confirmed; });
  const auto r = sync.run_once(30s);
  EXPECT_EQ(r.state, "failed");
  EXPECT_EQ(r.last_error_code, "sync.registry_behind") << r.last_error;
  EXPECT_NE(r.last_error.find("version 1"), std::string::npos) << r.last_error;
  EXPECT_NE(r.last_error.find("version 3"), std::string::npos) << r.last_error;
  EXPECT_EQ(counter(r, "registry_behind"), 1u);
  EXPECT_EQ(confirmed, 0) << "a registry behind the cache confirmed its data as fresh";
  EXPECT_EQ(version(), 3);
  EXPECT_EQ(imports, 1) << "nothing of the older registry is taken";
}

TEST_F(RegistrySyncTest, CorruptTransferFailsVerificationAndIsFetchedAfresh) {
  RegistryServer registry(dir, {"--chunk-bytes", "8192", "--corrupt-chunk", "2"});
  publish(registry.served_dir(), "v1.jsonl", generated_export(100, 1, "snapshot"));
  auto o = as_written(options(registry.endpoint()));
  o.chunk_bytes = 8192;
  auto first = make_sync(o)->run_once(30s);
  EXPECT_EQ(first.state, "failed");
  EXPECT_EQ(first.last_error_code, "sync.verify_failed");
  EXPECT_EQ(counter(first, "verify_failures"), 1u);
  // The file streams into the import as it is verified; the import rolls
  // back when the hash does not match, so nothing of it is committed.
  EXPECT_EQ(cache->stats()->premises, 0) << "an unverified file is never committed";
  EXPECT_FALSE(cache->synced_version());
  EXPECT_FALSE(staged()) << "a file that failed verification is not resumed";
  EXPECT_EQ(first.transfer_total, 0u) << "the status shows no transfer that was discarded";

  auto second = make_sync(o)->run_once(30s);  // the fault was one chunk, once
  ASSERT_EQ(second.state, "current") << second.last_error;
  EXPECT_EQ(counter(second, "bytes_resumed"), 0u);
  EXPECT_EQ(version(), 1);
}

// Found from outside: a file whose bytes never match the SHA-256 offered
// was fetched whole at every attempt (7 times in 40 s; a 745 MB snapshot
// every interval, on every car). The first failure may be a transfer fault
// and is fetched afresh; the second in a row is remembered for the run.
TEST_F(RegistrySyncTest, AFileThatFailsVerificationTwiceIsNotFetchedAgainUntilAnotherIsOffered) {
  RegistryServer registry(dir, {"--chunk-bytes", "8192", "--corrupt-always"});
  const std::string v1 = generated_export(100, 1, "snapshot");
  publish(registry.served_dir(), "v1.jsonl", v1);
  auto o = as_written(options(registry.endpoint()));
  o.chunk_bytes = 8192;
  StatusWaiter waiter;
  auto sync = make_sync(o, &waiter);
  ASSERT_TRUE(sync->start().ok());
  ASSERT_TRUE(waiter.wait([](const RegistrySyncStatus& s) { return s.state == "rejected"; }, 30s))
      << waiter.latest().state << " " << waiter.latest().last_error;
  auto s = sync->status();
  EXPECT_EQ(s.last_error_code, "sync.verify_failed") << s.last_error;
  EXPECT_NE(s.last_error.find("snapshot version 1 from " + o.endpoint + " failed verification twice (the "
                              "registry's bytes do not match the SHA-256 it offered"),
            std::string::npos)
      << s.last_error;
  EXPECT_NE(s.last_error.find("not fetched again until the registry offers another file"), std::string::npos)
      << s.last_error;
  EXPECT_EQ(counter(s, "verify_failures"), 2u);
  EXPECT_EQ(counter(s, "transfers"), 2u) << "fetched afresh once after the first failure, then no more";
  EXPECT_EQ(counter(s, "bytes_fetched"), 2 * v1.size());
  EXPECT_EQ(counter(s, "verify_skipped"), 0u);
  EXPECT_EQ(cache->stats()->premises, 0);
  EXPECT_FALSE(staged());

  // The next intervals: the same file is offered and skipped, unfetched,
  // even once the registry serves it intact (it is known by its hash).
  registry.start({"--chunk-bytes", "8192"});
  for (uint64_t i = 1; i <= 2; ++i) {
    sync->sync_now();
    ASSERT_TRUE(waiter.wait([&](const RegistrySyncStatus& st) { return counter(st, "verify_skipped") >= i; }, 30s))
        << waiter.latest().state << " " << waiter.latest().last_error;
  }
  s = sync->status();
  EXPECT_EQ(s.state, "rejected");
  EXPECT_EQ(s.last_error_code, "sync.verify_failed") << s.last_error;
  EXPECT_NE(s.last_error.find("failed verification twice"), std::string::npos) << s.last_error;
  EXPECT_EQ(counter(s, "transfers"), 2u);
  EXPECT_EQ(counter(s, "bytes_fetched"), 2 * v1.size());

  // Another file (another SHA-256) is fetched and applied.
  publish(registry.served_dir(), "v2.jsonl", generated_export(100, 2, "snapshot", 2));
  sync->sync_now();
  ASSERT_TRUE(waiter.wait([](const RegistrySyncStatus& st) { return st.state == "current"; }, 30s))
      << waiter.latest().state << " " << waiter.latest().last_error;
  sync->stop();
  EXPECT_EQ(version(), 2);
  EXPECT_EQ(counter(sync->status(), "transfers"), 3u);
}

// After one failed verification the file is fetched afresh, and a good copy
// is applied: a transfer fault is not held against the file.
TEST_F(RegistrySyncTest, OneFailedVerificationIsFetchedAfreshInTheBackgroundAndApplied) {
  RegistryServer registry(dir, {"--chunk-bytes", "8192", "--corrupt-chunk", "2"});
  publish(registry.served_dir(), "v1.jsonl", generated_export(100, 1, "snapshot"));
  auto o = as_written(options(registry.endpoint()));
  o.chunk_bytes = 8192;
  StatusWaiter waiter;
  auto sync = make_sync(o, &waiter);
  ASSERT_TRUE(sync->start().ok());
  ASSERT_TRUE(waiter.wait([](const RegistrySyncStatus& s) { return s.state == "current"; }, 30s))
      << waiter.latest().state << " " << waiter.latest().last_error;
  sync->stop();
  const auto s = sync->status();
  EXPECT_EQ(counter(s, "verify_failures"), 1u);
  EXPECT_EQ(counter(s, "verify_skipped"), 0u);
  EXPECT_EQ(counter(s, "transfers"), 2u);
  EXPECT_EQ(version(), 1);
}

TEST_F(RegistrySyncTest, RefusedFileIsCountedOldDataStaysAndItIsNotFetchedAgain) {
  RegistryServer registry(dir);
  publish(registry.served_dir(), "v1.jsonl", generated_export(100, 1, "snapshot"));
  auto o = options(registry.endpoint());
  StatusWaiter waiter;
  auto sync = make_sync(o, &waiter);
  ASSERT_TRUE(sync->start().ok());
  ASSERT_TRUE(waiter.wait([](const RegistrySyncStatus& s) { return s.state == "current"; }));

  // A delta whose third line is broken (and whose trailer vouches for it,
  // as a faulty writer's would): the cache refuses it whole.
  const std::string broken =
      "{\"type\":\"header\",\"mode\":\"delta\",\"version\":2,\"created\":\"2026-11-22T07:00:00Z\"}\n"
      "{\"type\":\"delete\",\"id\":\"F-0-s\"}\n"
      "{\"type\":\"flag\",\"id\":\n";
  publish(registry.served_dir(), "v2.jsonl", broken + cache::registry_trailer(broken, {0, 0, 1, 0, 1}) + "\n");
  sync->sync_now();
  ASSERT_TRUE(waiter.wait([](const RegistrySyncStatus& s) { return s.state == "rejected"; }))
      << waiter.latest().state << " " << waiter.latest().last_error;
  auto s = sync->status();
  EXPECT_EQ(counter(s, "files_rejected"), 1u);
  EXPECT_EQ(s.last_error_code, "registry.bad_json") << s.last_error;
  EXPECT_EQ(version(), 1);
  EXPECT_EQ(cache->stats()->import_rejects, 1);
  auto m = cache->match({kP0, {}, {}, {}});
  bool weapons_flag_kept = false;
  for (const auto& f : m.flags) weapons_flag_kept = weapons_flag_kept || f.id == "F-0-s";
  EXPECT_TRUE(weapons_flag_kept) << "the refused delta's tombstone must not have applied";

  // Asked again (an operator, or the next interval): the same file is
  // recognised by its hash and not downloaded again.
  const uint64_t fetched = counter(s, "bytes_fetched");
  const uint64_t skipped = counter(s, "refused_skipped");
  for (int i = 1; i <= 2; ++i) {
    sync->sync_now();
    ASSERT_TRUE(waiter.wait([&](const RegistrySyncStatus& st) {
      return st.state == "rejected" && counter(st, "refused_skipped") >= skipped + i;
    }));
  }
  sync->stop();
  s = sync->status();
  EXPECT_EQ(counter(s, "files_rejected"), 1u);
  EXPECT_EQ(counter(s, "bytes_fetched"), fetched);

  // The registry fixes it with a new file: that one is fetched and applied.
  std::filesystem::remove(registry.served_dir() + "/v2.jsonl");
  publish(registry.served_dir(), "v2-fixed.jsonl", generated_export(100, 2, "delta", 9));
  auto fixed = make_sync(o)->run_once(30s);
  EXPECT_EQ(fixed.state, "current") << fixed.last_error;
  EXPECT_EQ(version(), 2);
}

// A delta refused because the cache was not at its base is no bad file: once
// the cache has reached that base it is the very file it needs. Skipped for
// the rest of the run, it left the unit behind for good, saying nothing.
TEST_F(RegistrySyncTest, ADeltaRefusedForItsBaseIsTakenOnceTheCacheHasReachedIt) {
  RegistryServer registry(dir, {"--delta-ahead-once"});
  publish(registry.served_dir(), "v1.jsonl", generated_export(100, 1, "snapshot"));
  ASSERT_EQ(make_sync(options(registry.endpoint()))->run_once(30s).state, "current");
  publish(registry.served_dir(), "v2.jsonl", generated_export(100, 2, "delta", 9));
  publish(registry.served_dir(), "v3.jsonl", generated_export(100, 3, "delta", 9));
  // Offered v3 while at 1: refused; then v1 again, v2, and v3 once more.
  auto s = make_sync(options(registry.endpoint()))->run_once(30s);
  EXPECT_EQ(s.state, "current") << s.last_error;
  EXPECT_EQ(counter(s, "files_rejected"), 1u);
  EXPECT_EQ(counter(s, "refused_skipped"), 0u);
  EXPECT_EQ(version(), 3);
}

// Found from outside: a refused delta with no newer snapshot behind it ended
// every sync with sync.no_path ("offered snapshot version 1 to a unit that
// holds version 2 and needs a snapshot"), the refusal itself only in cache
// stats, and counted as snapshots_older_than_cache, which is the address
// rules' counter. The sync now ends naming the refusal.
TEST_F(RegistrySyncTest, ARefusedDeltaWithNoNewerSnapshotEndsNamingTheRefusal) {
  RegistryServer registry(dir);
  publish(registry.served_dir(), "v1.jsonl", generated_export(100, 1, "snapshot"));
  publish(registry.served_dir(), "v2.jsonl", generated_export(100, 2, "delta", 2));
  ASSERT_EQ(make_sync(options(registry.endpoint()))->run_once(30s).state, "current");
  ASSERT_EQ(version(), 2);
  // Its third line has a date that does not exist; its trailer vouches for
  // it, as a faulty writer's would.
  const std::string bad =
      "{\"type\":\"header\",\"mode\":\"delta\",\"version\":3,\"created\":\"2026-11-22T07:00:00Z\"}\n"
      "{\"type\":\"delete\",\"id\":\"F-0-s\"}\n"
      "{\"type\":\"flag\",\"id\":\"F-9\",\"premise\":\"P-0\",\"kind\":\"care\",\"code\":\"AUTISM\","
      "\"audience\":\"all\",\"expires\":\"2026-02-30\"}\n";
  publish(registry.served_dir(), "v3.jsonl", bad + cache::registry_trailer(bad, {0, 0, 1, 0, 1}) + "\n");

  auto s = make_sync(options(registry.endpoint()))->run_once(30s);
  EXPECT_EQ(s.state, "rejected") << s.last_error;
  EXPECT_EQ(s.last_error_code.rfind("registry.", 0), 0u) << s.last_error_code << ": " << s.last_error;
  for (const std::string& words :
       {std::string("delta version 3 was refused (") + s.last_error_code + ": ", std::string("\"2026-02-30\": expected a date"),
        std::string("the registry offers no snapshot newer than the cache (snapshot version 1; the cache holds version 2)")})
    EXPECT_NE(s.last_error.find(words), std::string::npos) << words << " in: " << s.last_error;
  EXPECT_EQ(counter(s, "files_rejected"), 1u);
  EXPECT_EQ(counter(s, "refused_skipped"), 1u) << "asked for the next again, the same delta is not fetched again";
  EXPECT_EQ(counter(s, "snapshots_older_than_cache"), 0u) << "that counter is the address rules' case";
  EXPECT_EQ(version(), 2);
  EXPECT_FALSE(staged());

  // Corrected under the same version: the next sync takes it.
  std::filesystem::remove(registry.served_dir() + "/v3.jsonl");
  publish(registry.served_dir(), "v3-fixed.jsonl", generated_export(100, 3, "delta", 3));
  auto fixed = make_sync(options(registry.endpoint()))->run_once(30s);
  EXPECT_EQ(fixed.state, "current") << fixed.last_error;
  EXPECT_EQ(version(), 3);
}

// Found from outside: a registry answering `gone` to every fetch had the
// unit reconnect and refetch 1,000 times in 9 s, ending with "offered 1000
// files in one cycle" about one file.
TEST_F(RegistrySyncTest, AFileAnsweredGoneAgainAndAgainIsNotFetchedForever) {
  RegistryServer registry(dir, {"--gone-always"});
  publish(registry.served_dir(), "v1.jsonl", generated_export(50, 1, "snapshot"));
  auto s = make_sync(options(registry.endpoint()))->run_once(30s);
  EXPECT_EQ(s.state, "failed");
  EXPECT_EQ(s.last_error_code, "sync.registry_gone") << s.last_error;
  EXPECT_NE(s.last_error.find("offered snapshot version 1 again after answering gone for it 3 times"),
            std::string::npos)
      << s.last_error;
  EXPECT_EQ(counter(s, "transfers_gone"), 3u);
  EXPECT_EQ(counter(s, "offers"), 4u);
  EXPECT_LE(counter(s, "connects"), 4u);
  EXPECT_EQ(s.transfer_total, 0u) << "no transfer is left to show";
  EXPECT_FALSE(staged());
}

// The ids a registry's error codes become: its own for each code the
// protocol names, one for any other, so a registry cannot mint ids.
TEST_F(RegistrySyncTest, AnErrorCodeTheProtocolDoesNotNameIsOneIdWithTheCodeInTheMessage) {
  for (const auto& [sent, id] : std::vector<std::pair<std::string, std::string>>{
           {"no_path", "sync.registry_no_path"}, {"internal", "sync.registry_error"}, {"gone_", "sync.registry_error"}}) {
    zmq::context_t ctx(1);
    zmq::socket_t router(ctx, zmq::socket_type::router);
    router.set(zmq::sockopt::linger, 0);
    const std::string endpoint = "tcp://127.0.0.1:" + std::to_string(free_tcp_port());
    router.bind(endpoint);
    std::thread fake([&, sent = sent] {
      zmq::message_t who, body;
      if (!router.recv(who) || !router.recv(body)) return;
      auto ask = bridge::decode_sync_message(body.to_string_view());
      if (!ask) return;
      bridge::SyncMessage e;
      e.type = "error";
      e.req = ask->req;
      e.code = sent;
      e.message = "test";
      router.send(zmq::buffer(who.data(), who.size()), zmq::send_flags::sndmore);
      router.send(zmq::buffer(bridge::encode_sync_message(e)), zmq::send_flags::none);
    });
    auto s = make_sync(options(endpoint))->run_once(30s);
    fake.join();
    EXPECT_EQ(s.last_error_code, id) << sent;
    EXPECT_NE(s.last_error.find("answered " + sent + ": test"), std::string::npos) << s.last_error;
    EXPECT_EQ(counter(s, "registry_errors"), 1u);
  }
}

// --- Encodings (docs/protocol.md, "Encodings"): the four pairings of a unit
// and a registry that do or do not know zstd, a resume in the middle of a
// compressed stream, and compressed data that does not decompress.

TEST_F(RegistrySyncTest, NewUnitAndNewRegistryTransferZstdAndImportTheFileAsWritten) {
  const std::string snapshot = generated_export(2000, 1, "snapshot");
  RegistryServer registry(dir);
  publish(registry.served_dir(), "v1.jsonl", snapshot);
  auto s = make_sync(options(registry.endpoint()))->run_once(30s);
  ASSERT_EQ(s.state, "current") << s.last_error;
  const uint64_t wire = counter(s, "bytes_fetched");
  EXPECT_GT(wire, 0u);
  EXPECT_LE(wire * 5, snapshot.size()) << "bytes on the wire / JSON Lines must be at most 0.2";
  EXPECT_EQ(cache->stats()->premises, 2000);
  EXPECT_EQ(version(), 1);
  EXPECT_NE(registry.output().find("zstd"), std::string::npos) << registry.output();
  EXPECT_FALSE(staged());
  // A delta goes the same way.
  publish(registry.served_dir(), "v2.jsonl", generated_export(2000, 2, "delta", 2));
  auto d = make_sync(options(registry.endpoint()))->run_once(30s);
  ASSERT_EQ(d.state, "current") << d.last_error;
  EXPECT_EQ(counter(d, "deltas_applied"), 1u);
  EXPECT_EQ(version(), 2);
}

TEST_F(RegistrySyncTest, NewUnitAndARegistryFromBeforeCompressionGetTheFileAsWritten) {
  const std::string snapshot = generated_export(500, 1, "snapshot");
  RegistryServer registry(dir, {"--identity-only"});
  publish(registry.served_dir(), "v1.jsonl", snapshot);
  auto s = make_sync(options(registry.endpoint()))->run_once(30s);
  ASSERT_EQ(s.state, "current") << s.last_error;
  EXPECT_EQ(counter(s, "bytes_fetched"), snapshot.size());
  EXPECT_EQ(cache->stats()->premises, 500);
}

TEST_F(RegistrySyncTest, AUnitFromBeforeCompressionGetsTheFileAsWrittenFromANewRegistry) {
  const std::string snapshot = generated_export(500, 1, "snapshot");
  RegistryServer registry(dir);
  publish(registry.served_dir(), "v1.jsonl", snapshot);
  // The request an old unit sends, byte for byte: no accept_encoding.
  {
    zmq::context_t ctx(1);
    zmq::socket_t dealer(ctx, zmq::socket_type::dealer);
    dealer.set(zmq::sockopt::linger, 0);
    dealer.set(zmq::sockopt::rcvtimeo, 10000);
    dealer.set(zmq::sockopt::routing_id, "OLD1");
    dealer.connect(registry.endpoint());
    dealer.send(zmq::str_buffer(R"({"v":1,"type":"sync","req":"1","unit":"OLD1","want":"snapshot"})"));
    zmq::message_t reply;
    ASSERT_TRUE(dealer.recv(reply));
    const std::string body = reply.to_string();
    EXPECT_EQ(body.find("encoding"), std::string::npos) << body;
    EXPECT_EQ(body.find("wire_sha256"), std::string::npos) << body;
    auto offer = bridge::decode_sync_message(body);
    ASSERT_TRUE(offer.ok()) << body;
    EXPECT_EQ(offer->total, snapshot.size());
  }
  // The same through RegistrySync told to advertise nothing.
  auto o = options(registry.endpoint());
  o.accept_encodings.clear();
  auto s = make_sync(o)->run_once(30s);
  ASSERT_EQ(s.state, "current") << s.last_error;
  EXPECT_EQ(counter(s, "bytes_fetched"), snapshot.size());
  EXPECT_EQ(cache->stats()->premises, 500);
}

TEST_F(RegistrySyncTest, ACompressedTransferCutInTheMiddleResumesOnCompressedOffsets) {
  const std::string snapshot = generated_export(40000, 1, "snapshot");
  RegistryServer registry(dir, {"--chunk-bytes", std::to_string(kChunk), "--stop-after-chunks", "5"});
  publish(registry.served_dir(), "v1.jsonl", snapshot);
  const auto o = chunked(registry, true);
  auto first = run_once_timing_out(
      o, [&] { EXPECT_EQ(registry.process().wait_for_exit(60s), 3) << registry.output(); });
  EXPECT_EQ(first.last_error_code, "sync.timeout");
  const uint64_t held = counter(first, "bytes_fetched");
  const uint64_t wire_total = first.transfer_total;
  ASSERT_GE(held, kChunk);
  EXPECT_EQ(held % kChunk, 0u);
  ASSERT_GT(wire_total, 6 * kChunk) << "the cut is in the middle of the compressed stream";
  EXPECT_LT(wire_total * 5, snapshot.size());
  EXPECT_EQ(imports, 0);

  registry.start({"--chunk-bytes", std::to_string(kChunk)});
  auto second = make_sync(o)->run_once(60s);
  ASSERT_EQ(second.state, "current") << second.last_error;
  EXPECT_EQ(counter(second, "transfers_resumed"), 1u);
  EXPECT_EQ(counter(second, "bytes_resumed"), held);
  EXPECT_EQ(counter(second, "bytes_fetched"), wire_total - held);
  EXPECT_EQ(counter(second, "staging_chunks_rejected"), 0u);
  EXPECT_EQ(cache->stats()->premises, 40000);
  EXPECT_FALSE(staged());
}

TEST_F(RegistrySyncTest, ZstdThatDoesNotDecompressKeepsTheOldVersionAndIsAskedForAsWritten) {
  RegistryServer registry(dir);
  publish(registry.served_dir(), "v1.jsonl", generated_export(300, 1, "snapshot"));
  ASSERT_EQ(make_sync(options(registry.endpoint()))->run_once(30s).state, "current");
  publish(registry.served_dir(), "v2.jsonl", generated_export(400, 2, "snapshot", 2));
  // A registry whose compressor is broken: the stream arrives as sent (its
  // wire SHA-256 matches) and is not valid zstd.
  registry.start({"--corrupt-zstd"});
  auto sync = make_sync(options(registry.endpoint()));
  // Nothing of the stream that does not decompress is applied; the same run
  // asks for the file as written and gets v2 (so one cache sync recovers).
  auto s = sync->run_once(30s);
  ASSERT_EQ(s.state, "current") << s.last_error;
  EXPECT_EQ(counter(s, "bad_encoding"), 1u);
  EXPECT_EQ(counter(s, "verify_failures"), 0u) << "the bytes were the ones sent";
  EXPECT_EQ(counter(s, "files_applied"), 1u) << "the broken stream was never applied";
  ASSERT_EQ(s.warnings.size(), 1u);
  EXPECT_NE(s.warnings[0].find("could not be decompressed"), std::string::npos) << s.warnings[0];
  EXPECT_EQ(version(), 2);
  EXPECT_EQ(cache->stats()->premises, 400);
  EXPECT_FALSE(staged());
}

TEST_F(RegistrySyncTest, AByteChangedInAZstdTransferFailsVerificationNotDecoding) {
  RegistryServer registry(dir, {"--chunk-bytes", "8192", "--corrupt-chunk", "2"});
  publish(registry.served_dir(), "v1.jsonl", generated_export(3000, 1, "snapshot"));
  auto o = options(registry.endpoint());
  o.chunk_bytes = 8192;
  auto first = make_sync(o)->run_once(30s);
  EXPECT_EQ(first.state, "failed");
  EXPECT_EQ(first.last_error_code, "sync.verify_failed") << first.last_error;
  EXPECT_EQ(counter(first, "bad_encoding"), 0u);
  EXPECT_EQ(cache->stats()->premises, 0);
  EXPECT_FALSE(staged());
  auto second = make_sync(o)->run_once(30s);
  ASSERT_EQ(second.state, "current") << second.last_error;
  EXPECT_EQ(version(), 1);
}

TEST_F(RegistrySyncTest, LookupIsAnsweredWhileALargeImportRuns) {
  RegistryServer registry(dir);
  publish(registry.served_dir(), "v1.jsonl", generated_export(10, 1, "snapshot"));
  ASSERT_EQ(make_sync(options(registry.endpoint()))->run_once(30s).state, "current");
  publish(registry.served_dir(), "v2.jsonl", generated_export(9000, 2, "snapshot", 2));

  std::promise<void> started;
  std::atomic<bool> done{false};
  RegistrySync sync(
      options(registry.endpoint()), current_version(),
      [&](ByteSource& file, int64_t, const std::string&) -> Status {
        started.set_value();
        auto r = cache->import_stream(file, "registry sync test");
        done = true;
        if (!r) return r.error();
        return Ok{};
      });
  auto worker = std::async(std::launch::async, [&] { return sync.run_once(120s); });
  started.get_future().wait();
  int answered_during_import = 0;
  while (!done) {
    const auto m = cache->match({kP0, {}, {}, {}});
    ASSERT_EQ(m.level, cache::MatchLevel::exact);
    ASSERT_EQ(m.freshness, cache::Freshness::fresh);
    ASSERT_FALSE(m.flags.empty());
    if (!done) ++answered_during_import;
  }
  EXPECT_EQ(worker.get().state, "current");
  EXPECT_GT(answered_during_import, 0) << "every lookup waited for the import";
  EXPECT_EQ(cache->stats()->premises, 9000);
}

TEST_F(RegistrySyncTest, CurveSyncWorksAndAWrongServerKeyIsRefused) {
  auto server = bridge::generate_curve_key_pair();
  auto impostor = bridge::generate_curve_key_pair();
  auto client = bridge::generate_curve_key_pair();
  ASSERT_TRUE(server.ok() && impostor.ok() && client.ok());
  ASSERT_TRUE(bridge::write_curve_key_file(dir.file("registry.key"), *server, false).ok());
  RegistryServer registry(dir, {"--curve-secret-file", dir.file("registry.key")});
  publish(registry.served_dir(), "v1.jsonl", generated_export(20, 1, "snapshot"));

  auto o = options(registry.endpoint());
  o.client_public_key = client->public_key;
  o.client_secret_key = client->secret_key;
  o.request_timeout_ms = 2000;

  o.server_public_key = impostor->public_key;  // pinned to the wrong key
  auto refused = run_once_timing_out(o);
  EXPECT_NE(refused.state, "current");
  EXPECT_TRUE(refused.last_error_code == "sync.handshake" || refused.last_error_code == "sync.timeout")
      << refused.last_error_code;
  EXPECT_EQ(counter(refused, "offers"), 0u);
  EXPECT_TRUE(cache->stats()->last_sync.empty());

  auto plain = options(registry.endpoint());  // no CURVE at all
  plain.request_timeout_ms = 2000;
  EXPECT_NE(run_once_timing_out(plain).state, "current");
  EXPECT_TRUE(cache->stats()->last_sync.empty());

  o.server_public_key = server->public_key;
  auto ok = make_sync(o)->run_once(30s);
  ASSERT_EQ(ok.state, "current") << ok.last_error;
  EXPECT_EQ(version(), 1);
}

// A registry that answers, but only with what cannot be used, is no network
// fault: the message says it answered, and what was dropped.
TEST_F(RegistrySyncTest, ARegistryAnsweringOnlyGarbageIsNotReportedAsSilent) {
  zmq::context_t ctx(1);
  zmq::socket_t router(ctx, zmq::socket_type::router);
  router.set(zmq::sockopt::linger, 0);
  const std::string endpoint = "tcp://127.0.0.1:" + std::to_string(free_tcp_port());
  router.bind(endpoint);
  std::thread fake([&] {
    zmq::message_t id, body;
    if (!router.recv(id) || !router.recv(body)) return;
    router.send(zmq::buffer(id.data(), id.size()), zmq::send_flags::sndmore);
    router.send(zmq::str_buffer(R"({"v":1,"type":"banana","req":"1"})"), zmq::send_flags::none);
  });
  auto o = options(endpoint);
  o.request_timeout_ms = 2000;
  auto s = make_sync(o)->run_once(30s);
  fake.join();
  EXPECT_EQ(s.last_error_code, "sync.unusable_replies") << s.last_error;
  EXPECT_NE(s.last_error.find("answered 1 time(s) with replies that were dropped (last: dropped.unknown_type)"),
            std::string::npos)
      << s.last_error;
}

// A registry in a loop offered the unit's own snapshot each time it asked for
// the next file: re-applied a thousand times in one run, each a full rewrite,
// and the cache confirmed fresh meanwhile. Nothing not newer is fetched.
TEST_F(RegistrySyncTest, AnOfferNoNewerThanWhatTheUnitHoldsIsNotFetched) {
  {
    RegistryServer registry(dir);
    publish(registry.served_dir(), "v1.jsonl", generated_export(50, 1, "snapshot"));
    ASSERT_EQ(make_sync(options(registry.endpoint()))->run_once(30s).state, "current");
  }
  zmq::context_t ctx(1);
  zmq::socket_t router(ctx, zmq::socket_type::router);
  router.set(zmq::sockopt::linger, 0);
  const std::string endpoint = "tcp://127.0.0.1:" + std::to_string(free_tcp_port());
  router.bind(endpoint);
  std::atomic<int> fetches{0};
  std::thread fake([&] {
    zmq::message_t id, body;
    if (!router.recv(id) || !router.recv(body)) return;
    auto ask = bridge::decode_sync_message(body.to_string_view());
    if (!ask) return;
    bridge::SyncMessage offer;
    offer.type = "offer";
    offer.req = ask->req;
    offer.version = 1;
    offer.mode = "snapshot";
    offer.sha256 = std::string(64, 'a');
    offer.total = 100;
    const std::string text = bridge::encode_sync_message(offer);
    router.send(zmq::buffer(id.data(), id.size()), zmq::send_flags::sndmore);
    router.send(zmq::buffer(text), zmq::send_flags::none);
    // Anything more would be a fetch.
    zmq::pollitem_t items[] = {{router.handle(), 0, ZMQ_POLLIN, 0}};
    if (zmq::poll(items, 1, std::chrono::milliseconds(500)) > 0) ++fetches;
  });
  auto s = make_sync(options(endpoint))->run_once(30s);
  fake.join();
  EXPECT_EQ(s.last_error_code, "sync.registry_repeats") << s.last_error;
  EXPECT_EQ(counter(s, "offers_not_newer"), 1u);
  EXPECT_EQ(fetches.load(), 0);
  EXPECT_EQ(version(), 1);
}

// A registry that answers with everything but sense, then sense.
TEST_F(RegistrySyncTest, MalformedRepliesAreCountedAndDropped) {
  zmq::context_t ctx(1);
  zmq::socket_t router(ctx, zmq::socket_type::router);
  router.set(zmq::sockopt::linger, 0);
  const std::string endpoint = "tcp://127.0.0.1:" + std::to_string(free_tcp_port());
  router.bind(endpoint);
  std::thread fake([&] {
    zmq::message_t id, body;
    if (!router.recv(id) || !router.recv(body)) return;
    auto ask = bridge::decode_sync_message(body.to_string_view());
    if (!ask) return;
    const std::string req = ask->req;
    auto send = [&](std::vector<std::string> frames) {
      router.send(zmq::buffer(id.data(), id.size()), zmq::send_flags::sndmore);
      for (std::size_t i = 0; i < frames.size(); ++i)
        router.send(zmq::buffer(frames[i]), i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
    };
    send({"not json {"});
    send({R"({"v":2,"type":"up_to_date","req":")" + req + R"(","version":1})"});
    send({R"({"v":1,"type":"teleport","req":")" + req + R"("})"});
    send({R"({"v":1,"type":"up_to_date","req":")" + req + R"(","version":"one"})"});
    send({R"({"v":1,"type":"up_to_date","req":"someone-else","version":1})"});
    send({R"({"v":1,"type":"up_to_date","req":")" + req + R"(","version":1})", "stray data frame"});
    send({std::string(bridge::kMaxSyncMessageBytes + 1, ' ')});
    // An offer of chunks of no bytes: not fetched, and not taken as unsaid.
    send({R"({"v":1,"type":"offer","req":")" + req + R"(","version":1,"mode":"snapshot","total":100,"sha256":")" +
          std::string(64, 'a') + R"(","chunk_bytes":0})"});
    send({R"({"v":1,"type":"up_to_date","req":")" + req + R"(","version":0})"});
  });
  auto s = make_sync(options(endpoint))->run_once(30s);
  fake.join();
  // The one sensible reply is heard: an empty cache that asked for a
  // snapshot is not confirmed by "up to date".
  EXPECT_EQ(s.last_error_code, "sync.no_snapshot") << s.last_error;
  EXPECT_EQ(counter(s, "up_to_date_without_snapshot"), 1u);
  EXPECT_EQ(counter(s, "dropped.bad_json"), 1u);
  EXPECT_EQ(counter(s, "dropped.bad_version"), 1u);
  EXPECT_EQ(counter(s, "dropped.unknown_type"), 1u);
  EXPECT_EQ(counter(s, "dropped.bad_type"), 1u);
  EXPECT_EQ(counter(s, "dropped.stale_reply"), 1u);
  EXPECT_EQ(counter(s, "dropped.bad_frames"), 1u);
  EXPECT_EQ(counter(s, "dropped.too_large"), 1u);
  EXPECT_EQ(counter(s, "dropped.bad_value"), 1u);
  EXPECT_EQ(counter(s, "offers"), 0u) << "the offer of zero-byte chunks was taken";
  EXPECT_EQ(counter(s, "transfers"), 0u);
}

TEST_F(RegistrySyncTest, HaltMidTransferDeletesTheStagingFileAndNeverApplies) {
  RegistryServer registry(dir, {"--chunk-bytes", "4096"});
  publish(registry.served_dir(), "v1.jsonl", generated_export(5000, 1, "snapshot"));
  auto o = options(registry.endpoint());
  o.chunk_bytes = 4096;
  o.window = 1;
  StatusWaiter waiter;
  auto sync = make_sync(o, &waiter);
  ASSERT_TRUE(sync->start().ok());
  ASSERT_TRUE(waiter.wait([](const RegistrySyncStatus& s) { return s.state == "transferring"; }));
  ASSERT_TRUE(std::filesystem::exists(dir.file("cache.db.sync.key")));
  sync->halt("cache erased (test)");
  const int imports_at_halt = imports;
  EXPECT_FALSE(staged()) << "the wipe takes the key with the staging file";
  EXPECT_EQ(sync->status().state, "halted");
  sync->sync_now();  // a halted sync stays halted
  sync->stop();
  EXPECT_EQ(imports, imports_at_halt);
  EXPECT_FALSE(staged());
  EXPECT_EQ(sync->status().state, "halted");
}

TEST_F(RegistrySyncTest, UnreachableRegistryFailsWithATimeoutNotAHang) {
  auto o = options("tcp://127.0.0.1:" + std::to_string(free_tcp_port()));
  o.request_timeout_ms = 2000;
  auto s = run_once_timing_out(o);
  EXPECT_EQ(s.state, "failed");
  EXPECT_EQ(s.last_error_code, "sync.timeout");
  EXPECT_EQ(counter(s, "timeouts"), 1u);
}

TEST_F(RegistrySyncTest, BadOptionsAreRefusedAtStart) {
  auto o = options("tcp://127.0.0.1:1");
  o.identity = "unit with spaces";
  auto sync = make_sync(o);
  auto st = sync->start();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, "sync.config");
}

}  // namespace
}  // namespace mdtc::test
