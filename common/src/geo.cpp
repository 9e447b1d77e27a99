#include "mdtc/geo.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace mdtc {

double distance_m(double lat1, double lon1, double lat2, double lon2) {
  constexpr double kEarthRadiusM = 6371008.8;  // IUGG mean radius
  constexpr double kToRad = std::numbers::pi / 180.0;
  const double dlat = (lat2 - lat1) * kToRad;
  const double dlon = (lon2 - lon1) * kToRad;
  const double h = std::sin(dlat / 2) * std::sin(dlat / 2) +
                   std::cos(lat1 * kToRad) * std::cos(lat2 * kToRad) * std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * kEarthRadiusM * std::asin(std::min(1.0, std::sqrt(h)));
}

}  // namespace mdtc
