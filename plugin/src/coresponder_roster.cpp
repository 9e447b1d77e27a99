#include "coresponder_roster.h"

#include <algorithm>

namespace mdtc::plugin {

std::vector<OnDutyUnit> on_duty_units(const std::vector<config::DutyShift>& schedule, LocalTime local,
                                      const std::map<std::string, UnitPosition>& positions,
                                      std::optional<LatLon> incident, double speed_mps, int64_t now_ms) {
  std::vector<OnDutyUnit> out;
  for (const config::DutyShift* shift : config::on_duty(schedule, local.weekday, local.minute)) {
    OnDutyUnit u{shift->unit, shift->name, std::nullopt, std::nullopt};
    auto pos = positions.find(shift->unit);
    if (incident && pos != positions.end() && now_ms - pos->second.at_ms <= kUnitPositionMaxAgeMs) {
      u.distance_m = distance_m(pos->second.where, *incident);
      u.eta_s = eta_seconds(*u.distance_m, speed_mps);
    }
    out.push_back(std::move(u));
  }
  std::stable_sort(out.begin(), out.end(), [](const OnDutyUnit& a, const OnDutyUnit& b) {
    if (a.distance_m && b.distance_m) return *a.distance_m < *b.distance_m;
    return a.distance_m.has_value() && !b.distance_m.has_value();
  });
  return out;
}

bool auto_request_matches(const std::vector<config::AutoRequestRule>& rules, const std::string& call_type,
                          const std::vector<std::string>& visible_codes) {
  const std::string type = config::canonical_call_type(call_type);
  for (const auto& rule : rules) {
    if (rule.call_type != "*" && rule.call_type != type) continue;
    if (rule.codes.empty()) return true;
    for (const auto& code : rule.codes) {
      for (const auto& seen : visible_codes)
        if (config::canonical_call_type(seen) == code) return true;
    }
  }
  return false;
}

}  // namespace mdtc::plugin
