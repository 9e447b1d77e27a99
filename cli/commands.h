// Subcommands of the mdt-coresponder CLI. Each takes the arguments after its
// own name and returns the process exit code (0 ok, 1 a check failed, 2 usage).
#pragma once

#include <string>
#include <vector>

namespace mdtc::cli {

using Args = std::vector<std::string>;

int version_command(const Args& args);
int cache_command(const Args& args);   // import, match, stats, verify, purge, sync
int cache_sync_command(const Args& args);  // the arguments after `cache sync`
int gps_command(const Args& args);     // decode, ports, monitor
int keys_command(const Args& args);    // generate
int config_command(const Args& args);  // check
int doctor_command(const Args& args);
int outcomes_command(const Args& args);  // export --csv|--json, summary

}  // namespace mdtc::cli
