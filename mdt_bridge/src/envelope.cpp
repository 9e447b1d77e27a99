#include "envelope.h"

#include <Poco/DateTime.h>
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeParser.h>

#include <ctime>
#include <regex>

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

std::optional<int64_t> parse_sent_at_ms(std::string_view sent_at) {
  // The regex is stricter than Poco's parser, which accepts trailing junk.
  if (sent_at.size() > 40) return std::nullopt;
  static const std::regex kShape(
      R"(\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2}))");
  const std::string text(sent_at);
  if (!std::regex_match(text, kShape)) return std::nullopt;
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
