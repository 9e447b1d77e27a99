// Dates and timestamps as the registry writes them, converted to and from
// seconds since the epoch (UTC). Pure except now_unix().
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mdtc::cache {

int64_t now_unix();
std::string rfc3339_utc(int64_t unix_s);           // "2026-11-22T10:00:00Z"
std::string iso_date_utc(int64_t unix_s);          // "2026-11-22"
std::optional<int64_t> parse_rfc3339(std::string_view s);  // honours the offset

}  // namespace mdtc::cache
