// Great-circle distance, for "nearby: 40 m", the text/geo cross-check and
// the co-responder's ETA. Pure.
#pragma once

namespace mdtc {

// Metres between two WGS 84 points (haversine on the IUGG mean radius).
double distance_m(double lat1, double lon1, double lat2, double lon2);

}  // namespace mdtc
