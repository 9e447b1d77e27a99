#include "envelope.h"

#include <Poco/DateTime.h>
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeParser.h>

#include <ctime>

#include "json_access.h"
#include "mdtc/bridge.h"

namespace mdtc::bridge {

std::string rfc3339(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  auto ms = duration_cast<milliseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return buf;
}

std::string rfc3339_now() { return rfc3339(std::chrono::system_clock::now()); }

namespace {

// YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|+HH:MM|-HH:MM): stricter than Poco's parser,
// which accepts trailing junk.
bool rfc3339_shape(std::string_view t) {
  const auto digits = [&](std::size_t at, std::size_t n) {
    if (at + n > t.size()) return false;
    for (std::size_t i = at; i < at + n; ++i)
      if (t[i] < '0' || t[i] > '9') return false;
    return true;
  };
  if (!digits(0, 4) || t[4] != '-' || !digits(5, 2) || t[7] != '-' || !digits(8, 2)) return false;
  if (t[10] != 'T' && t[10] != 't' && t[10] != ' ') return false;
  if (!digits(11, 2) || t[13] != ':' || !digits(14, 2) || t[16] != ':' || !digits(17, 2)) return false;
  std::size_t i = 19;
  if (i < t.size() && t[i] == '.') {
    std::size_t n = 0;
    while (i + 1 + n < t.size() && t[i + 1 + n] >= '0' && t[i + 1 + n] <= '9') ++n;
    if (n < 1 || n > 9) return false;
    i += 1 + n;
  }
  if (i + 1 == t.size() && (t[i] == 'Z' || t[i] == 'z')) return true;
  return i + 6 == t.size() && (t[i] == '+' || t[i] == '-') && digits(i + 1, 2) && t[i + 3] == ':' &&
         digits(i + 4, 2);
}

}  // namespace

std::optional<int64_t> parse_sent_at_ms(std::string_view sent_at) {
  if (sent_at.size() > 40 || sent_at.size() < 20 || !rfc3339_shape(sent_at)) return std::nullopt;
  const std::string text(sent_at);
  Poco::DateTime dt;
  int tzd = 0;
  if (!Poco::DateTimeParser::tryParse(Poco::DateTimeFormat::ISO8601_FRAC_FORMAT, text, dt, tzd))
    return std::nullopt;
  return dt.timestamp().epochMicroseconds() / 1000 - int64_t{tzd} * 1000;
}

Result<std::string> build_envelope(std::string_view json_object, const EnvelopeFields& f) {
  auto parsed = json::parse_object(json_object.empty() ? std::string_view("{}") : json_object);
  if (!parsed) return parsed.error();
  auto obj = parsed.value();
  obj->set("v", kWireVersion);
  obj->set("type", f.type);
  obj->set("seq", f.seq);
  obj->set("sent_at", f.sent_at);
  obj->set("unit", f.unit);
  if (!f.key.empty()) obj->set("key", f.key);
  return json::to_string(obj);
}

}  // namespace mdtc::bridge
