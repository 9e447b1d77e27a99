#include "outcome_record.h"

#include <ctime>

#include "mdtc/bridge.h"

namespace mdtc::plugin {

std::string utc_text(int64_t unix_ms) {
  // Floor to the second, also before 1970, so a time never rounds forward.
  const int64_t s = unix_ms >= 0 ? unix_ms / 1000 : -((-unix_ms + 999) / 1000);
  const std::time_t t = static_cast<std::time_t>(s);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::optional<int64_t> parse_utc_text(std::string_view text) { return bridge::parse_sent_at_ms(text); }

std::optional<int64_t> request_time(const Outcome& o) {
  if (auto t = o.time(OutcomeStep::requested)) return t;
  if (auto t = o.time(OutcomeStep::offered)) return t;
  return parse_utc_text(o.recorded_at);
}

}  // namespace mdtc::plugin
