#include "geo.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace mdtc::plugin {

double distance_m(LatLon a, LatLon b) {
  constexpr double kEarthRadiusM = 6371008.8;  // IUGG mean radius
  const double to_rad = std::numbers::pi / 180.0;
  const double dlat = (b.lat - a.lat) * to_rad;
  const double dlon = (b.lon - a.lon) * to_rad;
  const double h = std::sin(dlat / 2) * std::sin(dlat / 2) +
                   std::cos(a.lat * to_rad) * std::cos(b.lat * to_rad) * std::sin(dlon / 2) *
                       std::sin(dlon / 2);
  return 2 * kEarthRadiusM * std::asin(std::min(1.0, std::sqrt(h)));
}

int eta_seconds(double distance, double speed_mps) {
  if (speed_mps <= 0) speed_mps = 11.0;
  return std::max(60, static_cast<int>(std::lround(distance / speed_mps)));
}

}  // namespace mdtc::plugin
