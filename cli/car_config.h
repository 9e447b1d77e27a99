// The car's layered configuration as the plugin reads it (defaults < fleet
// file < unit file < MDTC_* environment), for every command that works on a
// car's files: doctor and the cache commands.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "mdtc/config.h"
#include "mdtc/result.h"

namespace mdtc::cli {

inline constexpr const char* kFleetFile = "/etc/mdt-coresponder/fleet.ini";
inline constexpr const char* kUnitFile = "/etc/mdt-coresponder/unit.ini";

// `given` when not empty; otherwise the installed fleet file, and the unit
// file when present.
std::vector<std::string> config_layers(const std::vector<std::string>& given);

// The layers read and checked, with the environment applied.
config::Report load_car_config(const std::vector<std::string>& files);

// What a cache command works on: the car's layers when `config` is given or
// `db` is not (then its problems come back as one Error, each also written
// to `err`), else the built-in defaults; then `db` and `key` name other files.
Result<config::Config> cache_command_config(const std::vector<std::string>& config, const std::string* db,
                                            const std::string* key, std::ostream& err);

}  // namespace mdtc::cli
