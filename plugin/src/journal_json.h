// The journal's JSON form of its records (incident_record.h): the plugin's
// own on-disk format, read back after a restart. Not the wire: a record
// that does not parse is empty, never an exception.
#pragma once

#include <optional>
#include <string>

#include "incident_record.h"

namespace mdtc::plugin {

std::string to_json(const IncidentRecord& record);
std::optional<IncidentRecord> incident_record_from_json(const std::string& json);

std::string to_json(const UnitStateRecord& record);
// Empty when `json` is not a unit state record.
std::optional<UnitStateRecord> unit_state_record_from_json(const std::string& json);

std::string to_json(const OfferRecord& record);
// Empty when `json` is not an offer record (an incident record, or damaged).
std::optional<OfferRecord> offer_record_from_json(const std::string& json);

}  // namespace mdtc::plugin
