// libFuzzer target: the hosts' check of a panel document (docs/panel-format.md)
// and the /proc/net/tcp reader that tells which local user a page request
// comes from. Any bytes: an answer, never a crash or a hang.
#include <cstddef>
#include <cstdint>
#include <string>

#include "mdtc/panel_host.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  (void)mdtc::panel::panel_format_error(text);
  if (size >= 4) {
    const auto peer = static_cast<uint16_t>(data[0] | (data[1] << 8));
    const auto server = static_cast<uint16_t>(data[2] | (data[3] << 8));
    (void)mdtc::panel::loopback_peer_uid(std::string_view(text).substr(4), peer, server);
  }
  return 0;
}
