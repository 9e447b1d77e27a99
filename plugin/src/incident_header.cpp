#include "incident_header.h"

#include <cstdio>
#include <ctime>

namespace mdtc::plugin {

std::string dispatch_time_text(int64_t unix_ms) {
  const std::time_t secs = static_cast<std::time_t>((unix_ms >= 0 ? unix_ms : unix_ms - 999) / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d UTC", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min);
  return buf;
}

PanelSection incident_section(const IncidentSummary& incident) {
  PanelSection s{"incident", "INCIDENT", Severity::info, {}, {}};
  s.fields.push_back({"Incident", incident.id, Severity::info, {}, {}});
  const std::string when =
      incident.dispatched_ms ? dispatch_time_text(*incident.dispatched_ms) : std::string("not known");
  s.fields.push_back({"Dispatched", when, Severity::info, {}, {}});
  if (incident.restored) {
    s.severity = Severity::caution;
    s.fields.push_back({"Restored", "Shown again after an MDT restart - call dispatched " + when,
                        Severity::caution, {}, {}});
  }
  return s;
}

}  // namespace mdtc::plugin
