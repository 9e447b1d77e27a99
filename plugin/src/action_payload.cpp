#include "action_payload.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

namespace mdtc::plugin {

std::map<std::string, std::string> action_fields(const std::string& payload_json) {
  std::map<std::string, std::string> out;
  if (payload_json.empty()) return out;
  Poco::JSON::Object::Ptr o;
  try {
    Poco::JSON::Parser parser;
    o = parser.parse(payload_json).extract<Poco::JSON::Object::Ptr>();
  } catch (const std::exception&) {
    return out;
  }
  if (!o) return out;
  for (const auto& [key, value] : *o) {
    if (value.isEmpty()) continue;
    try {
      // The host may send a number where a form field holds digits.
      out[key] = value.convert<std::string>();
    } catch (const std::exception&) {
      // not convertible to text: not a field value
    }
  }
  return out;
}

}  // namespace mdtc::plugin
