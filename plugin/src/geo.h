// Great-circle distance and a straight-line ETA, for "nearby: 40 m" and the
// co-responder's arrival estimate. Pure.
#pragma once

#include <optional>

namespace mdtc::plugin {

struct LatLon {
  double lat = 0, lon = 0;
};

double distance_m(LatLon a, LatLon b);

// Straight-line ETA at an urban response speed; a floor of one minute so the
// panel never promises "0 min".
int eta_seconds(double distance_m, double speed_mps = 11.0);

}  // namespace mdtc::plugin
