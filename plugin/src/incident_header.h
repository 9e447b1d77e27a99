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

}  // namespace mdtc::plugin
