// Fictional registry exports: deterministic for a seed, obviously invented
// (Springfield, "J. Doe 12", 555-01xx numbers).
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

namespace mdtc::stub_registry {

struct GeneratorOptions {
  int64_t premises = 100;
  int64_t version = 1;
  std::string mode = "snapshot";  // or "delta": upserts, a few tombstones, an expired flag
  uint64_t seed = 1;
};

// Writes the export to `out`; returns the number of lines written.
int64_t write_export(const GeneratorOptions& options, std::ostream& out);

}  // namespace mdtc::stub_registry
