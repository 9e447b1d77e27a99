// The envelope every outbound body carries (docs/protocol.md, "Outbound").
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "mdtc/result.h"

namespace mdtc::bridge {

// RFC 3339 UTC with milliseconds: "2026-11-22T10:00:00.123Z".
std::string rfc3339(std::chrono::system_clock::time_point t);
std::string rfc3339_now();

struct EnvelopeFields {
  std::string type;
  uint64_t seq = 0;
  std::string sent_at;
  std::string unit;
  std::string key;  // empty: unkeyed control message (hello, catchup)
};

// Pure: a JSON object text plus envelope fields -> the wire body. The
// envelope wins over same-named fields in `json_object`. Errors:
// wire.bad_json when `json_object` is not a JSON object.
Result<std::string> build_envelope(std::string_view json_object, const EnvelopeFields& f);

}  // namespace mdtc::bridge
