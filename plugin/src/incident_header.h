// The section at the top of every incident panel: CAD's incident number and
// when the call was dispatched, and, for a panel brought back from the
// journal after an MDT restart, that it was restored. An old call must never
// look like a new one. Pure.
#pragma once

#include <cstdint>
#include <string>

#include "panel_document.h"
#include "premise_panel.h"

namespace mdtc::plugin {

PanelSection incident_section(const IncidentSummary& incident);
// "2026-11-22 10:00 UTC": CAD's clock, stated as UTC so no car's time zone
// setting can misplace it.
std::string dispatch_time_text(int64_t unix_ms);

}  // namespace mdtc::plugin
