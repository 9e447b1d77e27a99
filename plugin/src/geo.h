// A point, and a straight-line ETA, for "nearby: 40 m" and the
// co-responder's arrival estimate. Pure.
#pragma once

#include "mdtc/geo.h"

namespace mdtc::plugin {

struct LatLon {
  double lat = 0, lon = 0;
};

inline double distance_m(LatLon a, LatLon b) { return mdtc::distance_m(a.lat, a.lon, b.lat, b.lon); }

// Straight-line ETA at an urban response speed; a floor of one minute so the
// panel never promises "0 min".
int eta_seconds(double distance_m, double speed_mps = 11.0);

}  // namespace mdtc::plugin
