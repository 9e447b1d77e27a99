#include "nmea_writer.h"

#include <cmath>
#include <cstdio>
#include <ctime>

namespace stub_gps {

namespace {

// ddmm.mmmmm from degrees, rounded in integer units so 59.999996 minutes
// carries into the degrees instead of printing "60.00000".
std::string degrees_minutes(double value, int degree_digits) {
  const int64_t units = std::llround(std::fabs(value) * 60.0 * 100000.0);  // 1e-5 minute
  const int64_t deg = units / (60 * 100000);
  const int64_t min_units = units % (60 * 100000);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%0*lld%02lld.%05lld", degree_digits, static_cast<long long>(deg),
                static_cast<long long>(min_units / 100000), static_cast<long long>(min_units % 100000));
  return buf;
}

}  // namespace

std::string nmea_sentence(const std::string& body) {
  unsigned sum = 0;
  for (char c : body) sum ^= static_cast<unsigned char>(c);
  char tail[8];
  std::snprintf(tail, sizeof tail, "*%02X\r\n", sum);
  return "$" + body + tail;
}

std::string nmea_epoch(const Epoch& e) {
  const std::time_t secs = static_cast<std::time_t>(e.utc_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char hms[32], dmy[32];
  std::snprintf(hms, sizeof hms, "%02d%02d%02d.%02d", tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(e.utc_ms % 1000 / 10));
  std::snprintf(dmy, sizeof dmy, "%02d%02d%02d", tm.tm_mday, tm.tm_mon + 1, tm.tm_year % 100);
  const std::string lat = degrees_minutes(e.position.lat, 2) + (e.position.lat < 0 ? ",S" : ",N");
  const std::string lon = degrees_minutes(e.position.lon, 3) + (e.position.lon < 0 ? ",W" : ",E");
  const double knots = e.speed_mps / 0.514444;
  char num[96];
  std::string out;
  std::snprintf(num, sizeof num, ",1,09,0.9,%.1f,M,-33.9,M,,", e.alt_m);
  out += nmea_sentence(std::string("GPGGA,") + hms + "," + lat + "," + lon + num);
  out += nmea_sentence("GPGSA,A,3,02,05,07,09,13,16,20,26,30,,,,1.6,0.9,1.3");
  std::snprintf(num, sizeof num, ",%.2f,%.1f,", knots, e.position.course_deg);
  out += nmea_sentence(std::string("GPRMC,") + hms + ",A," + lat + "," + lon + num + dmy + ",,,A");
  std::snprintf(num, sizeof num, "GPVTG,%.1f,T,,M,%.2f,N,%.2f,K,A", e.position.course_deg, knots,
                e.speed_mps * 3.6);
  out += nmea_sentence(num);
  return out;
}

}  // namespace stub_gps
