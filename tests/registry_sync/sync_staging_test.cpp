// The staging file of a registry transfer, on a real directory: what it
// resumes, what it throws away, that it never holds the registry's text in
// the clear, and that nothing unverified or altered passes.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "sync_staging.h"
#include "temp_dir.h"

namespace mdtc::bridge {
namespace {

namespace fs = std::filesystem;

// Everything the staging's reader hands out, and whether it verified: the
// text when it did, nullopt when it did not (a record that does not open,
// or a SHA-256 that does not match).
Result<std::optional<std::string>> read_verified(SyncStaging& s) {
  auto reader = s.reader();
  if (!reader) return reader.error();
  std::string text;
  for (;;) {
    auto piece = (*reader)->next();
    if (!piece) {
      if (piece.error().code == "sync.verify_failed") return std::optional<std::string>();
      return piece.error();
    }
    if (piece->empty()) break;
    text.append(*piece);
  }
  if (auto v = (*reader)->verify(); !v) {
    if (v.error().code == "sync.verify_failed") return std::optional<std::string>();
    return v.error();
  }
  return std::optional<std::string>(text);
}

const std::string kData =
    "{\"type\":\"header\",\"mode\":\"delta\",\"version\":4}\n"
    "{\"type\":\"subject\",\"id\":\"S-1\",\"name\":\"Marker Q. Plaintext\"}\n"
    "{\"type\":\"delete\",\"id\":\"F-1\"}\n";

StagedFileId id_for(const std::string& data, int64_t version = 4) {
  return {version, "delta", sha256_hex(data), data.size(), "identity", ""};
}

fs::perms perms_of(const std::string& path) { return fs::status(path).permissions() & fs::perms::all; }
constexpr fs::perms kOwnerOnly = fs::perms::owner_read | fs::perms::owner_write;

// Flips one byte of the staging file in place.
void flip_byte(const std::string& path, std::size_t at) {
  std::string bytes = test::read_file(path);
  ASSERT_LT(at, bytes.size());
  bytes[at] = static_cast<char>(bytes[at] ^ 0x01);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

// Where each record starts: 12-byte header (offset, length), then the
// sealed chunk (nonce, ciphertext, tag).
std::vector<std::size_t> record_starts(const std::string& file) {
  std::vector<std::size_t> starts;
  std::size_t pos = 0;
  while (pos + 12 <= file.size()) {
    starts.push_back(pos);
    uint64_t len = 0;
    for (int i = 8; i < 12; ++i) len = (len << 8) | static_cast<unsigned char>(file[pos + i]);
    pos += 12 + len + kStagingSealOverhead;
  }
  return starts;
}

// Writes kData in three chunks and stops, as an interrupted transfer.
void stage_in_three(const std::string& base, std::size_t upto = 3) {
  SyncStaging s(base);
  ASSERT_EQ(s.begin(id_for(kData))->held, 0u);
  const std::size_t cuts[] = {0, 20, 40, kData.size()};
  for (std::size_t i = 0; i < upto; ++i)
    ASSERT_TRUE(s.append(cuts[i], std::string_view(kData).substr(cuts[i], cuts[i + 1] - cuts[i])).ok());
}

TEST(SyncStaging, WholeFileInPiecesVerifiesAndComesBackAsText) {
  test::TempDir dir;
  SyncStaging s(dir.file("cache.db.sync"));
  ASSERT_EQ(s.begin(id_for(kData))->held, 0u);
  ASSERT_TRUE(s.append(0, std::string_view(kData).substr(0, 10)).ok());
  ASSERT_TRUE(s.append(10, std::string_view(kData).substr(10)).ok());
  EXPECT_TRUE(s.complete());
  auto text = read_verified(s);
  ASSERT_TRUE(text.ok());
  ASSERT_TRUE(text->has_value());
  EXPECT_EQ(**text, kData);
  EXPECT_EQ(perms_of(s.part_path()), kOwnerOnly);
  EXPECT_EQ(perms_of(s.key_path()), kOwnerOnly);
  EXPECT_EQ(fs::file_size(s.key_path()), kStagingKeyBytes);
}

TEST(SyncStaging, StagingFileNeverHoldsThePlaintext) {
  test::TempDir dir;
  stage_in_three(dir.file("cache.db.sync"), 2);  // interrupted after two chunks
  const std::string part = test::read_file(dir.file("cache.db.sync.part"));
  EXPECT_EQ(part.find("Marker"), std::string::npos);
  EXPECT_EQ(part.find("\"type\""), std::string::npos);
  EXPECT_EQ(part.find("header"), std::string::npos);
  for (const auto& e : fs::directory_iterator(dir.path()))
    EXPECT_EQ(test::read_file(e.path().string()).find("Marker"), std::string::npos) << e.path();
}

TEST(SyncStaging, SameFileOfferedAgainResumesFromWhatIsHeld) {
  test::TempDir dir;
  stage_in_three(dir.file("cache.db.sync"), 2);  // interrupted: the process went away
  SyncStaging again(dir.file("cache.db.sync"));
  auto held = again.begin(id_for(kData));
  ASSERT_TRUE(held.ok());
  EXPECT_EQ(held->held, 40u);
  EXPECT_TRUE(held->discarded.empty());
  EXPECT_EQ(held->chunks_rejected, 0u);
  ASSERT_TRUE(again.append(40, std::string_view(kData).substr(40)).ok());
  auto text = read_verified(again);
  ASSERT_TRUE(text.ok() && text->has_value()) << "the bytes held before the restart are part of the file";
  EXPECT_EQ(**text, kData);
}

TEST(SyncStaging, TornRecordAtTheEndIsCutOffAndRefetched) {
  test::TempDir dir;
  stage_in_three(dir.file("cache.db.sync"), 2);
  const std::string part = dir.file("cache.db.sync.part");
  fs::resize_file(part, fs::file_size(part) - 5);  // a crash in the middle of a write
  SyncStaging again(dir.file("cache.db.sync"));
  auto held = again.begin(id_for(kData));
  ASSERT_TRUE(held.ok());
  EXPECT_EQ(held->held, 20u);
  EXPECT_EQ(held->chunks_rejected, 0u) << "a torn write is not tampering";
  ASSERT_TRUE(again.append(20, std::string_view(kData).substr(20)).ok());
  EXPECT_EQ(**read_verified(again), kData);
}

TEST(SyncStaging, TamperedChunkIsRejectedAndFetchedAgain) {
  test::TempDir dir;
  stage_in_three(dir.file("cache.db.sync"), 3);
  const std::string part = dir.file("cache.db.sync.part");
  const auto starts = record_starts(test::read_file(part));
  ASSERT_EQ(starts.size(), 3u);
  flip_byte(part, starts[1] + 12 + kStagingNonceBytes + 3);  // the second chunk's ciphertext
  SyncStaging again(dir.file("cache.db.sync"));
  auto held = again.begin(id_for(kData));
  ASSERT_TRUE(held.ok());
  EXPECT_EQ(held->held, 20u) << "only what precedes the altered chunk is kept";
  EXPECT_EQ(held->chunks_rejected, 1u);
  EXPECT_EQ(fs::file_size(part), starts[1]);
  ASSERT_TRUE(again.append(20, std::string_view(kData).substr(20)).ok());
  EXPECT_EQ(**read_verified(again), kData);
}

TEST(SyncStaging, ChunksSwappedOnDiskDoNotOpen) {
  // Equal-sized chunks whose sealed bodies trade places, headers left alone:
  // the offset in the associated data gives them away.
  test::TempDir dir;
  const std::string data(64, 'x');
  const std::string base = dir.file("cache.db.sync");
  {
    SyncStaging s(base);
    ASSERT_TRUE(s.begin(id_for(data)).ok());
    ASSERT_TRUE(s.append(0, data.substr(0, 32)).ok());
    ASSERT_TRUE(s.append(32, data.substr(32)).ok());
  }
  std::string file = test::read_file(base + ".part");
  const std::size_t rec = 12 + 32 + kStagingSealOverhead;
  ASSERT_EQ(file.size(), 2 * rec);
  std::string a = file.substr(12, rec - 12), b = file.substr(rec + 12, rec - 12);
  file.replace(12, rec - 12, b);
  file.replace(rec + 12, rec - 12, a);
  std::ofstream(base + ".part", std::ios::binary | std::ios::trunc) << file;
  SyncStaging again(base);
  auto held = again.begin(id_for(data));
  ASSERT_TRUE(held.ok());
  EXPECT_EQ(held->held, 0u);
  EXPECT_EQ(held->chunks_rejected, 1u);
}

TEST(SyncStaging, AlteredAfterTheLastChunkNeverVerifies) {
  test::TempDir dir;
  SyncStaging s(dir.file("cache.db.sync"));
  ASSERT_TRUE(s.begin(id_for(kData)).ok());
  ASSERT_TRUE(s.append(0, kData).ok());
  flip_byte(s.part_path(), 12 + kStagingNonceBytes + 7);
  auto text = read_verified(s);
  ASSERT_TRUE(text.ok());
  EXPECT_FALSE(text->has_value());
}

TEST(SyncStaging, MissingKeyDiscardsWhatIsHeldAndStartsAfresh) {
  test::TempDir dir;
  stage_in_three(dir.file("cache.db.sync"), 2);
  fs::remove(dir.file("cache.db.sync.key"));
  SyncStaging again(dir.file("cache.db.sync"));
  auto held = again.begin(id_for(kData));
  ASSERT_TRUE(held.ok());
  EXPECT_EQ(held->held, 0u);
  EXPECT_NE(held->discarded.find("is missing"), std::string::npos) << held->discarded;
  EXPECT_EQ(fs::file_size(again.part_path()), 0u);
  EXPECT_EQ(perms_of(again.key_path()), kOwnerOnly) << "a new key for the new transfer";
  ASSERT_TRUE(again.append(0, kData).ok());
  EXPECT_EQ(**read_verified(again), kData);
}

TEST(SyncStaging, KeyReadableByOthersIsRefusedAndReplaced) {
  test::TempDir dir;
  stage_in_three(dir.file("cache.db.sync"), 2);
  const std::string key = dir.file("cache.db.sync.key");
  const std::string old_key = test::read_file(key);
  ASSERT_EQ(::chmod(key.c_str(), 0644), 0);
  SyncStaging again(dir.file("cache.db.sync"));
  auto held = again.begin(id_for(kData));
  ASSERT_TRUE(held.ok());
  EXPECT_EQ(held->held, 0u);
  EXPECT_NE(held->discarded.find("mode 0644: expected 0600"), std::string::npos) << held->discarded;
  EXPECT_EQ(perms_of(key), kOwnerOnly);
  EXPECT_NE(test::read_file(key), old_key) << "a key others could read is never used again";
}

TEST(SyncStaging, KeyOfTheWrongSizeIsRefused) {
  test::TempDir dir;
  stage_in_three(dir.file("cache.db.sync"), 2);
  fs::resize_file(dir.file("cache.db.sync.key"), 16);
  SyncStaging again(dir.file("cache.db.sync"));
  auto held = again.begin(id_for(kData));
  ASSERT_TRUE(held.ok());
  EXPECT_EQ(held->held, 0u);
  EXPECT_NE(held->discarded.find("16 bytes: expected 32"), std::string::npos) << held->discarded;
}

TEST(SyncStaging, AnotherTransfersKeyOpensNothing) {
  test::TempDir dir;
  stage_in_three(dir.file("cache.db.sync"), 2);
  const std::string stolen = test::read_file(dir.file("cache.db.sync.part"));
  stage_in_three(dir.file("other.sync"), 2);  // same file, its own key
  std::ofstream(dir.file("cache.db.sync.part"), std::ios::binary | std::ios::trunc) << stolen;
  fs::copy_file(dir.file("other.sync.key"), dir.file("cache.db.sync.key"), fs::copy_options::overwrite_existing);
  SyncStaging again(dir.file("cache.db.sync"));
  auto held = again.begin(id_for(kData));
  ASSERT_TRUE(held.ok());
  EXPECT_EQ(held->held, 0u);
  EXPECT_EQ(held->chunks_rejected, 1u);
}

TEST(SyncStaging, ADifferentFileStartsAfreshWithANewKey) {
  test::TempDir dir;
  SyncStaging s(dir.file("cache.db.sync"));
  ASSERT_TRUE(s.begin(id_for(kData)).ok());
  ASSERT_TRUE(s.append(0, std::string_view(kData).substr(0, 17)).ok());
  s.close();
  const std::string old_key = test::read_file(s.key_path());
  const std::string newer = kData + "{\"type\":\"delete\",\"id\":\"F-2\"}\n";
  auto held = s.begin(id_for(newer, 5));
  ASSERT_TRUE(held.ok());
  EXPECT_EQ(held->held, 0u);
  EXPECT_TRUE(held->discarded.empty());
  EXPECT_EQ(fs::file_size(s.part_path()), 0u);
  EXPECT_NE(test::read_file(s.key_path()), old_key);
}

TEST(SyncStaging, PlainTextLeftByAnOlderBuildIsNotResumed) {
  // Before staging was sealed, the description said "v":1 and the part file
  // held the text itself.
  test::TempDir dir;
  const auto id = id_for(kData);
  test::write_file(dir.file("cache.db.sync.part"), kData.substr(0, 30));
  test::write_file(dir.file("cache.db.sync.json"),
                   "{\"v\":1,\"version\":4,\"mode\":\"delta\",\"sha256\":\"" + id.sha256 +
                       "\",\"total\":" + std::to_string(id.total) + "}\n");
  SyncStaging s(dir.file("cache.db.sync"));
  auto held = s.begin(id);
  ASSERT_TRUE(held.ok());
  EXPECT_EQ(held->held, 0u);
  EXPECT_EQ(fs::file_size(s.part_path()), 0u) << "the old plain text is gone";
}

TEST(SyncStaging, TamperedBytesFromTheRegistryFailVerification) {
  test::TempDir dir;
  SyncStaging s(dir.file("cache.db.sync"));
  ASSERT_TRUE(s.begin(id_for(kData)).ok());
  std::string bad = kData;
  bad[5] ^= 0x20;
  ASSERT_TRUE(s.append(0, bad).ok());
  auto text = read_verified(s);
  ASSERT_TRUE(text.ok());
  EXPECT_FALSE(text->has_value());
}

TEST(SyncStaging, OutOfOrderOrOverlongChunksAreRefused) {
  test::TempDir dir;
  SyncStaging s(dir.file("cache.db.sync"));
  ASSERT_TRUE(s.begin(id_for(kData)).ok());
  EXPECT_FALSE(s.append(5, "xyz").ok()) << "a gap";
  EXPECT_FALSE(s.append(0, kData + "more").ok()) << "past the offered size";
  EXPECT_EQ(s.size(), 0u);
}

TEST(SyncStaging, DiscardRemovesAllThreeFiles) {
  test::TempDir dir;
  SyncStaging s(dir.file("cache.db.sync"));
  ASSERT_TRUE(s.begin(id_for(kData)).ok());
  ASSERT_TRUE(fs::exists(dir.file("cache.db.sync.json")));
  ASSERT_TRUE(fs::exists(dir.file("cache.db.sync.key")));
  s.discard();
  s.discard();
  EXPECT_FALSE(fs::exists(dir.file("cache.db.sync.part")));
  EXPECT_FALSE(fs::exists(dir.file("cache.db.sync.json")));
  EXPECT_FALSE(fs::exists(dir.file("cache.db.sync.key")));
}

}  // namespace
}  // namespace mdtc::bridge

namespace mdtc::bridge {
namespace {

// An encoded transfer (docs/protocol.md, "Encodings"): the staged bytes are
// the stream's, known by its wire SHA-256 and bound to the file it decodes to.
StagedFileId encoded_id(const std::string& stream, const std::string& content_sha) {
  StagedFileId id{4, "delta", sha256_hex(stream), stream.size(), "identity", ""};
  id.encoding = "zstd";
  id.content_sha256 = content_sha;
  return id;
}

TEST(SyncStagingEncoded, AnEncodedStreamResumesOnlyForTheSameStreamAndFile) {
  test::TempDir dir;
  const std::string base = dir.file("cache.db.sync");
  const std::string stream(100, 'z');  // opaque here: the staging never decodes
  const std::string file_sha = sha256_hex(kData);
  {
    SyncStaging s(base);
    ASSERT_EQ(s.begin(encoded_id(stream, file_sha))->held, 0u);
    ASSERT_TRUE(s.append(0, std::string_view(stream).substr(0, 60)).ok());
  }
  {
    SyncStaging s(base);
    auto held = s.begin(encoded_id(stream, file_sha));
    ASSERT_TRUE(held.ok());
    EXPECT_EQ(held->held, 60u) << "the same stream resumes";
    ASSERT_TRUE(s.append(60, std::string_view(stream).substr(60)).ok());
    auto text = read_verified(s);
    ASSERT_TRUE(text.ok() && text->has_value()) << "verified against the stream's own hash";
    EXPECT_EQ(**text, stream);
  }
  // The same stream bytes said to be another file, or the file as written
  // with the same hash and size: never resumed from these records.
  for (auto other : {encoded_id(stream, sha256_hex("another file")),
                     StagedFileId{4, "delta", sha256_hex(stream), stream.size(), "identity", ""}}) {
    SyncStaging s(base);
    ASSERT_EQ(s.begin(encoded_id(stream, file_sha))->held, 100u);
    s.close();
    SyncStaging t(base);
    EXPECT_EQ(t.begin(other)->held, 0u) << other.encoding << " " << other.content_sha256;
    t.discard();
    SyncStaging u(base);
    ASSERT_EQ(u.begin(encoded_id(stream, file_sha))->held, 0u);
    ASSERT_TRUE(u.append(0, stream).ok());
  }
}

TEST(SyncStagingEncoded, ADescriptionFromBeforeEncodingsIsIdentityAndStillResumes) {
  // Written by an older build: no encoding in the description, records
  // sealed as they always were.
  test::TempDir dir;
  stage_in_three(dir.file("cache.db.sync"), 2);
  const std::string desc = test::read_file(dir.file("cache.db.sync.json"));
  EXPECT_EQ(desc.find("encoding"), std::string::npos) << desc;
  SyncStaging again(dir.file("cache.db.sync"));
  auto held = again.begin(id_for(kData));
  ASSERT_TRUE(held.ok());
  EXPECT_EQ(held->held, 40u);
}

}  // namespace
}  // namespace mdtc::bridge
