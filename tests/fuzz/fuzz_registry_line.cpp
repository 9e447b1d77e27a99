// libFuzzer target: one registry export line through the pure line parser.
// Any input must come back as a record or an Error, never a crash; and the
// fast path must give exactly what the general (Poco::JSON) path gives: the
// same record, or the same error code and message.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "mdtc/registry_line.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  auto r = mdtc::cache::parse_registry_line(line);
  if (r.ok()) {
    if (auto* p = std::get_if<mdtc::cache::PremiseRecord>(&*r)) {
      if (p->address) (void)p->address->display();
    }
  } else if (r.error().code.empty() || r.error().message.empty()) {
    __builtin_trap();  // every rejection names a code and a reason
  }
  auto general = mdtc::cache::parse_registry_line_general(line);
  if (r.ok() != general.ok()) __builtin_trap();
  if (r.ok() && !(*r == *general)) __builtin_trap();
  if (!r.ok() && (r.error().code != general.error().code || r.error().message != general.error().message))
    __builtin_trap();
  return 0;
}
