// Fuzzes the CAD wire decoder: topic and body split at the first NUL-free
// newline, so the fuzzer can vary both frames. Every message type's decoder
// (the seed corpus holds one of each), native incidents, EIDO with PIDF-LO
// XML, and every envelope rule go through decode(); a `sent_at`, and the raw
// input itself, go through the timestamp reader that orders incidents. What
// decodes is encoded again and must decode to the same type: an encoder
// that wrote something its decoder refuses would break the wire contract.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "mdtc/bridge.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string_view topic = "unit.2A31";
  if (auto nl = input.find('\n'); nl != std::string_view::npos && nl < 64) {
    topic = input.substr(0, nl);
    input.remove_prefix(nl + 1);
  }
  {
    volatile bool read = mdtc::bridge::parse_sent_at_ms(input.substr(0, 64)).has_value();
    (void)read;
  }
  auto r = mdtc::bridge::decode(topic, input, 1 << 16);
  if (r) {
    volatile bool dated = mdtc::bridge::parse_sent_at_ms(r->sent_at).has_value();
    (void)dated;
    // Touch what a handler would read.
    volatile std::size_t n = r->incident_id().size() + mdtc::bridge::to_string(r->type()).size();
    if (const auto* inc = r->incident()) n = n + inc->location.address.size() + inc->location.civic.rd.size();
    (void)n;
    // Round trip. Only a message whose type's rules hold for anything the
    // encoder writes: an EIDO-mapped dispatch comes back as native JSON
    // and must decode too.
    auto again = mdtc::bridge::decode(topic, mdtc::bridge::encode(r.value()), 1 << 20);
    if (!again || again->type() != r->type() || again->incident_id() != r->incident_id()) std::abort();
  } else {
    volatile std::size_t n = r.error().code.size() + r.error().message.size();
    (void)n;
  }
  return 0;
}
