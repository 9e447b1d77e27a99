// The sentences a typical receiver prints each cycle (GGA, GSA, RMC, VTG),
// with correct checksums, for a given UTC time and position.
#pragma once

#include <cstdint>
#include <string>

#include "route.h"

namespace stub_gps {

struct Epoch {
  int64_t utc_ms = 0;
  Position position;
  double speed_mps = 0;
  double alt_m = 180.0;  // roughly central Illinois
};

std::string nmea_epoch(const Epoch& e);
// "$" + body + "*HH\r\n"
std::string nmea_sentence(const std::string& body);

}  // namespace stub_gps
