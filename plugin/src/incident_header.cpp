#include "incident_header.h"

#include "mdtc/address.h"
#include "mdtc/time_text.h"

namespace mdtc::plugin {

PanelSection incident_section(const IncidentSummary& incident) {
  PanelSection s{"incident", "INCIDENT", Severity::info, {}, {}};
  s.fields.push_back({"Incident", incident.id, Severity::info, {}, {}});
  // CAD's clock, stated as UTC so no car's time zone setting can misplace it.
  const std::string when =
      incident.dispatched_ms ? minute_text_utc(*incident.dispatched_ms) : std::string("not known");
  s.fields.push_back({"Dispatched", when, Severity::info, {}, {}});
  if (incident.distance_m)
    s.fields.push_back({"Distance", cache::distance_text(*incident.distance_m) + " from this car", Severity::info, {}, {}});
  if (incident.restored) {
    s.severity = Severity::caution;
    s.fields.push_back({"Restored", "Shown again after an MDT restart - call dispatched " + when,
                        Severity::caution, {}, {}});
  }
  return s;
}

}  // namespace mdtc::plugin
