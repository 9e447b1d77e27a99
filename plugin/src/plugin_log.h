// Where the plugin's log lines go: always to the MDT host's log callback,
// and as configured to a rotating file and the system log (journald reads
// it). Levels per module (`mdtc.plugin`, `mdtc.bridge`, `mdtc.cache`,
// `mdtc.gps`) come from log.level and log.modules. Log lines never carry
// names, notes or addresses: callers log codes and counts only.
#pragma once

#include "host_callbacks.h"
#include "mdtc/config.h"
#include "mdtc/result.h"

namespace mdtc::plugin {

// Points every `mdtc.*` Poco logger at the configured channels.
Status configure_logging(const config::Config& config, const HostCallbacks& host);
// Detaches the host before the plugin is unloaded.
void shutdown_logging();

}  // namespace mdtc::plugin
