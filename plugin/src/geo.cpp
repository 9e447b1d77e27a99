#include "geo.h"

#include <algorithm>
#include <cmath>

namespace mdtc::plugin {

int eta_seconds(double distance, double speed_mps) {
  if (speed_mps <= 0) speed_mps = 11.0;
  return std::max(60, static_cast<int>(std::lround(distance / speed_mps)));
}

}  // namespace mdtc::plugin
