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

// Who holds a plugin's state lock beside the cache at `db_path` (empty: no
// plugin runs on these files).
std::vector<std::string> plugins_running_beside(const std::string& db_path);

// Refused ("cache.in_use") while a plugin holds its state lock beside the
// cache at `db_path`: it keeps the cache open and syncs it itself, so a reset
// under it left it reading the moved file, and a second sync raced its
// staging file. `what` is the command, for the message.
Result<Ok> refuse_under_running_plugin(const std::string& db_path, const std::string& what);

}  // namespace mdtc::cli
