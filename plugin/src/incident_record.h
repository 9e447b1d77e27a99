// The journal's form of an open incident: what CAD said about it (no
// narrative) and where the co-responder request stands. Pure JSON in and out.
#pragma once

#include <optional>
#include <string>

#include "coresponder_panels.h"
#include "mdtc/bridge.h"
#include "premise_panel.h"

namespace mdtc::plugin {

struct IncidentRecord {
  IncidentSummary summary;
  bridge::Location location;
  std::string request_id;
  std::optional<RequestView> request;  // phase, who accepted, ETA; reasons are recomputed
};

std::string to_json(const IncidentRecord& record);
std::optional<IncidentRecord> incident_record_from_json(const std::string& json);

}  // namespace mdtc::plugin
