// The streaming import as the registry sync drives it: a file staged
// (sealed) in SyncStaging, read back a record at a time into
// Cache::import_stream, against import_text of the same text on a second
// cache. Real SQLite files, no network.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>
#include <vector>

#include "mdtc/cache.h"
#include "mdtc/registry_line.h"
#include "sync_fixture.h"
#include "sync_staging.h"
#include "temp_dir.h"

namespace mdtc::bridge {
namespace {

// The text in pieces of `piece` bytes: lines cross the pieces' edges.
class Pieces : public ByteSource {
 public:
  Pieces(std::string_view text, std::size_t piece) : text_(text), piece_(piece) {}
  Result<std::string_view> next() override {
    const std::string_view p = text_.substr(std::min(pos_, text_.size()), piece_);
    pos_ += p.size();
    return p;
  }
  Status rewind() override {
    pos_ = 0;
    return Ok{};
  }

 private:
  std::string_view text_;
  std::size_t piece_, pos_ = 0;
};

std::unique_ptr<cache::Cache> open_cache(const test::TempDir& dir, const std::string& name) {
  cache::OpenOptions o;
  o.db_path = dir.file(name);
  auto c = cache::Cache::open(o);
  EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().message);
  return std::make_unique<cache::Cache>(std::move(*c));
}

// Every row of the cache that is not sealed (sealed values carry a random
// nonce each), in a fixed order: what two imports of one file must agree on.
std::string dump(const std::string& path) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  std::string out;
  for (const char* sql :
       {"SELECT id, display, hno, hns, predir, pretype, name, type, postdir, unit, unit_display, city, state, zip, "
        "lat, lon FROM premises ORDER BY id",
        "SELECT id FROM subjects ORDER BY id",
        "SELECT id, subject_id, premise_id, kind, code, audience, expires, validated FROM flags ORDER BY id",
        "SELECT premise_id, incident, at FROM history ORDER BY premise_id, incident",
        "SELECT alias, premise_id FROM premise_aliases ORDER BY alias, premise_id",
        "SELECT tbl, n FROM row_counts ORDER BY tbl", "SELECT code, n FROM flag_code_counts ORDER BY code",
        "SELECT key, value FROM meta WHERE key IN ('registry_version','snapshot_version','last_mode') ORDER BY key",
        "SELECT count(*) FROM premise_geo"}) {
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql, -1, &st, nullptr), SQLITE_OK) << sql;
    while (sqlite3_step(st) == SQLITE_ROW) {
      for (int i = 0; i < sqlite3_column_count(st); ++i) {
        const auto* t = sqlite3_column_text(st, i);
        out += t ? reinterpret_cast<const char*>(t) : "NULL";
        out += '|';
      }
      out += '\n';
    }
    sqlite3_finalize(st);
    out += "--\n";
  }
  sqlite3_close(db);
  return out;
}

std::string report_text(const cache::ImportReport& r) {
  return r.mode + " " + std::to_string(r.version) + " lines " + std::to_string(r.lines) + " p " +
         std::to_string(r.premises) + " s " + std::to_string(r.subjects) + " f " + std::to_string(r.flags) + " h " +
         std::to_string(r.history) + " d " + std::to_string(r.deletes) + " held " + std::to_string(r.flags_held) +
         " unknown " + std::to_string(r.unknown_codes) + " warnings " + std::to_string(r.warnings.size());
}

// Stages `text` as the registry sync would, in chunks of `chunk`; the offer
// claims `offered_sha` (the text's own unless given).
void stage(SyncStaging& s, const std::string& text, std::size_t chunk, int64_t version,
           const std::string& offered_sha = {}) {
  const StagedFileId id{version, "snapshot", offered_sha.empty() ? sha256_hex(text) : offered_sha, text.size(),
                        "identity", ""};
  ASSERT_TRUE(s.begin(id).ok());
  for (std::size_t at = 0; at < text.size(); at += chunk)
    ASSERT_TRUE(s.append(at, std::string_view(text).substr(at, chunk)).ok());
  ASSERT_TRUE(s.complete());
}

const std::string kNote = "Nonverbal; calm with low voice";

TEST(StreamingImport, EqualsImportTextOnTheSameFiles) {
  test::TempDir dir;
  const std::vector<std::string> files = {test::generated_export(300, 1, "snapshot", 4),
                                          test::generated_export(50, 2, "delta", 5)};
  auto a = open_cache(dir, "text.db");
  auto b = open_cache(dir, "staged.db");
  auto c = open_cache(dir, "pieces.db");
  for (std::size_t i = 0; i < files.size(); ++i) {
    auto by_text = a->import_text(files[i], "f");
    ASSERT_TRUE(by_text.ok()) << by_text.error().message;
    SyncStaging staging(dir.file("staged.db.sync"));
    stage(staging, files[i], 4096 + 17 * i, static_cast<int64_t>(i + 1));
    auto reader = staging.reader();
    ASSERT_TRUE(reader.ok());
    auto by_stream = b->import_stream(**reader, "f");
    ASSERT_TRUE(by_stream.ok()) << by_stream.error().message;
    Pieces tiny(files[i], 7);  // every line split, many times over
    auto by_pieces = c->import_stream(tiny, "f");
    ASSERT_TRUE(by_pieces.ok()) << by_pieces.error().message;
    EXPECT_EQ(report_text(*by_stream), report_text(*by_text));
    EXPECT_EQ(report_text(*by_pieces), report_text(*by_text));
    staging.discard();
  }
  const std::string golden = dump(dir.file("text.db"));
  EXPECT_GT(golden.size(), 10000u);
  EXPECT_EQ(dump(dir.file("staged.db")), golden);
  EXPECT_EQ(dump(dir.file("pieces.db")), golden);
  // Sealed values open the same (notes, names, history) through a lookup.
  const cache::AddressQuery q{"1208 N Maple St, Springfield IL", {}, {}, {}};
  const auto ma = a->match(q), mb = b->match(q);
  ASSERT_EQ(ma.flags.size(), mb.flags.size());
  for (std::size_t i = 0; i < ma.flags.size(); ++i) EXPECT_EQ(ma.flags[i].note, mb.flags[i].note);
}

TEST(StreamingImport, ErrorsAreTheSameWhateverThePieces) {
  test::TempDir dir;
  auto a = open_cache(dir, "a.db");
  ASSERT_TRUE(a->import_text(test::generated_export(20, 1, "snapshot"), "v1").ok());
  std::string file = test::generated_export(20, 2, "snapshot", 2);
  // A line longer than any line may be, in the middle of the file.
  const std::size_t second = file.find('\n') + 1;
  const std::string bad = file.substr(0, second) + std::string(70000, 'x') + "\n" + file.substr(second);
  for (const std::string& text : {bad, file.substr(0, file.rfind("{\"type\":\"trailer\"")),
                                  file.substr(0, file.size() - 20)}) {
    auto whole = a->import_text(text, "f");
    ASSERT_FALSE(whole.ok());
    for (std::size_t piece : {1000u, 65536u, 65537u}) {
      Pieces p(text, piece);
      auto streamed = a->import_stream(p, "f");
      ASSERT_FALSE(streamed.ok());
      EXPECT_EQ(streamed.error().code, whole.error().code);
      EXPECT_EQ(streamed.error().message, whole.error().message);
    }
  }
  EXPECT_EQ(a->stats()->registry_version, 1);
}

TEST(StreamingImport, HashMismatchAtTheLastChunkRollsBackAndTheOldVersionStays) {
  test::TempDir dir;
  auto c = open_cache(dir, "cache.db");
  ASSERT_TRUE(c->import_text(test::generated_export(40, 1, "snapshot"), "v1").ok());
  const std::string before = dump(dir.file("cache.db"));
  const std::string v2 = test::generated_export(60, 2, "snapshot", 3);
  // The registry offered v2; the last chunk arrived with one byte changed
  // inside the trailer's hash, which a chunk's own seal cannot notice.
  std::string arrived = v2;
  arrived[arrived.size() - 5] = arrived[arrived.size() - 5] == 'a' ? 'b' : 'a';
  SyncStaging staging(dir.file("cache.db.sync"));
  stage(staging, arrived, 8192, 2, sha256_hex(v2));
  auto reader = staging.reader();
  ASSERT_TRUE(reader.ok());
  auto r = c->import_stream(**reader, "registry snapshot version 2");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "sync.verify_failed") << r.error().message;
  EXPECT_EQ(c->stats()->registry_version, 1);
  EXPECT_EQ(c->stats()->premises, 40);
  EXPECT_EQ(dump(dir.file("cache.db")), before);
}

TEST(StreamingImport, BytesThatAreNotTheOfferLoseToNothingElseTheFileSays) {
  // A byte changed in transit inside a record makes a bad line; the
  // registry did not write it, so the file must not count as refused.
  test::TempDir dir;
  auto c = open_cache(dir, "cache.db");
  ASSERT_TRUE(c->import_text(test::generated_export(10, 1, "snapshot"), "v1").ok());
  const std::string v2 = test::generated_export(30, 2, "snapshot", 3);
  std::string arrived = v2;
  arrived[arrived.find("\"premise\"") + 2] = '\x01';
  SyncStaging staging(dir.file("cache.db.sync"));
  stage(staging, arrived, 4096, 2, sha256_hex(v2));
  auto reader = staging.reader();
  ASSERT_TRUE(reader.ok());
  auto r = c->import_stream(**reader, "registry snapshot version 2");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "sync.verify_failed") << r.error().message;
  EXPECT_EQ(c->stats()->registry_version, 1);
}

TEST(StreamingImport, TruncatedOrMissingTrailerRollsBack) {
  test::TempDir dir;
  auto c = open_cache(dir, "cache.db");
  ASSERT_TRUE(c->import_text(test::generated_export(40, 1, "snapshot"), "v1").ok());
  const std::string before = dump(dir.file("cache.db"));
  const std::string v2 = test::generated_export(60, 2, "snapshot", 3);
  const std::size_t trailer = v2.rfind("{\"type\":\"trailer\"");
  for (const std::string& cut : {v2.substr(0, trailer), v2.substr(0, trailer + 30), v2.substr(0, trailer - 40)}) {
    // Staged whole and verified: the registry served a cut file.
    SyncStaging staging(dir.file("cache.db.sync"));
    stage(staging, cut, 1024, 2);
    auto reader = staging.reader();
    ASSERT_TRUE(reader.ok());
    auto r = c->import_stream(**reader, "registry snapshot version 2");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "registry.incomplete") << r.error().message;
    EXPECT_EQ(dump(dir.file("cache.db")), before);
    staging.discard();
  }
  EXPECT_EQ(c->stats()->registry_version, 1);
}

TEST(StreamingImport, AnIdGivenTwiceInASnapshotIsNamedByBothLines) {
  test::TempDir dir;
  auto c = open_cache(dir, "cache.db");
  ASSERT_TRUE(c->import_text(test::generated_export(10, 1, "snapshot"), "v1").ok());
  const std::string head = R"({"type":"header","mode":"snapshot","version":2})"
                           "\n"
                           R"({"type":"premise","id":"X-1","address":"1 OAK AVE, Springfield IL"})"
                           "\n"
                           R"({"type":"premise","id":"P-2","address":"2 OAK AVE, Springfield IL"})"
                           "\n";
  // The same table, and two tables (ids are one namespace).
  const std::string same = head + R"({"type":"premise","id":"X-1","address":"3 OAK AVE, Springfield IL"})" "\n";
  const std::string across = head + R"({"type":"subject","id":"S-1","name":"A","born":"1990"})" "\n" +
                             R"({"type":"subject","id":"X-1","name":"B","born":"1990"})" "\n";
  for (const auto& [text, later] : {std::pair{same, 4}, std::pair{across, 5}}) {
    auto file = cache::complete_registry_file(text);
    ASSERT_TRUE(file.ok());
    Pieces p(*file, 50);
    auto r = c->import_stream(p, "f");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "registry.duplicate_id");
    EXPECT_EQ(r.error().message, "f:" + std::to_string(later) +
                                     ": X-1 was already given at line 2 (a file names each record once): not "
                                     "applied, previous data kept");
  }
  EXPECT_EQ(c->stats()->registry_version, 1);
  EXPECT_EQ(c->stats()->premises, 10);
}

}  // namespace
}  // namespace mdtc::bridge
