// stub-cad scenario files: JSON Lines, one step a line, run in order
// (docs/protocol.md, "stub-cad"). Parsing is pure; running is the gateway's.
#pragma once

#include <Poco/JSON/Object.h>

#include <string>
#include <string_view>
#include <vector>

#include "mdtc/result.h"

namespace stub_cad {

struct Step {
  enum class Kind { say, wait_subscriber, wait_hello, wait_message, publish, publish_raw, pause,
                    dispatch_request };
  Kind kind = Kind::say;
  int line = 0;
  std::string text;       // say: text; publish_raw: body text
  std::string topic;      // wait_subscriber, publish, publish_raw
  std::string unit;       // wait_hello
  std::string type;       // wait_message
  std::string from;       // wait_message (optional)
  double timeout_s = 10;  // waits
  int pause_ms = 0;
  Poco::JSON::Object::Ptr body;  // publish
};

// Errors name the line and what was expected: "scenario line 4: ...".
mdtc::Result<std::vector<Step>> parse_scenario(std::string_view text);

std::string describe(const Step& s);  // "subscriber for unit.2A31", for timeouts

}  // namespace stub_cad
