// encode_body(): each wire v1 message's JSON object, without the envelope
// (mdtc/wire.h). Keys go out in a fixed order and optional fields only when
// set, so the bytes of a message depend on its values alone.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <sstream>

#include "mdtc/civic_address.h"
#include "mdtc/wire.h"

namespace mdtc::bridge {
namespace {

using Poco::JSON::Object;

Object ordered() { return Object(Poco::JSON_PRESERVE_KEY_ORDER); }

std::string text(const Object& o) {
  std::ostringstream out;
  o.stringify(out);
  return out.str();
}

void set_if(Object& o, const std::string& key, const std::string& value) {
  if (!value.empty()) o.set(key, value);
}

Poco::JSON::Array strings(const std::vector<std::string>& values) {
  Poco::JSON::Array a;
  for (const auto& v : values) a.add(v);
  return a;
}

Object location_object(const Location& loc) {
  Object o = ordered();
  set_if(o, "address", loc.address);
  if (!loc.civic.empty()) {
    Object civic = ordered();
    for (const auto& e : kCivicElements) set_if(civic, std::string(e.name), loc.civic.*e.member);
    o.set("civic", civic);
  }
  if (loc.lat && loc.lon) {
    o.set("lat", *loc.lat);
    o.set("lon", *loc.lon);
  }
  return o;
}

std::string incident_body(const Incident& inc) {
  Object i = ordered();
  i.set("id", inc.id);
  set_if(i, "call_type", inc.call_type);
  i.set("priority", inc.priority);
  set_if(i, "narrative", inc.narrative);
  if (!inc.units.empty()) i.set("units", strings(inc.units));
  i.set("location", location_object(inc.location));
  Object o = ordered();
  o.set("incident", i);
  return text(o);
}

std::string heads_body(const TopicHeads& heads) {
  Object topics = ordered();
  for (const auto& [topic, seq] : heads)
    if (seq) topics.set(topic, *seq);
  Object o = ordered();
  o.set("topics", topics);
  return text(o);
}

}  // namespace

std::string encode_body(const Dispatch& m) { return incident_body(m.incident); }
std::string encode_body(const IncidentUpdate& m) { return incident_body(m.incident); }

std::string encode_body(const Cancel& m) {
  Object o = ordered();
  o.set("incident_id", m.incident_id);
  return text(o);
}

std::string encode_body(const UnitCleared& m) {
  Object o = ordered();
  o.set("incident_id", m.incident_id);
  set_if(o, "unit", m.unit);
  return text(o);
}

std::string encode_body(const CoresponderRequest& m) {
  Object o = ordered();
  o.set("request_id", m.request_id);
  o.set("incident_id", m.incident_id);
  o.set("call_type", m.call_type);
  o.set("priority", m.priority);
  o.set("address", m.address);
  set_if(o, "dispatched_at", m.dispatched_at);
  if (m.lat && m.lon) {
    o.set("lat", *m.lat);
    o.set("lon", *m.lon);
  }
  o.set("reasons", strings(m.reasons));
  if (m.automatic) o.set("automatic", true);
  set_if(o, "requested_at", m.requested_at);
  set_if(o, "requested_by", m.requested_by);
  set_if(o, "from_unit", m.from_unit);
  set_if(o, "mode", m.mode);
  return text(o);
}

std::string encode_body(const CoresponderResponse& m) {
  Object o = ordered();
  o.set("request_id", m.request_id);
  o.set("incident_id", m.incident_id);
  o.set("accepted", m.accepted);
  set_if(o, "name", m.name);
  if (m.eta_s) o.set("eta_s", *m.eta_s);
  return text(o);
}

std::string encode_body(const CoresponderStatus& m) {
  Object o = ordered();
  o.set("request_id", m.request_id);
  o.set("incident_id", m.incident_id);
  o.set("state", m.state);
  set_if(o, "by_unit", m.by_unit);
  set_if(o, "by_name", m.by_name);
  if (m.eta_s) o.set("eta_s", *m.eta_s);
  return text(o);
}

std::string encode_body(const CoresponderState& m) {
  Object o = ordered();
  set_if(o, "unit", m.unit);  // a unit's own state: the link's envelope names it
  o.set("state", m.state);
  set_if(o, "free_at", m.free_at);
  set_if(o, "name", m.name);
  set_if(o, "changed_at", m.changed_at);
  return text(o);
}

std::string encode_body(const UnitLocation& m) {
  Object o = ordered();
  o.set("unit", m.unit);
  if (m.lat) o.set("lat", *m.lat);
  if (m.lon) o.set("lon", *m.lon);
  return text(o);
}

std::string encode_body(const Avl& m) {
  Object o = ordered();
  o.set("lat", m.lat);
  o.set("lon", m.lon);
  if (m.speed_mps) o.set("speed_mps", *m.speed_mps);
  if (m.course_deg) o.set("course_deg", *m.course_deg);
  set_if(o, "fix_at", m.fix_at);
  return text(o);
}

std::string encode_body(const Heartbeat& m) { return heads_body(m.topics); }
std::string encode_body(const HelloAck& m) { return heads_body(m.topics); }

std::string encode_body(const Hello& m) {
  Object o = ordered();
  o.set("role", m.role);
  o.set("name", m.name);
  if (m.diagnostic) o.set("diagnostic", true);
  return text(o);
}

std::string encode_body(const Ack& m) {
  Object o = ordered();
  o.set("key", m.key);
  return text(o);
}

std::string encode_body(const Catchup& m) {
  Object o = ordered();
  o.set("topic", m.topic);
  o.set("epoch", m.epoch);
  o.set("from_seq", m.from_seq);
  o.set("to_seq", m.to_seq);
  return text(o);
}

std::string encode_body(const CatchupDone& m) {
  Object o = ordered();
  o.set("topic", m.topic);
  if (m.from_seq) o.set("from_seq", *m.from_seq);
  if (m.to_seq) o.set("to_seq", *m.to_seq);
  return text(o);
}

std::string encode_body(const Wipe& m) {
  Object o = ordered();
  set_if(o, "reason", m.reason);
  return text(o);
}

std::string encode_body(const Payload& m) {
  return std::visit(
      [](const auto& x) -> std::string {
        if constexpr (std::is_same_v<std::decay_t<decltype(x)>, std::monostate>) {
          return "{}";
        } else {
          return encode_body(x);
        }
      },
      m);
}

std::string encode_body(const Outbound& m) {
  return std::visit([](const auto& x) { return encode_body(x); }, m);
}

std::string encode(const Message& m) {
  // The envelope first, then the body's own keys in their order.
  Object o = ordered();
  o.set("v", kWireVersion);
  o.set("type", std::string(to_string(m.type())));
  o.set("seq", m.seq);
  set_if(o, "epoch", m.epoch);
  set_if(o, "sent_at", m.sent_at);
  std::string head = text(o);
  std::string body = encode_body(m.payload);
  if (body == "{}") return head;
  head.pop_back();  // the closing brace
  return head + "," + body.substr(1);
}

}  // namespace mdtc::bridge
