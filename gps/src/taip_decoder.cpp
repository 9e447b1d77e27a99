#include "taip_decoder.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace mdtc::gps {

namespace {

// Reads fixed-width fields left to right; any malformed field sets failed.
struct Cursor {
  std::string_view data;
  std::size_t at = 0;
  const char* bad = nullptr;  // name of the first malformed field

  // width digits, no sign.
  std::optional<int64_t> digits(std::size_t width, const char* name) {
    if (bad) return std::nullopt;
    if (at + width > data.size()) return fail(name);
    int64_t v = 0;
    for (std::size_t i = 0; i < width; ++i) {
      const char c = data[at + i];
      if (c < '0' || c > '9') return fail(name);
      v = v * 10 + (c - '0');
    }
    at += width;
    return v;
  }
  // '+' or '-', then width digits.
  std::optional<int64_t> signed_digits(std::size_t width, const char* name) {
    if (bad) return std::nullopt;
    if (at >= data.size() || (data[at] != '+' && data[at] != '-')) return fail(name);
    const bool negative = data[at++] == '-';
    const auto v = digits(width, name);
    if (!v) return std::nullopt;
    return negative ? -*v : *v;
  }
  void skip(std::size_t width) { at += width; }
  std::optional<int64_t> fail(const char* name) {
    bad = name;
    return std::nullopt;
  }
};

Error bad_field(const char* message, const char* field) {
  // Field name only: a position is personal data and never goes to a log.
  return make_error("taip.bad_field", std::string(message) + " " + field + " is malformed or out of range");
}

// Source of the fix (PV "H", LN "X"): 0 2D GPS, 1 3D GPS, 2 2D DGPS,
// 3 3D DGPS, 6 dead reckoning, 8 degraded dead reckoning, 9 unknown.
// Age of data (PV "I", LN "T"): 2 fresh (< 10 s), 1 old, 0 not available.
// Only fresh, measured positions place a patrol car: an old one would keep
// a stale position looking current, and degraded dead reckoning drifts.
void take_quality(int64_t source, int64_t age, Decoded& d) {
  const bool measured = source <= 3 || source == 6;
  d.valid = measured && age == 2;
  d.set |= kValidity;
  if (measured) {
    d.fix_type = (source == 1 || source == 3) ? 3 : 2;
    d.set |= kFixType;
  }
}

// Seconds of the day must lie within the day.
bool take_time_ms(int64_t ms, Decoded& d) {
  if (ms < 0 || ms >= 86'400'000) return false;
  d.time_of_day_ms = static_cast<int32_t>(ms);
  d.set |= kTime;
  return true;
}

// Position (in units of 1/scale degree), speed and heading of a fix: the
// same for PV and LN but for their resolution. heading_deg above 360 is
// dropped, not fatal, as the NMEA decoder does with a bad course.
bool take_motion(int64_t lat, int64_t lon, double scale, double speed_mps, double heading_deg, Decoded& d) {
  const double la = static_cast<double>(lat) / scale, lo = static_cast<double>(lon) / scale;
  if (la < -90 || la > 90 || lo < -180 || lo > 180) return false;
  d.lat = la;
  d.lon = lo;
  d.set |= kPosition;
  d.speed_mps = speed_mps;
  d.set |= kSpeed;
  if (heading_deg <= 360) {
    d.course_deg = heading_deg;
    d.set |= kCourse;
  }
  return true;
}

// PV, position/velocity: AAAAA time of day (s), BBBCCCCC latitude (signed,
// 5 implied decimals), DDDDEEEEE longitude (same), FFF speed (mph), GGG
// heading (degrees), H source, I age. 30 characters.
Status decode_pv(std::string_view data, Decoded& d) {
  Cursor c{data};
  const auto t = c.digits(5, "time");
  const auto lat = c.signed_digits(7, "latitude");
  const auto lon = c.signed_digits(8, "longitude");
  const auto speed = c.digits(3, "speed");
  const auto heading = c.digits(3, "heading");
  const auto source = c.digits(1, "source");
  const auto age = c.digits(1, "age");
  if (c.bad) return bad_field("PV", c.bad);
  if (!take_time_ms(*t * 1000, d)) return bad_field("PV", "time");
  take_quality(*source, *age, d);
  if (!d.valid) return Ok{};
  if (!take_motion(*lat, *lon, 1e5, static_cast<double>(*speed) * kMetresPerSecondPerMph,
                   static_cast<double>(*heading), d))
    return bad_field("PV", "position");
  return Ok{};
}

// LN, long navigation: AAAAA.BBB time of day, SCC.DDDDDDD latitude,
// SEEE.FFFFFFF longitude, SGGGGGG.HH altitude above MSL (feet), III.J
// horizontal speed (mph), SKKK.L vertical speed (mph), MMM.N heading, OO
// satellites used, then PPQQ (id, IODE) per satellite, RRRRRRRRRR
// reserved, X source, T age. 65 characters with no satellites.
Status decode_ln(std::string_view data, Decoded& d) {
  Cursor c{data};
  const auto t = c.digits(8, "time");
  const auto lat = c.signed_digits(9, "latitude");
  const auto lon = c.signed_digits(10, "longitude");
  const auto alt = c.signed_digits(8, "altitude");
  const auto speed = c.digits(4, "speed");
  (void)c.signed_digits(4, "vertical speed");
  const auto heading = c.digits(4, "heading");
  const auto satellites = c.digits(2, "satellites");
  if (c.bad) return bad_field("LN", c.bad);
  // The satellite list's length follows from its count; a report cut short
  // inside it is not usable.
  c.skip(static_cast<std::size_t>(*satellites) * 4 + 10);
  const auto source = c.digits(1, "source");
  const auto age = c.digits(1, "age");
  if (c.bad) return bad_field("LN", c.bad);
  if (!take_time_ms(*t, d)) return bad_field("LN", "time");
  d.satellites = static_cast<int>(*satellites);
  d.set |= kSatellites;
  take_quality(*source, *age, d);
  if (!d.valid) return Ok{};
  if (!take_motion(*lat, *lon, 1e7, static_cast<double>(*speed) / 10 * kMetresPerSecondPerMph,
                   static_cast<double>(*heading) / 10, d))
    return bad_field("LN", "position");
  // A 2D source has no measured altitude, whatever the field holds.
  if (d.fix_type == 3) {
    d.alt_m = static_cast<double>(*alt) / 100 * kMetresPerFoot;
    d.set |= kAltitude;
  }
  return Ok{};
}

struct Handler {
  std::string_view identifier;
  SentenceType id;
  std::size_t min_data;
  Status (*decode)(std::string_view, Decoded&);
};

constexpr Handler kHandlers[] = {
    {"PV", SentenceType::taip_pv, 30, decode_pv},
    {"LN", SentenceType::taip_ln, 65, decode_ln},
};

bool is_upper(char c) noexcept { return c >= 'A' && c <= 'Z'; }

}  // namespace

Result<Decoded> decode_taip(std::string_view body) {
  // ";ID=xxxx" and any other ';' fields follow the data; the vehicle ID is
  // the router's name for the car, not needed for a position.
  const std::string_view message = body.substr(0, body.find(';'));
  if (message.size() < 3 || !is_upper(message[0]) || !is_upper(message[1]) || !is_upper(message[2]))
    return make_error("taip.bad_identifier", "message does not start with a qualifier and a two-letter identifier");
  Decoded d;
  // R = response/report; Q (query), S (set), D and F (scheduling) carry no
  // position from the receiver.
  if (message[0] != 'R') return d;
  const std::string_view identifier = message.substr(1, 2);
  const std::string_view data = message.substr(3);
  for (const auto& h : kHandlers) {
    if (h.identifier != identifier) continue;
    if (data.size() < h.min_data) {
      return make_error("taip.too_short", std::string(identifier) + " has " + std::to_string(data.size()) +
                                              " data characters, expected at least " + std::to_string(h.min_data));
    }
    d.type = h.id;
    d.whole_cycle = true;
    if (auto s = h.decode(data, d); !s) return s.error();
    return d;
  }
  return d;
}

}  // namespace mdtc::gps
