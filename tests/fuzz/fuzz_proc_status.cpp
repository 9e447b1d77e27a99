// The Groups line of /proc/PID/status as doctor reads it for a running
// panel host: any bytes must give either nothing or ids that each appear,
// in order, as digits in the text; never a crash or a hang.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "mdtc/shared_state.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto groups = mdtc::groups_in_proc_status(text);
  if (!groups) return 0;
  if (text.find("Groups:") == std::string_view::npos) std::abort();
  std::size_t at = text.find("Groups:");
  for (const auto gid : *groups) {
    const std::string digits = std::to_string(gid);
    const std::size_t found = text.find(digits, at);
    if (found == std::string_view::npos) std::abort();
    at = found + 1;
  }
  return 0;
}
