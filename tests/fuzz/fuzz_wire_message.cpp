// Fuzzes the CAD wire decoder: topic and body split at the first NUL-free
// newline, so the fuzzer can vary both frames. Native incidents, EIDO with
// PIDF-LO XML, and every envelope rule go through decode(); a `sent_at`, and
// the raw input itself, go through the timestamp reader that orders incidents.
#include <cstddef>
#include <cstdint>
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
    volatile std::size_t n = r->type.size() + r->incident_id.size() + r->body.size();
    if (r->incident) n = n + r->incident->location.address.size() + r->incident->location.civic.rd.size();
    (void)n;
  } else {
    volatile std::size_t n = r.error().code.size() + r.error().message.size();
    (void)n;
  }
  return 0;
}
