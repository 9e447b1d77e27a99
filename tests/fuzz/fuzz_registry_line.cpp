// libFuzzer target: one registry export line through the pure line parser.
// Any input must come back as a record or an Error, never a crash.
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
  return 0;
}
