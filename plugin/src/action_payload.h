// The payload the MDT host hands over with an officer's or clinician's tap
// (the host ABI's `payload_json`: {"note": "...", "free_in_min": "30", ...})
// as plain fields, so the pipeline reads values and never JSON.
#pragma once

#include <map>
#include <string>

namespace mdtc::plugin {

// Each member as text (a number or bool as its text); null members are left
// out, and a payload that is empty or not a JSON object gives no fields.
std::map<std::string, std::string> action_fields(const std::string& payload_json);

// The field's value, empty when absent.
inline std::string field(const std::map<std::string, std::string>& fields, const std::string& key) {
  const auto it = fields.find(key);
  return it == fields.end() ? std::string() : it->second;
}

}  // namespace mdtc::plugin
