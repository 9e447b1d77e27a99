// framer + decoder + tracker over arbitrary bytes: must never crash, hang
// or report a fix with impossible values. The first byte picks options and
// a split point, so chunking and both checksum policies get exercised.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "fix_invariants.h"
#include "mdtc/gps.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t control = data[0];
  std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  mdtc::gps::StreamOptions options;
  options.accept_missing_checksum = (control & 1) != 0;
  if (control & 2) options.end_of_cycle = "RMC";
  mdtc::gps::NmeaStream stream(options);
  const auto check = mdtc::gps::fuzz::check_fix;
  const std::size_t split = bytes.empty() ? 0 : (control >> 2) % (bytes.size() + 1);
  stream.feed(bytes.substr(0, split), 0, check);
  stream.feed(bytes.substr(split), 1000, check);
  stream.finish(check);
  const auto c = stream.counters();
  if (c.bytes != bytes.size()) std::abort();
  return 0;
}
