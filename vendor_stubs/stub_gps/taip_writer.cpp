#include "taip_writer.h"

#include <cmath>
#include <cstdio>

namespace stub_gps {

std::string taip_pv(const Epoch& e, const std::string& vehicle_id) {
  const long long seconds = (e.utc_ms / 1000) % 86400;
  const long long lat = std::llround(e.position.lat * 1e5);
  const long long lon = std::llround(e.position.lon * 1e5);
  const long long mph = std::llround(e.speed_mps / 0.44704);
  const long long heading = std::llround(e.position.course_deg) % 360;
  char body[96];
  std::snprintf(body, sizeof body, ">RPV%05lld%c%07lld%c%08lld%03lld%03lld12;ID=%s;*", seconds, lat < 0 ? '-' : '+',
                std::llabs(lat), lon < 0 ? '-' : '+', std::llabs(lon), mph > 999 ? 999 : mph, heading,
                vehicle_id.c_str());
  unsigned sum = 0;
  for (const char* p = body; *p; ++p) sum ^= static_cast<unsigned char>(*p);
  char tail[8];
  std::snprintf(tail, sizeof tail, "%02X<\r\n", sum);
  return std::string(body) + tail;
}

}  // namespace stub_gps
