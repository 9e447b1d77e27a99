// Messages as the CAD link hands them to the pipeline: decoded by the
// bridge from the body CAD sent, so a pipeline test reads the same typed
// struct the plugin does.
#pragma once

#include <string>

#include "mdtc/bridge.h"

namespace mdtc::test {

// `body` is the message's JSON object without the envelope. A body the
// bridge refuses gives a message with no payload, which the link would
// never deliver (it counts it instead) and the pipeline ignores.
inline bridge::Message from_wire(const std::string& type, const std::string& body, const std::string& topic) {
  const std::string fields = body.size() > 2 && body.front() == '{' ? "," + body.substr(1) : "}";
  auto m = bridge::decode(topic, R"({"v":1,"type":")" + type + R"(","seq":1)" + fields);
  if (!m) {
    bridge::Message none;
    none.topic = topic;
    return none;
  }
  return std::move(m.value());
}

inline bridge::Message dispatch_message(bridge::Incident incident, const std::string& topic) {
  bridge::Message m;
  m.topic = topic;
  m.payload = bridge::Dispatch{std::move(incident)};
  return m;
}

}  // namespace mdtc::test
