// Turns one checked NMEA sentence body ("GPGGA,123519,4807.038,N,...") into
// the fields it carries. Table-driven like gpsd: {type, minimum field count,
// handler}; any talker (GP, GN, GL, GA, GB, BD, GQ, GI, QZ, ...) is accepted
// and the talker is ignored, since the sentence type alone decides the
// layout. Unknown and proprietary ($P...) types are ignored on purpose.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "mdtc/result.h"
#include "nmea_fields.h"

namespace mdtc::gps {

// Which fields a handler set (bit mask in Decoded::set).
enum FieldBit : uint32_t {
  kTime = 1u << 0,
  kDate = 1u << 1,
  kPosition = 1u << 2,     // lat and lon
  kAltitude = 1u << 3,     // metres above mean sea level
  kSpeed = 1u << 4,
  kCourse = 1u << 5,
  kValidity = 1u << 6,     // the sentence says whether it has a fix
  kFixType = 1u << 7,      // GSA: 1 none, 2 2D, 3 3D
  kSatellites = 1u << 8,
  kHdop = 1u << 9,
};

// taip_pv / taip_ln come from the TAIP decoder (taip_decoder.h): the
// tracker merges them like any sentence.
enum class SentenceType { unknown, gga, rmc, gns, gll, vtg, gsa, zda, taip_pv, taip_ln };

struct Decoded {
  SentenceType type = SentenceType::unknown;
  char talker[3] = {0, 0, 0};
  uint32_t set = 0;  // FieldBit mask
  int32_t time_of_day_ms = 0;
  CivilDate date;
  bool valid = false;  // with kValidity: true = the receiver claims a fix
  double lat = 0, lon = 0, alt_m = 0, speed_mps = 0, course_deg = 0, hdop = 0;
  int fix_type = 0;
  int satellites = 0;
  // The message is a whole receiver cycle on its own (a TAIP report), so
  // the tracker reports it at once instead of waiting for the next one.
  bool whole_cycle = false;

  bool has(uint32_t bits) const noexcept { return (set & bits) == bits; }
};

inline constexpr double kMetresPerSecondPerKnot = 0.514444;

// Errors: "nmea.bad_address", "nmea.too_few_fields" (below the table's
// minimum), "nmea.bad_field" (a field the handler needs is malformed).
// A recognised-but-unknown type is not an error: type stays unknown.
Result<Decoded> decode_sentence(std::string_view body);

const char* sentence_type_name(SentenceType type) noexcept;

}  // namespace mdtc::gps
