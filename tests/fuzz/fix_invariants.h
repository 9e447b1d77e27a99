// What no Fix may ever be, whatever bytes produced it; shared by the GPS
// fuzz targets. A violation aborts, which libFuzzer reports as a crash.
#pragma once

#include <cmath>
#include <cstdlib>

#include "mdtc/gps.h"

namespace mdtc::gps::fuzz {

inline void check_fix(const Fix& f) {
  if (f.lat && (!std::isfinite(*f.lat) || std::fabs(*f.lat) > 90)) std::abort();
  if (f.lon && (!std::isfinite(*f.lon) || std::fabs(*f.lon) > 180)) std::abort();
  if (f.mode >= Mode::fix_2d && (!f.lat || !f.lon)) std::abort();
  if (f.course_deg && (*f.course_deg < 0 || *f.course_deg > 360)) std::abort();
  if (f.speed_mps && *f.speed_mps < 0) std::abort();
  if (f.alt_m && !std::isfinite(*f.alt_m)) std::abort();
  (void)to_json(f);
}

}  // namespace mdtc::gps::fuzz
