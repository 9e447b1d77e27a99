// What the stub registry serves: the export v1 files in one directory, each
// known by its header (mode and version), size and SHA-256, and the rule that
// picks what a unit holding version N fetches next (docs/protocol.md, "Flag
// registry sync"). Files are picked up as they appear; drop them in with a
// rename so a half-written file is never seen.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mdtc::stub_registry {

struct CatalogFile {
  std::string path;
  std::string mode;  // snapshot or delta
  int64_t version = 0;
  uint64_t size = 0;
  std::string sha256;  // lower-case hex
  int64_t mtime_ns = 0;
};

struct Answer {
  enum class Kind { up_to_date, offer, error } kind = Kind::error;
  const CatalogFile* file = nullptr;  // offer
  int64_t latest = 0;                 // up_to_date
  std::string code, message;          // error
};

// Pure: what a unit holding `have` (nothing yet: nullopt) should get.
// - wants a snapshot, or holds nothing: the newest snapshot;
// - holds the latest version or more: up to date;
// - a delta numbered have+1 exists: that delta;
// - otherwise (older than the oldest delta kept): the newest snapshot.
Answer choose(const std::vector<CatalogFile>& files, std::optional<int64_t> have, bool want_snapshot);

class RegistryCatalog {
 public:
  explicit RegistryCatalog(std::string dir) : dir_(std::move(dir)) {}

  // Re-reads the directory: new and changed `*.jsonl` files are read (header,
  // size, SHA-256), removed ones forgotten. Returns a line for each file
  // newly found unusable (no header, bad header).
  std::vector<std::string> rescan();
  const std::vector<CatalogFile>& files() const { return files_; }
  const CatalogFile* find(int64_t version, const std::string& mode, const std::string& sha256) const;
  // True when `f` is still on disk as catalogued (same size and mtime).
  static bool unchanged(const CatalogFile& f);

 private:
  std::string dir_;
  std::vector<CatalogFile> files_;
  std::vector<std::pair<std::string, int64_t>> unusable_;  // path, mtime: warned once
};

std::string file_sha256(const std::string& path);

}  // namespace mdtc::stub_registry
