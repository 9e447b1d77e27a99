#include <iostream>

#include "commands.h"

namespace mdtc::cli {

int doctor_command(const Args&) {
  std::cerr << "mdt-coresponder doctor: not available in this build\n";
  return 2;
}

}  // namespace mdtc::cli
