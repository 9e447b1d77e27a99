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

std::vector<OnDutyUnit> coresponder_roster(const RosterInputs& in) {
  static const std::map<std::string, LiveState> no_live;
  static const std::map<std::string, UnitPosition> no_positions;
  const auto& live = in.live ? *in.live : no_live;
  const auto& positions = in.positions ? *in.positions : no_positions;
  const auto place = [&](OnDutyUnit& u) {
    auto pos = positions.find(u.unit);
    if (in.incident && pos != positions.end() && in.now_ms - pos->second.at_ms <= kUnitPositionMaxAgeMs) {
      u.distance_m = distance_m(pos->second.where, *in.incident);
      u.eta_s = eta_seconds(*u.distance_m, in.speed_mps);
    }
  };
  std::vector<OnDutyUnit> listed;
  for (const auto& [unit, st] : live) {
    const bool stale = in.now_ms - st.heard_ms > in.stale_after_ms;
    if (st.state == "off_duty") continue;
    OnDutyUnit u{unit, st.name, std::nullopt, std::nullopt};
    if (stale) {
      u.standing = Standing::stale;
      u.last_state = st.state;
      u.silent_s = (in.now_ms - st.heard_ms) / 1000;
    } else if (st.state == "available") {
      u.standing = Standing::available;
      place(u);
    } else if (st.state == "busy") {
      u.standing = Standing::busy;
      if (st.free_at_ms)
        u.free_in_min = static_cast<int>(std::max<int64_t>(0, (*st.free_at_ms - in.wall_ms + 59999) / 60000));
    } else {
      u.standing = Standing::telehealth;
    }
    listed.push_back(std::move(u));
  }
  if (in.schedule) {
    // The schedule speaks only for units that have said nothing live.
    for (OnDutyUnit& u : on_duty_units(*in.schedule, in.local, positions, in.incident, in.speed_mps, in.now_ms)) {
      auto it = live.find(u.unit);
      if (it != live.end()) {
        // A name from the schedule beats none from the wire.
        for (auto& l : listed)
          if (l.unit == u.unit && l.name.empty()) l.name = u.name;
        continue;
      }
      listed.push_back(std::move(u));
    }
  }
  std::stable_sort(listed.begin(), listed.end(), [](const OnDutyUnit& a, const OnDutyUnit& b) {
    const auto rank = [](Standing s) {
      switch (s) {
        case Standing::available: return 0;
        case Standing::busy: return 1;
        case Standing::telehealth: return 2;
        case Standing::scheduled: return 3;
        case Standing::stale: return 4;
      }
      return 5;
    };
    if (rank(a.standing) != rank(b.standing)) return rank(a.standing) < rank(b.standing);
    if (a.standing == Standing::busy) {
      if (a.free_in_min && b.free_in_min) return *a.free_in_min < *b.free_in_min;
      return a.free_in_min.has_value() && !b.free_in_min.has_value();
    }
    if (a.distance_m && b.distance_m) return *a.distance_m < *b.distance_m;
    return a.distance_m.has_value() && !b.distance_m.has_value();
  });
  return listed;
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
