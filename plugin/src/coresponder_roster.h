// Who could answer a co-responder request, and whether to ask without a tap:
// the on-duty schedule and CAD's unit positions turned into the request
// panel's list, and the auto-request rules. Pure: values in, values out.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "coresponder_panels.h"
#include "geo.h"
#include "mdtc/config.h"

namespace mdtc::plugin {

struct LocalTime {
  int weekday = 0;  // 0 = Monday
  int minute = 0;   // after local midnight
};

struct UnitPosition {
  LatLon where;
  int64_t at_ms = 0;  // when it was received
};

// A position older than this is not used for distance: co-responder units
// report every 30 s or so, and a minutes-old fix misleads more than none.
inline constexpr int64_t kUnitPositionMaxAgeMs = 5 * 60 * 1000;

// The units on duty at `local`, nearest to `incident` first (those with a
// fresh position), then the rest in schedule order.
std::vector<OnDutyUnit> on_duty_units(const std::vector<config::DutyShift>& schedule, LocalTime local,
                                      const std::map<std::string, UnitPosition>& positions,
                                      std::optional<LatLon> incident, double speed_mps, int64_t now_ms);

// A clinician unit's live state as last heard from CAD (`coresponder_state`).
struct LiveState {
  std::string state;                  // available, busy, telehealth, off_duty
  std::string name;                   // display name, when the unit sent one
  std::optional<int64_t> free_at_ms;  // busy: when it expects to be free (wall clock)
  int64_t heard_ms = 0;               // when it arrived (monotonic, as now_ms)
  int64_t heard_wall_ms = 0;          // the same, wall clock: what the journal keeps
  friend bool operator==(const LiveState&, const LiveState&) = default;
};

struct RosterInputs {
  const std::vector<config::DutyShift>* schedule = nullptr;  // null = no schedule
  LocalTime local;
  const std::map<std::string, UnitPosition>* positions = nullptr;
  const std::map<std::string, LiveState>* live = nullptr;
  std::optional<LatLon> incident;
  double speed_mps = 40 / 3.6;
  int64_t now_ms = 0;       // monotonic
  int64_t wall_ms = 0;      // for "free in about N min"
  int64_t stale_after_ms = 15 * 60 * 1000;
};

// The request panel's list: live states first (available nearest first,
// then busy soonest free first, then telehealth only), then the units the
// schedule has on duty that have sent nothing (nearest first), then stale
// states; off duty units are left out, whatever the schedule says.
std::vector<OnDutyUnit> coresponder_roster(const RosterInputs& in);

// Whether a rule asks for a request for this call type, given the flag codes
// the officer may see at the address.
bool auto_request_matches(const std::vector<config::AutoRequestRule>& rules, const std::string& call_type,
                          const std::vector<std::string>& visible_codes);

}  // namespace mdtc::plugin
