#include <iostream>

#include "commands.h"

namespace mdtc::cli {

int config_command(const Args&) {
  std::cerr << "mdt-coresponder config: not available in this build\n";
  return 2;
}

}  // namespace mdtc::cli
