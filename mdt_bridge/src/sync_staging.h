// The staging file of one registry transfer: the bytes received so far
// (`<base>.part`) and what they are part of (`<base>.json`: version, mode,
// size and SHA-256 of the whole file). A transfer interrupted by a registry
// restart, a network blip or a plugin restart resumes from the bytes already
// here when the registry offers the same file again; anything else starts
// afresh. Nothing is trusted until the whole file's SHA-256 matches.
#pragma once

#include <Poco/SHA2Engine.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "mdtc/result.h"

namespace mdtc::bridge {

struct StagedFileId {
  int64_t version = 0;
  std::string mode;
  std::string sha256;
  uint64_t total = 0;
  friend bool operator==(const StagedFileId&, const StagedFileId&) = default;
};

class SyncStaging {
 public:
  explicit SyncStaging(std::string base);
  ~SyncStaging();
  SyncStaging(const SyncStaging&) = delete;
  SyncStaging& operator=(const SyncStaging&) = delete;

  // Prepares to receive `id`. Returns the bytes already held for it (0 when
  // starting afresh); the hash is seeded with them.
  Result<uint64_t> begin(const StagedFileId& id);
  // Appends the bytes at `offset`, which must be size().
  Status append(uint64_t offset, std::string_view data);
  uint64_t size() const { return size_; }
  bool complete() const { return fd_ >= 0 && size_ == id_.total; }
  // Whole file here: does its SHA-256 match the one offered? Flushes it to
  // disk first, so what is imported is what was verified.
  Result<bool> verify();
  const std::string& part_path() const { return part_; }
  // Stops writing and keeps the files (to resume or to apply later).
  void close();
  // Removes both files. Safe to call at any time, twice.
  void discard();

 private:
  Status write_description(const StagedFileId& id);
  std::string part_, meta_;
  int fd_ = -1;
  uint64_t size_ = 0;
  StagedFileId id_;
  std::unique_ptr<Poco::SHA2Engine> sha_;
};

std::string sha256_hex(std::string_view data);

}  // namespace mdtc::bridge
