// EIDO (NENA-STA-021) -> the same Incident a native dispatch carries.
#pragma once

#include <Poco/JSON/Object.h>

#include "mdtc/bridge.h"

namespace mdtc::bridge {

// Maps incident id, type, priority and location. Key case is matched
// loosely because published EIDO samples disagree on it; components are
// linked with {"$ref": id}. Error: wire.bad_eido naming what is missing.
Result<Incident> map_eido(const Poco::JSON::Object& eido);


}  // namespace mdtc::bridge
