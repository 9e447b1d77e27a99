// Fuzzes the co-responder schedule parser and the on-duty query, and the
// auto-request rule parser. Beyond "no crash": an error names the origin and
// line, every parsed shift is within range, and on_duty never lists a unit
// twice.
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>

#include "mdtc/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mdtc::config;
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto shifts = parse_duty_schedule(text, "fuzz.txt");
  if (!shifts) {
    if (shifts.error().code != "config.bad_schedule" || shifts.error().message.rfind("fuzz.txt:", 0) != 0)
      std::abort();
  } else {
    for (const auto& s : *shifts) {
      if (s.days == 0 || s.days > 0x7F || s.start_min < 0 || s.start_min > 1439 || s.end_min < 0 ||
          s.end_min > 1440 || s.unit.empty())
        std::abort();
    }
    for (int day = 0; day < 7; ++day) {
      for (int minute = 0; minute < 1440; minute += 97) {
        std::set<std::string> seen;
        for (const auto* s : on_duty(*shifts, day, minute))
          if (!seen.insert(s->unit).second) std::abort();
      }
    }
  }
  auto rules = parse_auto_request_rules(text);
  if (rules) {
    for (const auto& r : *rules) {
      if (r.call_type.empty() || (r.call_type == "*" && r.codes.empty())) std::abort();
      for (const auto& c : r.codes)
        if (c.empty()) std::abort();
    }
  } else if (rules.error().code != "config.bad_rule") {
    std::abort();
  }
  return 0;
}
