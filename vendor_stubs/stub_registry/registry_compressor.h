// The stub registry's zstd copies of the files it serves (docs/protocol.md,
// "Encodings"): made when a file is first catalogued (or, failing that, when
// it is first offered), kept in a private directory while the server runs,
// and
// known by their own size and SHA-256 (the offer's total and wire_sha256).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace mdtc::stub_registry {

struct CatalogFile;

struct CompressedFile {
  std::string path;
  uint64_t size = 0;
  std::string sha256;  // of the compressed bytes
};

// Level 3 is zstd's default: it compresses at a few hundred MB/s and takes
// the generated exports to about a twentieth of their size; level 9 buys 7 %
// for 7 times the time, level 19 13 % for 1,000 times (docs/protocol.md).
inline constexpr int kDefaultZstdLevel = 3;

class RegistryCompressor {
 public:
  // `corrupt`: fault injection, a byte of each stream is flipped before its
  // SHA-256 is taken (a registry whose compressor is broken).
  explicit RegistryCompressor(int level = kDefaultZstdLevel, bool corrupt = false);
  ~RegistryCompressor();
  RegistryCompressor(const RegistryCompressor&) = delete;
  RegistryCompressor& operator=(const RegistryCompressor&) = delete;

  // The zstd copy of `f` as catalogued (made now if it is not there yet or
  // `f` changed); nullptr with `why` set when it cannot be made.
  const CompressedFile* get(const CatalogFile& f, std::string& why);
  // Deletes the copies of files no longer served (known by their SHA-256).
  void keep_only(const std::vector<CatalogFile>& files);

 private:
  int level_;
  bool corrupt_;
  std::string dir_;  // private, removed with this object
  std::map<std::string, CompressedFile> made_;  // by the SHA-256 of the file as written
  uint64_t serial_ = 0;
};

// Compresses `in_path` into `out_path` (one zstd frame, content checksum on)
// at `level`: the copy's size and SHA-256 in `out` and the SHA-256 of what
// was read in `in_sha256`, or false with `why` set.
bool compress_file(const std::string& in_path, const std::string& out_path, int level, CompressedFile& out,
                   std::string& in_sha256, std::string& why);

}  // namespace mdtc::stub_registry
