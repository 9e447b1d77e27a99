#include <iostream>

#include "commands.h"
#include "mdt_host/mdt_host_api.h"
#include "mdtc/bridge.h"
#include "mdtc/cache.h"

namespace mdtc::cli {

int version_command(const Args&) {
  std::cout << "mdt-coresponder " << MDTC_VERSION << "\n"
            << "commit " << MDTC_GIT_COMMIT << "\n"
            << "host ABI " << MDT_HOST_API_VERSION << "\n"
            << "wire protocol " << bridge::kWireVersion << "\n"
            << "cache schema " << cache::kSchemaVersion << "\n";
  return 0;
}

}  // namespace mdtc::cli
