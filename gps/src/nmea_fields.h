// Parsers for the field formats NMEA 0183 sentences share. Each is pure and
// strict: an empty field is "not given" (std::nullopt), a malformed one is
// also nullopt, and the caller decides whether that voids the sentence.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace mdtc::gps {

struct CivilDate {
  int year = 0, month = 0, day = 0;
  friend bool operator==(const CivilDate&, const CivilDate&) = default;
};

// "hhmmss" or "hhmmss.s..." -> milliseconds since midnight UTC.
std::optional<int32_t> parse_time_of_day(std::string_view f);
// RMC "ddmmyy"; two-digit years pivot at 80 (80-99 -> 1980-1999, else 20xx),
// which covers every GPS-era receiver including week-rollover victims that
// report 1999.
std::optional<CivilDate> parse_ddmmyy(std::string_view f);
// ZDA's separate day, month and four-digit year fields.
std::optional<CivilDate> parse_dmy(std::string_view day, std::string_view month,
                                   std::string_view year);
// "ddmm.mmmm" + "N"/"S" (or "dddmm.mmmm" + "E"/"W") -> signed degrees.
std::optional<double> parse_latitude(std::string_view value, std::string_view hemisphere);
std::optional<double> parse_longitude(std::string_view value, std::string_view hemisphere);
// A plain decimal ("12.5", "-3", ".5"); no exponents, no blanks.
std::optional<double> parse_decimal(std::string_view f);
std::optional<int> parse_uint(std::string_view f);

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's formula).
int64_t days_from_civil(const CivilDate& d) noexcept;
CivilDate civil_from_days(int64_t days) noexcept;
bool is_valid_date(const CivilDate& d) noexcept;

}  // namespace mdtc::gps
