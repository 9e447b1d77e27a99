#include <iostream>

#include "commands.h"

namespace mdtc::cli {

int cache_command(const Args&) {
  std::cerr << "mdt-coresponder cache: not available in this build\n";
  return 2;
}

}  // namespace mdtc::cli
