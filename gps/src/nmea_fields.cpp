#include "nmea_fields.h"

#include <charconv>
#include <cmath>

namespace mdtc::gps {

namespace {

bool all_digits(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

int two_digits(std::string_view s, std::size_t at) noexcept {
  return (s[at] - '0') * 10 + (s[at + 1] - '0');
}

// Degrees and minutes share one field; the minutes are always the two digits
// before the decimal point, so split on the text rather than dividing a
// double by 100 (which loses the 8th decimal of RTK receivers).
std::optional<double> parse_degrees_minutes(std::string_view f, int max_degrees) {
  if (f.empty()) return std::nullopt;
  const auto dot = f.find('.');
  const std::string_view whole = f.substr(0, dot);
  if (whole.size() < 3 || whole.size() > 5 || !all_digits(whole)) return std::nullopt;
  const std::string_view deg_text = whole.substr(0, whole.size() - 2);
  const std::string_view min_text = f.substr(whole.size() - 2);
  int degrees = 0;
  std::from_chars(deg_text.data(), deg_text.data() + deg_text.size(), degrees);
  const auto minutes = parse_decimal(min_text);
  if (!minutes || *minutes >= 60.0 || degrees > max_degrees) return std::nullopt;
  const double value = degrees + *minutes / 60.0;
  if (value > max_degrees) return std::nullopt;
  return value;
}

}  // namespace

// One pass that validates and, in the common case, converts: with at most
// 15 significant digits and 22 decimals, the digits form an integer below
// 2^53 and 10^decimals is an exact double, so one IEEE division gives the
// correctly rounded value - the same double from_chars yields, without its
// cost, which is more than the rest of a sentence's decoding. Longer
// numbers still go through from_chars.
std::optional<double> parse_decimal(std::string_view f) {
  static constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                      1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  if (f.empty()) return std::nullopt;
  const char* p = f.data();
  const char* const end = p + f.size();
  const bool negative = *p == '-';
  if (*p == '-' || *p == '+') ++p;
  uint64_t mantissa = 0;
  int significant = 0, decimals = 0;
  bool seen_digit = false, seen_dot = false, exact = true;
  for (; p < end; ++p) {
    if (*p == '.') {
      if (seen_dot) return std::nullopt;
      seen_dot = true;
      continue;
    }
    const unsigned digit = static_cast<unsigned>(*p - '0');
    if (digit > 9) return std::nullopt;
    seen_digit = true;
    // Leading zeros are not significant and do not count toward the limit.
    if (mantissa != 0 || digit != 0) ++significant;
    if (significant > 15) {
      exact = false;
      continue;
    }
    mantissa = mantissa * 10 + digit;
    if (seen_dot) ++decimals;
  }
  if (!seen_digit) return std::nullopt;
  if (exact && decimals <= 22) {
    const double value = static_cast<double>(mantissa) / kPow10[decimals];
    return negative ? -value : value;
  }
  double value = 0;
  // from_chars rejects a leading '+'; the sign was validated above.
  const char* begin = f.front() == '+' ? f.data() + 1 : f.data();
  const auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec != std::errc() || ptr != end || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::optional<int> parse_uint(std::string_view f) {
  if (!all_digits(f) || f.size() > 9) return std::nullopt;
  int value = 0;
  std::from_chars(f.data(), f.data() + f.size(), value);
  return value;
}

std::optional<int32_t> parse_time_of_day(std::string_view f) {
  if (f.size() < 6 || !all_digits(f.substr(0, 6))) return std::nullopt;
  const int h = two_digits(f, 0), m = two_digits(f, 2), s = two_digits(f, 4);
  if (h > 23 || m > 59 || s > 60) return std::nullopt;  // 60: leap second
  int ms = 0;
  if (f.size() > 6) {
    if (f[6] != '.') return std::nullopt;
    const std::string_view frac = f.substr(7);
    if (!frac.empty() && !all_digits(frac)) return std::nullopt;
    // Round to the millisecond; receivers print 0 to 4 decimals.
    double scale = 100.0, sub = 0.0;
    for (char c : frac) {
      sub += (c - '0') * scale;
      scale /= 10.0;
    }
    ms = static_cast<int>(std::lround(sub));
    if (ms >= 1000) ms = 999;
  }
  return ((h * 60 + m) * 60 + s) * 1000 + ms;
}

bool is_valid_date(const CivilDate& d) noexcept {
  if (d.year < 1980 || d.year > 2200 || d.month < 1 || d.month > 12 || d.day < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (d.year % 4 == 0 && d.year % 100 != 0) || d.year % 400 == 0;
  const int max_day = kDays[d.month - 1] + (d.month == 2 && leap ? 1 : 0);
  return d.day <= max_day;
}

std::optional<CivilDate> parse_ddmmyy(std::string_view f) {
  if (f.size() != 6 || !all_digits(f)) return std::nullopt;
  const int yy = two_digits(f, 4);
  CivilDate d{yy >= 80 ? 1900 + yy : 2000 + yy, two_digits(f, 2), two_digits(f, 0)};
  if (!is_valid_date(d)) return std::nullopt;
  return d;
}

std::optional<CivilDate> parse_dmy(std::string_view day, std::string_view month,
                                   std::string_view year) {
  if (day.size() != 2 || month.size() != 2 || year.size() != 4) return std::nullopt;
  const auto dd = parse_uint(day), mm = parse_uint(month), yyyy = parse_uint(year);
  if (!dd || !mm || !yyyy) return std::nullopt;
  CivilDate d{*yyyy, *mm, *dd};
  if (!is_valid_date(d)) return std::nullopt;
  return d;
}

std::optional<double> parse_latitude(std::string_view value, std::string_view hemisphere) {
  if (hemisphere != "N" && hemisphere != "S") return std::nullopt;
  auto v = parse_degrees_minutes(value, 90);
  if (v && hemisphere == "S") *v = -*v;
  return v;
}

std::optional<double> parse_longitude(std::string_view value, std::string_view hemisphere) {
  if (hemisphere != "E" && hemisphere != "W") return std::nullopt;
  auto v = parse_degrees_minutes(value, 180);
  if (v && hemisphere == "W") *v = -*v;
  return v;
}

int64_t days_from_civil(const CivilDate& d) noexcept {
  const int64_t y = d.year - (d.month <= 2 ? 1 : 0);
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t mp = (d.month + 9) % 12;
  const int64_t doy = (153 * mp + 2) / 5 + d.day - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

CivilDate civil_from_days(int64_t z) noexcept {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  const int y = static_cast<int>(yoe + era * 400 + (m <= 2 ? 1 : 0));
  return CivilDate{y, m, d};
}

}  // namespace mdtc::gps
