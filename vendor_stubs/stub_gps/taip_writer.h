// The TAIP position/velocity report a fleet router sends each cycle, with
// a vehicle ID and checksum, for a given UTC time and position.
#pragma once

#include <string>

#include "nmea_writer.h"

namespace stub_gps {

// ">RPVAAAAA±BBCCCCC±DDDEEEEEFFFGGGHI;ID=<id>;*hh<\r\n": seconds of the UTC
// day, position to 1e-5 degree, speed in mph, heading, 3D GPS, fresh.
std::string taip_pv(const Epoch& e, const std::string& vehicle_id);

}  // namespace stub_gps
