#include "route.h"

#include <cmath>
#include <cstdlib>
#include <string>

namespace stub_gps {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kEarthRadiusM = 6'371'000.0;

double rad(double deg) { return deg * kPi / 180.0; }

// Equirectangular is plenty for legs of a few hundred metres.
double distance_m(const LatLon& a, const LatLon& b) {
  const double x = rad(b.lon - a.lon) * std::cos(rad((a.lat + b.lat) / 2));
  const double y = rad(b.lat - a.lat);
  return std::hypot(x, y) * kEarthRadiusM;
}

double bearing_deg(const LatLon& a, const LatLon& b) {
  const double x = rad(b.lon - a.lon) * std::cos(rad((a.lat + b.lat) / 2));
  const double y = rad(b.lat - a.lat);
  double deg = std::atan2(x, y) * 180.0 / kPi;
  return deg < 0 ? deg + 360.0 : deg;
}

}  // namespace

Route::Route(std::vector<LatLon> points) : points_(std::move(points)) {
  if (points_.size() > 1) points_.push_back(points_.front());  // close the loop
  for (std::size_t i = 0; i + 1 < points_.size(); ++i) {
    cumulative_.push_back(total_);
    total_ += distance_m(points_[i], points_[i + 1]);
  }
}

Position Route::at(double metres) const {
  if (points_.empty()) return {};
  if (total_ <= 0) return {points_[0].lat, points_[0].lon, 0};
  double d = std::fmod(metres, total_);
  if (d < 0) d += total_;
  std::size_t leg = 0;
  while (leg + 1 < cumulative_.size() && cumulative_[leg + 1] <= d) ++leg;
  const LatLon& a = points_[leg];
  const LatLon& b = points_[leg + 1];
  const double len = distance_m(a, b);
  const double t = len > 0 ? (d - cumulative_[leg]) / len : 0;
  return {a.lat + (b.lat - a.lat) * t, a.lon + (b.lon - a.lon) * t, bearing_deg(a, b)};
}

std::vector<LatLon> default_route() {
  return {
      {39.80120, -89.64370}, {39.80120, -89.65010}, {39.79810, -89.65010},
      {39.79810, -89.64720}, {39.79500, -89.64720}, {39.79500, -89.64370},
  };
}

mdtc::Result<std::vector<LatLon>> parse_route(std::string_view text) {
  std::vector<LatLon> out;
  int line_no = 0;
  while (!text.empty()) {
    ++line_no;
    const auto nl = text.find('\n');
    std::string line(text.substr(0, nl));
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    const auto comma = line.find(',');
    char* end1 = nullptr;
    char* end2 = nullptr;
    const double lat = std::strtod(line.c_str(), &end1);
    const double lon = comma == std::string::npos ? 0 : std::strtod(line.c_str() + comma + 1, &end2);
    if (comma == std::string::npos || end1 != line.c_str() + comma || !end2 || *end2 != '\0' ||
        std::abs(lat) > 90 || std::abs(lon) > 180) {
      return mdtc::make_error("route.bad_line", "route line " + std::to_string(line_no) + " '" + line +
                                                    "': expected \"lat,lon\" in degrees");
    }
    out.push_back({lat, lon});
  }
  if (out.empty()) return mdtc::make_error("route.empty", "route has no points");
  return out;
}

}  // namespace stub_gps
