#include "scenario.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Parser.h>

namespace stub_cad {
namespace {

using Poco::JSON::Object;
using mdtc::make_error;

std::string str(const Object& o, const std::string& key) {
  if (!o.has(key)) return {};
  auto v = o.get(key);
  return v.isString() ? v.extract<std::string>() : std::string();
}

}  // namespace

mdtc::Result<std::vector<Step>> parse_scenario(std::string_view text) {
  std::vector<Step> steps;
  int line_no = 0;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    auto nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? text.size() - pos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    ++line_no;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (line.empty() || line.front() == '#') continue;
    auto where = "scenario line " + std::to_string(line_no) + ": ";
    Object::Ptr o;
    try {
      Poco::JSON::Parser parser;
      auto v = parser.parse(std::string(line));
      if (v.type() == typeid(Object::Ptr)) o = v.extract<Object::Ptr>();
    } catch (const Poco::Exception& e) {
      return make_error("scenario.bad_json", where + "not valid JSON: " + e.displayText());
    }
    if (!o) return make_error("scenario.bad_json", where + "expected a JSON object");
    Step s;
    s.line = line_no;
    if (o->has("timeout_s")) {
      auto t = o->get("timeout_s");
      if (!t.isNumeric()) return make_error("scenario.bad_step", where + "timeout_s: expected a number");
      s.timeout_s = t.convert<double>();
    }
    if (o->has("say")) {
      s.kind = Step::Kind::say;
      s.text = str(*o, "say");
    } else if (o->has("wait")) {
      std::string what = str(*o, "wait");
      if (what == "subscriber") {
        s.kind = Step::Kind::wait_subscriber;
        s.topic = str(*o, "topic");
        if (s.topic.empty()) return make_error("scenario.bad_step", where + "wait subscriber needs \"topic\"");
      } else if (what == "hello") {
        s.kind = Step::Kind::wait_hello;
        s.unit = str(*o, "unit");
        if (s.unit.empty()) return make_error("scenario.bad_step", where + "wait hello needs \"unit\"");
      } else if (what == "message") {
        s.kind = Step::Kind::wait_message;
        s.type = str(*o, "type");
        s.from = str(*o, "from");
        if (s.type.empty()) return make_error("scenario.bad_step", where + "wait message needs \"type\"");
      } else {
        return make_error("scenario.bad_step",
                          where + "wait \"" + what + "\": expected subscriber, hello or message");
      }
    } else if (o->has("publish") || o->has("publish_raw")) {
      bool raw = o->has("publish_raw");
      auto pv = o->get(raw ? "publish_raw" : "publish");
      if (pv.type() != typeid(Object::Ptr)) {
        return make_error("scenario.bad_step", where + "publish: expected {\"topic\":..,\"body\":..}");
      }
      auto p = pv.extract<Object::Ptr>();
      s.topic = str(*p, "topic");
      if (s.topic.empty()) return make_error("scenario.bad_step", where + "publish needs \"topic\"");
      if (raw) {
        s.kind = Step::Kind::publish_raw;
        if (!p->has("body") || !p->get("body").isString()) {
          return make_error("scenario.bad_step", where + "publish_raw body: expected a string");
        }
        s.text = p->get("body").extract<std::string>();
      } else {
        s.kind = Step::Kind::publish;
        if (!p->has("body") || p->get("body").type() != typeid(Object::Ptr)) {
          return make_error("scenario.bad_step", where + "publish body: expected a JSON object");
        }
        s.body = p->get("body").extract<Object::Ptr>();
      }
    } else if (o->has("dispatch_request")) {
      // {"dispatch_request":{"for_unit":"2A31","request_id":"D-1","incident_id":"I-2",...}}
      auto pv = o->get("dispatch_request");
      if (pv.type() != typeid(Object::Ptr))
        return make_error("scenario.bad_step", where + "dispatch_request: expected a JSON object");
      s.kind = Step::Kind::dispatch_request;
      s.body = pv.extract<Object::Ptr>();
      s.unit = str(*s.body, "for_unit");
      if (s.unit.empty() || str(*s.body, "request_id").empty() || str(*s.body, "incident_id").empty())
        return make_error("scenario.bad_step",
                          where + "dispatch_request needs \"for_unit\", \"request_id\" and \"incident_id\"");
      s.body->remove("for_unit");
    } else if (o->has("pause_ms")) {
      s.kind = Step::Kind::pause;
      auto v = o->get("pause_ms");
      if (!v.isNumeric()) return make_error("scenario.bad_step", where + "pause_ms: expected a number");
      s.pause_ms = v.convert<int>();
    } else {
      return make_error("scenario.bad_step",
                        where + "expected one of say, wait, publish, publish_raw, dispatch_request, pause_ms");
    }
    steps.push_back(std::move(s));
  }
  return steps;
}

std::string describe(const Step& s) {
  switch (s.kind) {
    case Step::Kind::wait_subscriber: return "subscriber for " + s.topic;
    case Step::Kind::wait_hello: return "hello from " + s.unit;
    case Step::Kind::wait_message:
      return "message " + s.type + (s.from.empty() ? "" : " from " + s.from);
    default: return "step on line " + std::to_string(s.line);
  }
}

}  // namespace stub_cad
