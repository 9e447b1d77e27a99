// A route the simulated receiver drives: a closed polyline of lat/lon
// points, driven at a constant speed, looping forever.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "mdtc/result.h"

namespace stub_gps {

struct LatLon {
  double lat = 0, lon = 0;
};

struct Position {
  double lat = 0, lon = 0, course_deg = 0;
};

class Route {
 public:
  explicit Route(std::vector<LatLon> points);
  // Where the car is after driving `metres` from the first point.
  Position at(double metres) const;
  double length_m() const { return total_; }

 private:
  std::vector<LatLon> points_;
  std::vector<double> cumulative_;  // distance at the start of each leg
  double total_ = 0;
};

// A few blocks of a fictional downtown around 39.80 N, -89.64 W.
std::vector<LatLon> default_route();
// "lat,lon" per line; '#' comments and blank lines skipped.
mdtc::Result<std::vector<LatLon>> parse_route(std::string_view text);

}  // namespace stub_gps
