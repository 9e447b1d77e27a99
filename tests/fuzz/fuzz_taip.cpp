// TAIP through the whole pipeline (framer -> decoder -> tracker, with the
// protocol detection in front) over arbitrary bytes: must never crash,
// hang or report a fix with impossible values. The first byte picks a
// split point and whether a UTC hint gives TAIP times a date; a '>' is put
// in front of the rest so most inputs take the TAIP path.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fix_invariants.h"
#include "mdtc/gps.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t control = data[0];
  const std::string bytes = ">" + std::string(reinterpret_cast<const char*>(data + 1), size - 1);
  mdtc::gps::NmeaStream stream;
  if (control & 1) stream.set_utc_hint(1'795'305'600'000);
  const auto check = mdtc::gps::fuzz::check_fix;
  const std::string_view all(bytes);
  const std::size_t split = (control >> 1) % (all.size() + 1);
  stream.feed(all.substr(0, split), 0, check);
  stream.feed(all.substr(split), 1000, check);
  stream.finish(check);
  const auto c = stream.counters();
  if (c.bytes != all.size() || c.noise_bytes > all.size()) std::abort();
  return 0;
}
