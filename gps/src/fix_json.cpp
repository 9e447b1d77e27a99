// JSON for a Fix. The schema is fixed and every value is a number or a
// timestamp we format ourselves, so plain formatting is exact and avoids a
// JSON library's float printing (gpsd prints 9 decimals of degrees: ~0.1 mm).
#include <cinttypes>
#include <cstdio>

#include "mdtc/gps.h"
#include "nmea_fields.h"

namespace mdtc::gps {

std::string format_time_utc(int64_t time_ms) {
  int64_t days = time_ms / 86'400'000;
  int64_t rem = time_ms % 86'400'000;
  if (rem < 0) {
    rem += 86'400'000;
    --days;
  }
  const CivilDate d = civil_from_days(days);
  const int64_t s = rem / 1000;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", d.year, d.month, d.day,
                static_cast<int>(s / 3600), static_cast<int>(s / 60 % 60), static_cast<int>(s % 60),
                static_cast<int>(rem % 1000));
  return buf;
}

std::string to_json(const Fix& fix) {
  std::string out = "{";
  char buf[64];
  auto add = [&](const char* text) {
    if (out.size() > 1) out += ',';
    out += text;
  };
  if (fix.time_ms) {
    out += "\"time\":\"" + format_time_utc(*fix.time_ms) + "\"";
  }
  auto number = [&](const char* key, const std::optional<double>& v, const char* fmt) {
    if (!v) return;
    char num[40];
    std::snprintf(num, sizeof num, fmt, *v);
    std::snprintf(buf, sizeof buf, "\"%s\":%s", key, num);
    add(buf);
  };
  number("lat", fix.lat, "%.9f");
  number("lon", fix.lon, "%.9f");
  std::snprintf(buf, sizeof buf, "\"mode\":%d", static_cast<int>(fix.mode));
  add(buf);
  number("speed_mps", fix.speed_mps, "%.3f");
  number("course_deg", fix.course_deg, "%.2f");
  number("alt_m", fix.alt_m, "%.3f");
  // satellites and hdop stay out: the line format is a published contract
  // (time, lat, lon, mode, speed_mps, course_deg, alt_m).
  out += '}';
  return out;
}

}  // namespace mdtc::gps
