#include "outcome_record.h"

#include "mdtc/time_text.h"

namespace mdtc::plugin {

// Floored to the second, also before 1970, so a time never rounds forward.
std::string utc_text(int64_t unix_ms) {
  return rfc3339_utc(unix_ms >= 0 ? unix_ms / 1000 : -((-unix_ms + 999) / 1000));
}

std::optional<int64_t> parse_utc_text(std::string_view text) { return parse_rfc3339_ms(text); }

std::optional<int64_t> request_time(const Outcome& o) {
  if (auto t = o.time(OutcomeStep::requested)) return t;
  if (auto t = o.time(OutcomeStep::offered)) return t;
  return parse_utc_text(o.recorded_at);
}

}  // namespace mdtc::plugin
