// Turns one checked TAIP message body ("RPV15714+3739438-...;ID=1234") into
// the same Decoded fields an NMEA sentence gives, so one FixTracker serves
// both protocols. Table-driven like the NMEA decoder: {identifier, minimum
// data length, handler}. Only reports (qualifier 'R') carry data for us;
// queries, set commands and unknown identifiers (RTM, RID, ...) are ignored
// on purpose.
//
// TAIP fields are fixed-width digits with explicit signs and implied
// decimals, and its units are US customary: speed in mph, altitude in feet.
// TAIP times are seconds of the day only (no date); Trimble calls them GPS
// time, and routers send UTC. They are taken as UTC: see gps/README.md.
#pragma once

#include <string_view>

#include "mdtc/result.h"
#include "nmea_decoder.h"

namespace mdtc::gps {

inline constexpr double kMetresPerSecondPerMph = 0.44704;
inline constexpr double kMetresPerFoot = 0.3048;

// Errors: "taip.bad_identifier" (not a letter qualifier plus two upper-case
// letters), "taip.too_short" (data below the table's minimum),
// "taip.bad_field" (a digit field malformed or out of range). An unknown
// identifier is not an error: type stays unknown.
Result<Decoded> decode_taip(std::string_view body);

}  // namespace mdtc::gps
