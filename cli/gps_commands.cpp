#include <iostream>

#include "commands.h"

namespace mdtc::cli {

int gps_command(const Args&) {
  std::cerr << "mdt-coresponder gps: not available in this build\n";
  return 2;
}

}  // namespace mdtc::cli
