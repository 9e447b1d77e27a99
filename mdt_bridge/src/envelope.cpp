#include "envelope.h"

#include "json_access.h"
#include "mdtc/bridge.h"
#include "mdtc/time_text.h"

namespace mdtc::bridge {

std::string rfc3339(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  return rfc3339_utc_ms(duration_cast<milliseconds>(t.time_since_epoch()).count());
}

std::string rfc3339_now() { return rfc3339(std::chrono::system_clock::now()); }

std::optional<int64_t> parse_sent_at_ms(std::string_view sent_at) {
  // The wire's own bounds on top of RFC 3339: a sane length and at most
  // nanoseconds.
  if (sent_at.size() > 40 || sent_at.size() < 20) return std::nullopt;
  if (sent_at.size() > 19 && sent_at[19] == '.') {
    std::size_t n = 0;
    while (20 + n < sent_at.size() && sent_at[20 + n] >= '0' && sent_at[20 + n] <= '9') ++n;
    if (n > 9) return std::nullopt;
  }
  return parse_rfc3339_ms(sent_at);
}

Result<std::string> build_envelope(std::string_view json_object, const EnvelopeFields& f) {
  auto parsed = json::parse_object(json_object.empty() ? std::string_view("{}") : json_object);
  if (!parsed) return parsed.error();
  auto obj = parsed.value();
  obj->set("v", kWireVersion);
  obj->set("type", f.type);
  obj->set("seq", f.seq);
  obj->set("sent_at", f.sent_at);
  obj->set("unit", f.unit);
  if (!f.key.empty()) obj->set("key", f.key);
  return json::to_string(obj);
}

}  // namespace mdtc::bridge
