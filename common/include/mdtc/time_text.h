// Time as the wire protocol, the registry and the panels write it, always
// UTC, to and from seconds or milliseconds since the epoch. One home for
// RFC 3339 so that what one module writes every other module reads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mdtc {

int64_t now_unix();                         // seconds, the system clock
std::string rfc3339_utc(int64_t unix_s);    // "2026-11-22T10:00:00Z"
std::string rfc3339_utc_ms(int64_t unix_ms);  // "2026-11-22T10:00:00.123Z"
std::string iso_date_utc(int64_t unix_s);   // "2026-11-22"
std::string minute_text_utc(int64_t unix_ms);  // "2026-11-22 10:00 UTC", for panels

// YYYY-MM-DD, with a real month and day.
bool is_iso_date(std::string_view s);
// YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|+HH:MM|-HH:MM) with real ranges (T may be
// t or a space); nothing before or after.
bool is_rfc3339(std::string_view s);
// The instant it names, honouring the offset; std::nullopt unless
// is_rfc3339. Fractions below a millisecond are dropped.
std::optional<int64_t> parse_rfc3339_ms(std::string_view s);
std::optional<int64_t> parse_rfc3339(std::string_view s);  // seconds

}  // namespace mdtc
