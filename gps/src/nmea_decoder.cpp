#include "nmea_decoder.h"

#include <array>
#include <cstddef>

namespace mdtc::gps {

namespace {

// Longest standard layout used here is GSA (18 fields with the NMEA 4.1
// system id); GSV and proprietary sentences can be longer but are ignored.
constexpr std::size_t kMaxFields = 40;

struct Fields {
  std::array<std::string_view, kMaxFields> f{};
  std::size_t count = 0;  // including the address field f[0]
  // Field i, or "" when the sentence is shorter (trailing fields are optional).
  std::string_view operator[](std::size_t i) const noexcept { return i < count ? f[i] : std::string_view{}; }
};

// Fields are a few characters each: a plain scan beats a library search
// call per field. Text after the kMaxFields-th field's comma is dropped.
Fields split(std::string_view body) {
  Fields out;
  const char* field = body.data();
  const char* const end = field + body.size();
  for (;;) {
    const char* comma = field;
    while (comma < end && *comma != ',') ++comma;
    out.f[out.count++] = std::string_view(field, static_cast<std::size_t>(comma - field));
    if (comma == end || out.count == kMaxFields) break;
    field = comma + 1;
  }
  return out;
}

Error bad_field(const char* sentence, const char* field, std::string_view value) {
  return make_error("nmea.bad_field", std::string(sentence) + " " + field + " '" +
                                          std::string(value.substr(0, 24)) + "' is malformed");
}

// Position pair at fields i..i+3. Both empty = not given (no fix); one
// malformed = the sentence is unusable.
Status take_position(const Fields& f, std::size_t i, const char* name, Decoded& d) {
  if (f[i].empty() && f[i + 2].empty()) return Ok{};
  const auto lat = parse_latitude(f[i], f[i + 1]);
  if (!lat) return bad_field(name, "latitude", f[i]);
  const auto lon = parse_longitude(f[i + 2], f[i + 3]);
  if (!lon) return bad_field(name, "longitude", f[i + 2]);
  d.lat = *lat;
  d.lon = *lon;
  d.set |= kPosition;
  return Ok{};
}

Status take_time(const Fields& f, std::size_t i, const char* name, Decoded& d) {
  if (f[i].empty()) return Ok{};
  const auto t = parse_time_of_day(f[i]);
  if (!t) return bad_field(name, "time", f[i]);
  d.time_of_day_ms = *t;
  d.set |= kTime;
  return Ok{};
}

// Optional numbers: a malformed one is dropped, not fatal. Meinberg
// receivers, for one, print course fields that are not numbers.
void take_number(std::string_view text, uint32_t bit, double& out, Decoded& d) {
  if (const auto v = parse_decimal(text)) {
    out = *v;
    d.set |= bit;
  }
}

void take_speed_knots(std::string_view text, Decoded& d) {
  if (const auto v = parse_decimal(text); v && *v >= 0) {
    d.speed_mps = *v * kMetresPerSecondPerKnot;
    d.set |= kSpeed;
  }
}

void take_course(std::string_view text, Decoded& d) {
  if (const auto v = parse_decimal(text); v && *v >= 0 && *v <= 360) {
    d.course_deg = *v;
    d.set |= kCourse;
  }
}

void take_satellites(std::string_view text, Decoded& d) {
  if (const auto v = parse_uint(text); v && *v <= 255) {
    d.satellites = *v;
    d.set |= kSatellites;
  }
}

void take_hdop(std::string_view text, Decoded& d) {
  if (const auto v = parse_decimal(text); v && *v > 0) {  // 0 / 99.99 mean "unknown"
    if (*v < 99.0) {
      d.hdop = *v;
      d.set |= kHdop;
    }
  }
}

// FAA mode indicator (NMEA 2.3+): N = data not valid; E = estimated (dead
// reckoning), still a position; S simulator and M manual are not measured.
bool faa_mode_valid(std::string_view mode) { return mode.empty() || mode == "A" || mode == "D" || mode == "E" || mode == "F" || mode == "R" || mode == "P"; }

// GGA: 1 time, 2-5 position, 6 quality, 7 satellites, 8 HDOP, 9 altitude,
// 10 'M', 11 geoid separation, 12 'M', 13 DGPS age, 14 DGPS station.
Status decode_gga(const Fields& f, Decoded& d) {
  if (auto s = take_time(f, 1, "GGA", d); !s) return s;
  const auto quality = parse_uint(f[6]);
  // Quality 0 = no fix; 7 = manual input and 8 = simulator are not measured
  // positions and must never place a patrol car. Empty quality (seen on
  // u-blox NEO-5Q) says nothing either way.
  take_satellites(f[7], d);
  if (quality) {
    d.valid = *quality >= 1 && *quality <= 6;
    // A satellite fix from zero satellites is not one (Hemisphere receivers
    // print quality 1 with 00 satellites while they have none); gpsd agrees.
    // Dead reckoning (6) legitimately runs without satellites.
    if (*quality != 6 && d.has(kSatellites) && d.satellites == 0) d.valid = false;
    d.set |= kValidity;
  }
  take_hdop(f[8], d);
  if (!d.has(kValidity) || !d.valid) return Ok{};
  if (auto s = take_position(f, 2, "GGA", d); !s) return s;
  if (!f[9].empty()) take_number(f[9], kAltitude, d.alt_m, d);
  return Ok{};
}

// RMC: 1 time, 2 status A/V, 3-6 position, 7 speed kn, 8 course, 9 ddmmyy,
// 10-11 magnetic variation, 12 FAA mode (2.3+), 13 nav status (4.1).
Status decode_rmc(const Fields& f, Decoded& d) {
  if (auto s = take_time(f, 1, "RMC", d); !s) return s;
  if (!f[9].empty()) {
    if (const auto date = parse_ddmmyy(f[9])) {
      d.date = *date;
      d.set |= kDate;
    }
    // A malformed date (week-rollover firmware prints "2208-1") voids only
    // the date, not the position.
  }
  if (f[2] == "A" || f[2] == "V") {
    d.valid = f[2] == "A" && faa_mode_valid(f[12]);
    d.set |= kValidity;
  }
  if (!d.valid) return Ok{};
  if (auto s = take_position(f, 3, "RMC", d); !s) return s;
  take_speed_knots(f[7], d);
  take_course(f[8], d);
  return Ok{};
}

// GNS: 1 time, 2-5 position, 6 mode per constellation ("AN", "DDN"...),
// 7 satellites, 8 HDOP, 9 altitude, 10 geoid separation, ...
Status decode_gns(const Fields& f, Decoded& d) {
  if (auto s = take_time(f, 1, "GNS", d); !s) return s;
  if (!f[6].empty()) {
    d.valid = false;
    for (char c : f[6]) {
      if (c == 'A' || c == 'D' || c == 'P' || c == 'R' || c == 'F' || c == 'E') d.valid = true;
    }
    d.set |= kValidity;
  }
  take_satellites(f[7], d);
  take_hdop(f[8], d);
  if (!d.valid) return Ok{};
  if (auto s = take_position(f, 2, "GNS", d); !s) return s;
  if (!f[9].empty()) take_number(f[9], kAltitude, d.alt_m, d);
  return Ok{};
}

// GLL: 1-4 position, 5 time, 6 status A/V, 7 FAA mode (2.3+).
Status decode_gll(const Fields& f, Decoded& d) {
  if (auto s = take_time(f, 5, "GLL", d); !s) return s;
  if (f[6] == "A" || f[6] == "V") {
    d.valid = f[6] == "A" && faa_mode_valid(f[7]);
    d.set |= kValidity;
  } else if (f.count <= 6 && !f[1].empty()) {
    // NMEA 1.x GLL has no status field; a position then means a fix.
    d.valid = true;
    d.set |= kValidity;
  }
  if (!d.valid) return Ok{};
  return take_position(f, 1, "GLL", d);
}

// VTG (2.x): 1 course true, 2 'T', 3 course magnetic, 4 'M', 5 knots, 6 'N',
// 7 km/h, 8 'K', 9 FAA mode. NMEA 1.x omits the unit letters:
// 1 course true, 2 course magnetic, 3 knots, 4 km/h.
Status decode_vtg(const Fields& f, Decoded& d) {
  const bool has_units = f[2] == "T" || f[4] == "M" || f[6] == "N";
  if (has_units) {
    if (!faa_mode_valid(f[9])) return Ok{};
    take_course(f[1], d);
    take_speed_knots(f[5], d);
  } else {
    take_course(f[1], d);
    take_speed_knots(f[3], d);
  }
  return Ok{};
}

// GSA: 1 selection mode M/A, 2 fix type 1/2/3, 3-14 satellite ids, 15 PDOP,
// 16 HDOP, 17 VDOP, 18 system id (4.1).
Status decode_gsa(const Fields& f, Decoded& d) {
  const auto type = parse_uint(f[2]);
  if (!type || *type < 1 || *type > 3) {
    if (f[2].empty()) return Ok{};
    return bad_field("GSA", "fix type", f[2]);
  }
  d.fix_type = *type;
  d.set |= kFixType;
  take_hdop(f[16], d);
  return Ok{};
}

// ZDA: 1 time, 2 day, 3 month, 4 year, 5-6 local zone (ignored: UTC wanted).
Status decode_zda(const Fields& f, Decoded& d) {
  if (auto s = take_time(f, 1, "ZDA", d); !s) return s;
  if (f[2].empty() && f[3].empty() && f[4].empty()) return Ok{};  // time known, date not yet
  const auto date = parse_dmy(f[2], f[3], f[4]);
  if (!date) return bad_field("ZDA", "date", f[4]);
  d.date = *date;
  d.set |= kDate;
  return Ok{};
}

struct Handler {
  std::string_view type;
  SentenceType id;
  std::size_t min_fields;  // after the address
  Status (*decode)(const Fields&, Decoded&);
};

// Minimums are the fields the handler reads unconditionally; trailing fields
// added by later NMEA versions are optional.
constexpr Handler kHandlers[] = {
    {"GGA", SentenceType::gga, 9, decode_gga},
    {"RMC", SentenceType::rmc, 9, decode_rmc},
    {"GNS", SentenceType::gns, 9, decode_gns},
    {"GLL", SentenceType::gll, 5, decode_gll},
    {"VTG", SentenceType::vtg, 4, decode_vtg},
    {"GSA", SentenceType::gsa, 2, decode_gsa},
    {"ZDA", SentenceType::zda, 4, decode_zda},
};

bool is_upper_alnum(char c) noexcept { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

}  // namespace

const char* sentence_type_name(SentenceType type) noexcept {
  if (type == SentenceType::taip_pv) return "PV";
  if (type == SentenceType::taip_ln) return "LN";
  for (const auto& h : kHandlers)
    if (h.id == type) return h.type.data();
  return "unknown";
}

Result<Decoded> decode_sentence(std::string_view body) {
  const Fields f = split(body);
  const std::string_view address = f[0];
  if (address.empty()) return make_error("nmea.bad_address", "sentence has an empty address field");
  for (char c : address) {
    if (!is_upper_alnum(c))
      return make_error("nmea.bad_address", "address '" + std::string(address.substr(0, 16)) +
                                                "' is not upper-case letters and digits");
  }
  Decoded d;
  // Standard sentences are a 2-letter talker plus a 3-letter type; 'P' opens
  // a proprietary address ($PGRMZ, $PQGSA) whose tail must not be read as a
  // standard type.
  if (address.size() != 5 || address[0] == 'P') return d;
  const std::string_view type = address.substr(2);
  for (const auto& h : kHandlers) {
    if (h.type != type) continue;
    if (f.count - 1 < h.min_fields) {
      return make_error("nmea.too_few_fields", std::string(address) + " has " + std::to_string(f.count - 1) +
                                                   " fields, expected at least " +
                                                   std::to_string(h.min_fields));
    }
    d.type = h.id;
    d.talker[0] = address[0];
    d.talker[1] = address[1];
    if (auto s = h.decode(f, d); !s) return s.error();
    return d;
  }
  return d;
}

}  // namespace mdtc::gps
