#include "time_text.h"

#include <chrono>
#include <cstdio>

#include "mdtc/registry_line.h"

namespace mdtc::cache {
namespace {

int num(std::string_view s, std::size_t from, std::size_t n) {
  int v = 0;
  for (std::size_t i = from; i < from + n; ++i) v = v * 10 + (s[i] - '0');
  return v;
}

}  // namespace

int64_t now_unix() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string rfc3339_utc(int64_t unix_s) {
  using namespace std::chrono;
  const sys_seconds t{seconds{unix_s}};
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss hms{t - day};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

std::string iso_date_utc(int64_t unix_s) { return rfc3339_utc(unix_s).substr(0, 10); }

std::optional<int64_t> parse_rfc3339(std::string_view s) {
  if (!is_rfc3339(s)) return std::nullopt;
  using namespace std::chrono;
  const year_month_day ymd{year(num(s, 0, 4)), month(static_cast<unsigned>(num(s, 5, 2))),
                           day(static_cast<unsigned>(num(s, 8, 2)))};
  int64_t t = sys_days(ymd).time_since_epoch().count() * 86400LL + num(s, 11, 2) * 3600LL +
              num(s, 14, 2) * 60LL + num(s, 17, 2);
  const std::size_t z = s.find_first_of("Zz+-", 19);
  if (z != std::string_view::npos && (s[z] == '+' || s[z] == '-')) {
    const int64_t off = num(s, z + 1, 2) * 3600LL + num(s, z + 4, 2) * 60LL;
    t += s[z] == '+' ? -off : off;
  }
  return t;
}

}  // namespace mdtc::cache
