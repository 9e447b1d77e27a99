// Whether a registry file proves it is whole (docs/registry-format.md, "A
// file proves it is whole"), checked line by line as the file streams past
// the importer, so the file never has to be in memory at once: the first
// non-blank line is the header, the last non-blank line the trailer, whose
// SHA-256 covers every byte before it and whose counts match the header's.
// Pure: lines and hashes in, a verdict out.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "field_cipher.h"
#include "mdtc/registry_line.h"

namespace mdtc::cache {

// Where a line is, for a message: "FILE:LINE" for a file, as compilers say
// it; "registry snapshot version 3, line 1" for a source named in words,
// whose own number the line's would otherwise run into ("…version 3:1").
std::string line_at(const std::string& origin, int64_t line);

class FrameCheck {
 public:
  FrameCheck(std::string origin, bool legacy) : origin_(std::move(origin)), legacy_(legacy) {}
  // Each non-blank line in order: its number, its record (null when it did
  // not parse: it still ends the file if it is last) and the hash of every
  // byte of the file before it.
  // `failure` is why a line did not parse: said if it was the last line,
  // where the trailer should have been.
  void line(int64_t number, const RegistryRecord* record, const Sha256& before, const Error* failure = nullptr);
  const std::optional<HeaderRecord>& header() const { return header_; }
  // The line of the first trailer that was not the last line, or 0.
  int64_t misplaced_trailer() const { return misplaced_; }
  // At the end of the file. Errors: registry.empty, registry.no_header,
  // registry.incomplete (FILE:LINE: why).
  Status finish() const;
  // After finish() said yes: the trailer (absent for a legacy file).
  const std::optional<TrailerRecord>& trailer() const { return trailer_; }
  int64_t trailer_line() const { return trailer_line_; }

 private:
  std::string origin_;
  bool legacy_;
  int64_t first_ = 0, last_ = 0, misplaced_ = 0, trailer_line_ = 0;
  std::optional<HeaderRecord> header_;
  std::optional<TrailerRecord> trailer_;
  std::string body_sha256_;  // of every byte before the trailer line
  std::string last_failure_;  // why the last line did not parse, or ""
};

}  // namespace mdtc::cache
