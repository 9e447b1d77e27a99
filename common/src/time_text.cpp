#include "mdtc/time_text.h"

#include <chrono>
#include <cstdio>

namespace mdtc {
namespace {

bool digits(std::string_view s, std::size_t from, std::size_t n) {
  if (s.size() < from + n) return false;
  for (std::size_t i = from; i < from + n; ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

int num(std::string_view s, std::size_t from, std::size_t n) {
  int v = 0;
  for (std::size_t i = from; i < from + n; ++i) v = v * 10 + (s[i] - '0');
  return v;
}

struct Fields {
  int year;
  unsigned month, day;
  int hour, minute, second, millis;
};

// Floors towards the past, so times before 1970 print the second they are in.
Fields fields_of(int64_t unix_ms) {
  using namespace std::chrono;
  const sys_time<milliseconds> t{milliseconds{unix_ms}};
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss hms{t - day};
  return {static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
          static_cast<int>(hms.hours().count()),   static_cast<int>(hms.minutes().count()),
          static_cast<int>(hms.seconds().count()), static_cast<int>(hms.subseconds().count())};
}

}  // namespace

int64_t now_unix() {
  using namespace std::chrono;
  return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

std::string rfc3339_utc(int64_t unix_s) {
  const Fields f = fields_of(unix_s * 1000);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", f.year, f.month, f.day, f.hour, f.minute,
                f.second);
  return buf;
}

std::string rfc3339_utc_ms(int64_t unix_ms) {
  const Fields f = fields_of(unix_ms);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", f.year, f.month, f.day, f.hour, f.minute,
                f.second, f.millis);
  return buf;
}

std::string iso_date_utc(int64_t unix_s) { return rfc3339_utc(unix_s).substr(0, 10); }

std::string minute_text_utc(int64_t unix_ms) {
  const Fields f = fields_of(unix_ms);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02d:%02d UTC", f.year, f.month, f.day, f.hour, f.minute);
  return buf;
}

bool is_iso_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-' || !digits(s, 0, 4) || !digits(s, 5, 2) || !digits(s, 8, 2))
    return false;
  const std::chrono::year_month_day ymd{std::chrono::year(num(s, 0, 4)),
                                        std::chrono::month(static_cast<unsigned>(num(s, 5, 2))),
                                        std::chrono::day(static_cast<unsigned>(num(s, 8, 2)))};
  return ymd.ok();
}

bool is_rfc3339(std::string_view s) {
  if (s.size() < 20 || !is_iso_date(s.substr(0, 10))) return false;
  if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') return false;
  if (!digits(s, 11, 2) || s[13] != ':' || !digits(s, 14, 2) || s[16] != ':' || !digits(s, 17, 2)) return false;
  if (num(s, 11, 2) > 23 || num(s, 14, 2) > 59 || num(s, 17, 2) > 60) return false;
  std::size_t i = 19;
  if (i < s.size() && s[i] == '.') {
    ++i;
    const std::size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == start) return false;
  }
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) return i + 1 == s.size();
  if (i < s.size() && (s[i] == '+' || s[i] == '-'))
    return s.size() == i + 6 && digits(s, i + 1, 2) && s[i + 3] == ':' && digits(s, i + 4, 2) &&
           num(s, i + 1, 2) <= 23 && num(s, i + 4, 2) <= 59;
  return false;
}

std::optional<int64_t> parse_rfc3339_ms(std::string_view s) {
  if (!is_rfc3339(s)) return std::nullopt;
  using namespace std::chrono;
  const year_month_day ymd{year(num(s, 0, 4)), month(static_cast<unsigned>(num(s, 5, 2))),
                           day(static_cast<unsigned>(num(s, 8, 2)))};
  int64_t t = sys_days(ymd).time_since_epoch().count() * 86400LL + num(s, 11, 2) * 3600LL +
              num(s, 14, 2) * 60LL + num(s, 17, 2);
  int64_t ms = 0;
  std::size_t i = 19;
  if (s[i] == '.') {
    int64_t scale = 100;
    for (++i; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, scale /= 10) ms += (s[i] - '0') * scale;
  }
  if (s[i] == '+' || s[i] == '-') {
    const int64_t off = num(s, i + 1, 2) * 3600LL + num(s, i + 4, 2) * 60LL;
    t += s[i] == '+' ? -off : off;
  }
  return t * 1000 + ms;
}

std::optional<int64_t> parse_rfc3339(std::string_view s) {
  const auto ms = parse_rfc3339_ms(s);
  if (!ms) return std::nullopt;
  return *ms >= 0 ? *ms / 1000 : -((-*ms + 999) / 1000);
}

}  // namespace mdtc
