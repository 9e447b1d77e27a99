// The staging file of one registry transfer: the bytes received so far
// (`<base>.part`), what they are part of (`<base>.json`: version, mode, size
// and SHA-256 of the whole file) and the key they are sealed with
// (`<base>.key`). A transfer interrupted by a registry restart, a network
// blip or a plugin restart resumes from the bytes already here when the
// registry offers the same file again; anything else starts afresh.
//
// The data is the registry's (names, safety and care notes), so it is never
// on disk in the clear: each chunk is a record sealed with AES-256-GCM under
// a random key made for this transfer (staging_cipher.h). The key file goes
// with the staging files; without it, or with one anybody else could read,
// what is held is thrown away. It is read back a record at a time, so the
// plaintext exists only in memory, one record at a time; nothing read is
// trusted (committed) until the whole file's SHA-256 matches.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "mdtc/byte_source.h"
#include "mdtc/result.h"
#include "staging_cipher.h"

namespace mdtc::bridge {

// The bytes being staged are the bytes on the wire: for an encoded file
// (zstd), `sha256` and `total` are the encoded stream's (the offer's
// wire_sha256 and total), and `content_sha256` the file's as written, so
// that a resume continues exactly the stream it began.
struct StagedFileId {
  int64_t version = 0;
  std::string mode;
  std::string sha256;
  uint64_t total = 0;
  std::string encoding = "identity";
  std::string content_sha256;  // encoded files only
  friend bool operator==(const StagedFileId&, const StagedFileId&) = default;
};

// What begin() found.
struct StagingResume {
  uint64_t held = 0;  // bytes of the file already here and authentic
  // Why bytes held for this same file were thrown away (the key file is
  // missing, has the wrong size or is readable by others); empty otherwise.
  std::string discarded;
  // Records that failed to open (altered on disk): dropped with every record
  // after them, so those bytes are fetched again.
  uint64_t chunks_rejected = 0;
};

// What the staging files hold on disk, without opening them.
struct StagingOnDisk {
  bool same = false;   // their description is the file asked about
  uint64_t bytes = 0;  // the staging file, its description and key together
};

class SyncStaging {
 public:
  explicit SyncStaging(std::string base);
  ~SyncStaging();
  SyncStaging(const SyncStaging&) = delete;
  SyncStaging& operator=(const SyncStaging&) = delete;

  // Prepares to receive `id`: resumes what is held for it, or starts afresh
  // (a new key, an empty staging file).
  Result<StagingResume> begin(const StagedFileId& id);
  // Seals and appends the bytes at `offset`, which must be size().
  Status append(uint64_t offset, std::string_view data);
  uint64_t size() const { return size_; }
  bool complete() const { return fd_ >= 0 && size_ == id_.total; }
  // Whole file here: a reader that opens the records one at a time, in
  // order, and hashes what it hands out; its verify() says whether every
  // byte was read and their SHA-256 is the one offered (sync.verify_failed
  // otherwise, as when a record no longer opens). The plaintext is only
  // ever one record in memory, overwritten when the reader goes. Valid
  // while this staging stays open; read by one thread at a time.
  Result<std::unique_ptr<ByteSource>> reader();
  const std::string& part_path() const { return part_; }
  StagingOnDisk on_disk(const StagedFileId& id) const;
  const std::string& key_path() const { return key_path_; }
  // Stops writing and keeps the files (to resume or to apply later).
  void close();
  // Removes the staging file, its description and its key. Safe to call at
  // any time, twice.
  void discard();

 private:
  class Reader;
  Status write_description(const StagedFileId& id);
  Status start_afresh(const StagedFileId& id);
  Result<uint64_t> authenticate_held(uint64_t& rejected);
  std::string aad(uint64_t offset) const;
  std::string part_, meta_, key_path_;
  int fd_ = -1;
  uint64_t size_ = 0;  // plaintext bytes held
  uint64_t end_ = 0;   // bytes in the staging file
  StagedFileId id_;
  std::optional<StagingKey> key_;
};

std::string sha256_hex(std::string_view data);

}  // namespace mdtc::bridge
