// The car's layered configuration as the plugin reads it (defaults < fleet
// file < unit file < MDTC_* environment), for every command that works on a
// car's files: doctor and the cache commands.
#pragma once

#include <string>
#include <vector>

#include "mdtc/config.h"

namespace mdtc::cli {

inline constexpr const char* kFleetFile = "/etc/mdt-coresponder/fleet.ini";
inline constexpr const char* kUnitFile = "/etc/mdt-coresponder/unit.ini";

// `given` when not empty; otherwise the installed fleet file, and the unit
// file when present.
std::vector<std::string> config_layers(const std::vector<std::string>& given);

// The layers read and checked, with the environment applied.
config::Report load_car_config(const std::vector<std::string>& files);

}  // namespace mdtc::cli
