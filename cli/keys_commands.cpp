#include <iostream>

#include "commands.h"

namespace mdtc::cli {

int keys_command(const Args&) {
  std::cerr << "mdt-coresponder keys: not available in this build\n";
  return 2;
}

}  // namespace mdtc::cli
