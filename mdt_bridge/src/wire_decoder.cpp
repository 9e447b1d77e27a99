// decode(): one wire v1 message from its two frames (docs/protocol.md).
// Table-driven by "type": one decoder per type turns the body into that
// type's struct (mdtc/wire.h); a type not in the table is refused so that a
// message this build does not understand is counted rather than half-handled.
#include <array>
#include <cmath>
#include <variant>

#include "eido_mapper.h"
#include "json_access.h"
#include "mdtc/bridge.h"

namespace mdtc::bridge {
namespace {

using Poco::JSON::Object;

Result<Ok> require_string(const Object& obj, std::string_view key, std::string_view where,
                          std::string& out) {
  const auto* v = json::find(obj, key);
  if (!v || v->isEmpty()) {
    return make_error("wire.missing_field", std::string(where) + "." + std::string(key) +
                                                " is missing; expected a string");
  }
  auto s = json::as_string(*v);
  if (!s) {
    return make_error("wire.bad_type",
                      std::string(where) + "." + std::string(key) + ": expected a string");
  }
  out = std::move(*s);
  return Ok{};
}

Result<Ok> optional_string(const Object& obj, std::string_view key, std::string_view where,
                           std::string& out) {
  auto r = json::opt_string(obj, key, where);
  if (!r) return r.error();
  if (r.value()) out = std::move(*r.value());
  return Ok{};
}

Result<std::optional<double>> optional_coordinate(const Object& obj, std::string_view key,
                                                  double limit) {
  const auto* v = json::find(obj, key);
  if (!v || v->isEmpty()) return std::optional<double>{};
  auto d = json::as_number(*v);
  if (!d) {
    return make_error("wire.bad_type",
                      "incident.location." + std::string(key) + ": expected a number");
  }
  if (std::fabs(*d) > limit) {
    return make_error("wire.bad_value", "incident.location." + std::string(key) +
                                            " is out of range: expected -" +
                                            std::to_string(static_cast<int>(limit)) + ".." +
                                            std::to_string(static_cast<int>(limit)));
  }
  return std::optional<double>{*d};
}

Result<Ok> decode_civic(const Object& obj, CivicAddress& c) {
  for (const auto& f : kCivicElements) {
    const auto* v = json::find(obj, f.name, /*fold_case=*/true);
    if (!v || v->isEmpty()) continue;
    // House numbers arrive as numbers from some CADs; keep their text.
    if (auto i = json::as_int(*v)) {
      c.*f.member = std::to_string(*i);
      continue;
    }
    auto s = json::as_string(*v);
    if (!s) {
      return make_error("wire.bad_type",
                        std::string("incident.location.civic.") + std::string(f.name) + ": expected a string");
    }
    c.*f.member = std::move(*s);
  }
  return Ok{};
}

Result<Ok> decode_location(const Object& obj, Location& loc) {
  if (auto r = optional_string(obj, "address", "incident.location", loc.address); !r) return r;
  if (const auto* v = json::find(obj, "civic"); v && !v->isEmpty()) {
    auto civic = json::as_object(*v);
    if (!civic) return make_error("wire.bad_type", "incident.location.civic: expected an object");
    if (auto r = decode_civic(*civic, loc.civic); !r) return r;
  }
  auto lat = optional_coordinate(obj, "lat", 90.0);
  if (!lat) return lat.error();
  auto lon = optional_coordinate(obj, "lon", 180.0);
  if (!lon) return lon.error();
  if (lat.value().has_value() != lon.value().has_value()) {
    return make_error("wire.missing_field",
                      "incident.location has only one of lat/lon; expected both or neither");
  }
  loc.lat = lat.value();
  loc.lon = lon.value();
  return Ok{};
}

bool location_present(const Location& loc) {
  return !loc.address.empty() || !loc.civic.empty() || (loc.lat && loc.lon);
}

// The native incident object. A dispatch must say where to go; an
// incident_update may carry only the fields that changed.
Result<Incident> decode_incident(const Object& obj, bool location_required) {
  Incident inc;
  if (auto r = require_string(obj, "id", "incident", inc.id); !r) return r.error();
  if (inc.id.empty()) return make_error("wire.missing_field", "incident.id is empty");
  if (auto r = optional_string(obj, "call_type", "incident", inc.call_type); !r) return r.error();
  if (auto r = optional_string(obj, "narrative", "incident", inc.narrative); !r) return r.error();
  if (const auto* v = json::find(obj, "priority"); v && !v->isEmpty()) {
    auto p = json::as_int(*v);
    if (!p) return make_error("wire.bad_type", "incident.priority: expected an integer");
    if (*p < 0 || *p > 1000) {
      return make_error("wire.bad_value", "incident.priority is out of range: expected 0..1000");
    }
    inc.priority = static_cast<int>(*p);
  }
  if (const auto* v = json::find(obj, "units"); v && !v->isEmpty()) {
    auto arr = json::as_array(*v);
    if (!arr) return make_error("wire.bad_type", "incident.units: expected an array of strings");
    for (std::size_t i = 0; i < arr->size(); ++i) {
      auto s = json::as_string(arr->get(static_cast<unsigned>(i)));
      if (!s) return make_error("wire.bad_type", "incident.units[" + std::to_string(i) +
                                                     "]: expected a string");
      inc.units.push_back(std::move(*s));
    }
  }
  if (const auto* v = json::find(obj, "location"); v && !v->isEmpty()) {
    auto loc = json::as_object(*v);
    if (!loc) return make_error("wire.bad_type", "incident.location: expected an object");
    if (auto r = decode_location(*loc, inc.location); !r) return r.error();
  }
  if (location_required && !location_present(inc.location)) {
    return make_error("wire.missing_field",
                      "incident.location: expected at least one of address, civic, lat+lon");
  }
  return inc;
}

// A dispatch or update: the native "incident" object, or an EIDO.
Result<Incident> read_incident(const Object& root, std::string_view type, bool location_required) {
  const auto* inc_v = json::find(root, "incident");
  if (inc_v && !inc_v->isEmpty()) {
    auto obj = json::as_object(*inc_v);
    if (!obj) return make_error("wire.bad_type", "incident: expected an object");
    return decode_incident(*obj, location_required);
  }
  const auto* eido_v = json::find(root, "eido", /*fold_case=*/true);
  if (eido_v && !eido_v->isEmpty()) {
    auto obj = json::as_object(*eido_v);
    if (!obj) return make_error("wire.bad_eido", "eido: expected an EIDO object");
    return map_eido(*obj);
  }
  return make_error("wire.missing_field",
                    "\"" + std::string(type) + "\" carries neither \"incident\" nor \"eido\"");
}

// incident-scoped messages name their incident as "incident_id" (or, from
// gateways that reuse the dispatch shape, "incident":{"id":...}).
Result<Ok> read_incident_id(const Object& root, std::string_view type, bool required, std::string& out) {
  if (auto r = optional_string(root, "incident_id", type, out); !r) return r;
  if (out.empty()) {
    if (const auto* v = json::find(root, "incident"); v && !v->isEmpty()) {
      if (auto obj = json::as_object(*v)) {
        if (auto r = optional_string(*obj, "id", "incident", out); !r) return r;
      }
    }
  }
  if (required && out.empty()) {
    return make_error("wire.missing_field", std::string(type) + ".incident_id is missing");
  }
  return Ok{};
}

// Fields the protocol lets a reader ignore when they are of the wrong kind
// (the message is still usable without them): absent or wrong = empty.
std::string loose_string(const Object& obj, std::string_view key) {
  const auto* v = json::find(obj, key);
  if (!v || v->isEmpty()) return {};
  return json::as_string(*v).value_or(std::string());
}

std::optional<double> loose_number(const Object& obj, std::string_view key) {
  const auto* v = json::find(obj, key);
  if (!v || v->isEmpty()) return std::nullopt;
  return json::as_number(*v);
}

std::optional<uint64_t> loose_uint(const Object& obj, std::string_view key) {
  const auto* v = json::find(obj, key);
  if (!v || v->isEmpty()) return std::nullopt;
  return json::as_uint(*v);
}

std::optional<int> loose_int(const Object& obj, std::string_view key) {
  const auto n = loose_number(obj, key);
  if (!n || *n < -2e9 || *n > 2e9) return std::nullopt;
  return static_cast<int>(*n);
}

bool loose_bool(const Object& obj, std::string_view key) {
  const auto* v = json::find(obj, key);
  return v && !v->isEmpty() && json::as_bool(*v).value_or(false);
}

TopicHeads read_heads(const Object& root) {
  TopicHeads heads;
  const auto* v = json::find(root, "topics");
  if (!v || v->isEmpty()) return heads;
  const auto topics = json::as_object(*v);
  if (!topics) return heads;
  for (const auto& [name, head] : *topics) heads[name] = head.isEmpty() ? std::nullopt : json::as_uint(head);
  return heads;
}

// One decoder per type: the JSON object (envelope already read) -> the
// type's struct. What a decoder refuses is what makes the message unusable;
// everything else is read as far as it goes.
using Decoded = Result<Payload>;

Decoded decode_dispatch(const Object& o) {
  auto inc = read_incident(o, "dispatch", true);
  if (!inc) return inc.error();
  return Payload{Dispatch{std::move(inc.value())}};
}

Decoded decode_incident_update(const Object& o) {
  auto inc = read_incident(o, "incident_update", false);
  if (!inc) return inc.error();
  return Payload{IncidentUpdate{std::move(inc.value())}};
}

Decoded decode_cancel(const Object& o) {
  Cancel m;
  if (auto r = read_incident_id(o, "cancel", true, m.incident_id); !r) return r.error();
  return Payload{std::move(m)};
}

Decoded decode_unit_cleared(const Object& o) {
  UnitCleared m;
  if (auto r = optional_string(o, "unit", "unit_cleared", m.unit); !r) return r.error();
  if (auto r = read_incident_id(o, "unit_cleared", true, m.incident_id); !r) return r.error();
  return Payload{std::move(m)};
}

Decoded decode_coresponder_request(const Object& o) {
  CoresponderRequest m;
  if (auto r = read_incident_id(o, "coresponder_request", true, m.incident_id); !r) return r.error();
  m.request_id = loose_string(o, "request_id");
  m.call_type = loose_string(o, "call_type");
  m.priority = loose_int(o, "priority").value_or(0);
  m.address = loose_string(o, "address");
  m.dispatched_at = loose_string(o, "dispatched_at");
  m.lat = loose_number(o, "lat");
  m.lon = loose_number(o, "lon");
  if (const auto* v = json::find(o, "reasons"); v && !v->isEmpty()) {
    // Reason codes are shown as they come: a list that is not all text is
    // a malformed request, not one with fewer reasons.
    // (Reasons that are not a list at all read as none, as they always have.)
    const auto arr = json::as_array(*v);
    for (std::size_t i = 0; arr && i < arr->size(); ++i) {
      auto code = json::as_string(arr->get(static_cast<unsigned>(i)));
      if (!code)
        return make_error("wire.bad_type",
                          "coresponder_request.reasons[" + std::to_string(i) + "]: expected a string");
      m.reasons.push_back(std::move(*code));
    }
  }
  m.automatic = loose_bool(o, "automatic");
  m.requested_at = loose_string(o, "requested_at");
  m.requested_by = loose_string(o, "requested_by");
  m.from_unit = loose_string(o, "from_unit");
  m.mode = loose_string(o, "mode");
  return Payload{std::move(m)};
}

Decoded decode_coresponder_response(const Object& o) {
  CoresponderResponse m;
  if (auto r = read_incident_id(o, "coresponder_response", true, m.incident_id); !r) return r.error();
  m.request_id = loose_string(o, "request_id");
  m.accepted = loose_bool(o, "accepted");
  m.name = loose_string(o, "name");
  m.eta_s = loose_int(o, "eta_s");
  return Payload{std::move(m)};
}

Decoded decode_coresponder_status(const Object& o) {
  CoresponderStatus m;
  if (auto r = read_incident_id(o, "coresponder_status", false, m.incident_id); !r) return r.error();
  m.request_id = loose_string(o, "request_id");
  m.state = loose_string(o, "state");
  m.by_unit = loose_string(o, "by_unit");
  m.by_name = loose_string(o, "by_name");
  m.eta_s = loose_int(o, "eta_s");
  return Payload{std::move(m)};
}

// A clinician unit's live availability (sent by the unit, relayed by CAD on
// `all`): the unit it is about and one of the four states; an unknown state
// is refused rather than guessed at.
Decoded decode_coresponder_state(const Object& o) {
  CoresponderState m;
  if (auto r = require_string(o, "unit", "coresponder_state", m.unit); !r) return r.error();
  if (m.unit.empty()) return make_error("wire.missing_field", "coresponder_state.unit is empty");
  if (auto r = require_string(o, "state", "coresponder_state", m.state); !r) return r.error();
  bool known = false;
  for (std::string_view k : kCoresponderStates) known = known || m.state == k;
  if (!known)
    return make_error("wire.bad_value", "coresponder_state.state (" + std::to_string(m.state.size()) +
                                            " bytes): expected available, busy, telehealth or off_duty");
  if (auto r = optional_string(o, "free_at", "coresponder_state", m.free_at); !r) return r.error();
  m.name = loose_string(o, "name");
  m.changed_at = loose_string(o, "changed_at");
  return Payload{std::move(m)};
}

// A co-responder unit's position, relayed by CAD from its AVL: names the unit.
Decoded decode_unit_location(const Object& o) {
  UnitLocation m;
  if (auto r = require_string(o, "unit", "unit_location", m.unit); !r) return r.error();
  m.lat = loose_number(o, "lat");
  m.lon = loose_number(o, "lon");
  return Payload{std::move(m)};
}

Decoded decode_avl(const Object& o) {
  Avl m;
  m.lat = loose_number(o, "lat").value_or(0);
  m.lon = loose_number(o, "lon").value_or(0);
  m.speed_mps = loose_number(o, "speed_mps");
  m.course_deg = loose_number(o, "course_deg");
  m.fix_at = loose_string(o, "fix_at");
  return Payload{std::move(m)};
}

Decoded decode_heartbeat(const Object& o) { return Payload{Heartbeat{read_heads(o)}}; }
Decoded decode_hello_ack(const Object& o) { return Payload{HelloAck{read_heads(o)}}; }
Decoded decode_hello(const Object& o) {
  return Payload{Hello{loose_string(o, "role"), loose_string(o, "name"), loose_bool(o, "diagnostic")}};
}
Decoded decode_ack(const Object& o) { return Payload{Ack{loose_string(o, "key")}}; }
Decoded decode_wipe(const Object& o) { return Payload{Wipe{loose_string(o, "reason")}}; }

Decoded decode_catchup(const Object& o) {
  Catchup m;
  m.topic = loose_string(o, "topic");
  m.epoch = loose_string(o, "epoch");
  m.from_seq = loose_uint(o, "from_seq").value_or(0);
  m.to_seq = loose_uint(o, "to_seq").value_or(0);
  return Payload{std::move(m)};
}

Decoded decode_catchup_done(const Object& o) {
  CatchupDone m;
  m.topic = loose_string(o, "topic");
  m.from_seq = loose_uint(o, "from_seq");
  m.to_seq = loose_uint(o, "to_seq");
  return Payload{std::move(m)};
}

using Decoder = Decoded (*)(const Object&);

// Indexed by MessageType; none has no decoder.
const std::array<Decoder, std::variant_size_v<Payload>> kDecoders{{
    nullptr,
    decode_dispatch,
    decode_incident_update,
    decode_cancel,
    decode_unit_cleared,
    decode_coresponder_request,
    decode_coresponder_response,
    decode_coresponder_status,
    decode_coresponder_state,
    decode_unit_location,
    decode_avl,
    decode_heartbeat,
    decode_hello,
    decode_hello_ack,
    decode_ack,
    decode_catchup,
    decode_catchup_done,
    decode_wipe,
}};

}  // namespace

Result<Message> decode(std::string_view topic, std::string_view body, std::size_t max_bytes) {
  if (body.size() > max_bytes || topic.size() > max_bytes) {
    return make_error("wire.too_large", "message of " + std::to_string(body.size()) +
                                            " bytes exceeds the limit of " +
                                            std::to_string(max_bytes));
  }
  auto parsed = json::parse_object(body);
  if (!parsed) return parsed.error();
  const Object& root = *parsed.value();

  const auto* v = json::find(root, "v");
  if (!v || v->isEmpty()) return make_error("wire.missing_field", "\"v\" is missing; expected 1");
  auto version = json::as_int(*v);
  if (!version || *version != kWireVersion) {
    return make_error("wire.bad_version", "\"v\" is " + (version ? "another version" : json::shape(*v)) +
                                              ": this build speaks wire version 1");
  }

  Message m;
  m.topic = std::string(topic);
  std::string type;
  if (auto r = require_string(root, "type", "message", type); !r) return r.error();
  const auto* seq_v = json::find(root, "seq");
  if (!seq_v || seq_v->isEmpty()) {
    return make_error("wire.missing_field", "\"seq\" is missing; expected an unsigned integer");
  }
  auto seq = json::as_uint(*seq_v);
  if (!seq) return make_error("wire.bad_type", "\"seq\": expected an unsigned integer");
  m.seq = *seq;
  if (auto r = optional_string(root, "epoch", "message", m.epoch); !r) return r.error();
  if (auto r = optional_string(root, "sent_at", "message", m.sent_at); !r) return r.error();

  const auto known = message_type_named(type);
  if (!known) {
    return make_error("wire.unknown_type", "\"type\" (" + std::to_string(type.size()) +
                                               " bytes) is not a wire v1 message type");
  }
  auto payload = kDecoders[static_cast<std::size_t>(*known)](root);
  if (!payload) return payload.error();
  m.payload = std::move(payload.value());
  return m;
}

}  // namespace mdtc::bridge
