// Which local user is on the other end of a loopback connection: Linux
// lists every TCP socket with its owner's uid in /proc/net/tcp{,6}.
#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>

#include "mdtc/panel_host.h"

namespace mdtc::panel {
namespace {

// "0100007F:C350" -> 0xC350
std::optional<uint16_t> port_of(std::string_view address) {
  const auto colon = address.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  unsigned value = 0;
  const auto* first = address.data() + colon + 1;
  const auto* last = address.data() + address.size();
  auto [end, ec] = std::from_chars(first, last, value, 16);
  if (ec != std::errc() || end != last || value > 0xFFFF) return std::nullopt;
  return static_cast<uint16_t>(value);
}

std::string_view next_word(std::string_view& line) {
  const auto start = line.find_first_not_of(' ');
  if (start == std::string_view::npos) return line = {}, std::string_view{};
  line.remove_prefix(start);
  const auto end = line.find(' ');
  const auto word = line.substr(0, end);
  line.remove_prefix(end == std::string_view::npos ? line.size() : end);
  return word;
}

}  // namespace

std::optional<uint32_t> loopback_peer_uid(std::string_view text, uint16_t peer_port, uint16_t server_port) {
  while (!text.empty()) {
    const auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    // sl local rem st tx:rx tr:when retrnsmt uid ...
    std::string_view words[8];
    for (auto& w : words) w = next_word(line);
    if (port_of(words[1]) != peer_port || port_of(words[2]) != server_port) continue;
    uint32_t uid = 0;
    auto [end, ec] = std::from_chars(words[7].data(), words[7].data() + words[7].size(), uid);
    if (ec == std::errc() && end == words[7].data() + words[7].size()) return uid;
  }
  return std::nullopt;
}

}  // namespace mdtc::panel
