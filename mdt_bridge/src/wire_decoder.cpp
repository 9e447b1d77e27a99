// decode(): one wire v1 message from its two frames (docs/protocol.md).
// Table-driven by "type": each entry says what the type must carry; a type
// not in the table is refused so that a message this build does not
// understand is counted rather than half-handled.
#include <array>
#include <cmath>

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

Result<Ok> fill_incident(const Object& root, Message& m, bool location_required) {
  const auto* inc_v = json::find(root, "incident");
  if (inc_v && !inc_v->isEmpty()) {
    auto obj = json::as_object(*inc_v);
    if (!obj) return make_error("wire.bad_type", "incident: expected an object");
    auto inc = decode_incident(*obj, location_required);
    if (!inc) return inc.error();
    m.incident_id = inc->id;
    m.incident = std::move(inc.value());
    return Ok{};
  }
  const auto* eido_v = json::find(root, "eido", /*fold_case=*/true);
  if (eido_v && !eido_v->isEmpty()) {
    auto obj = json::as_object(*eido_v);
    if (!obj) return make_error("wire.bad_eido", "eido: expected an EIDO object");
    auto inc = map_eido(*obj);
    if (!inc) return inc.error();
    m.incident_id = inc->id;
    m.incident = std::move(inc.value());
    return Ok{};
  }
  return make_error("wire.missing_field",
                    "\"" + m.type + "\" carries neither \"incident\" nor \"eido\"");
}

// incident-scoped messages name their incident as "incident_id" (or, from
// gateways that reuse the dispatch shape, "incident":{"id":...}).
Result<Ok> fill_incident_id(const Object& root, Message& m, bool required) {
  if (auto r = optional_string(root, "incident_id", m.type, m.incident_id); !r) return r;
  if (m.incident_id.empty()) {
    if (const auto* v = json::find(root, "incident"); v && !v->isEmpty()) {
      if (auto obj = json::as_object(*v)) {
        if (auto r = optional_string(*obj, "id", "incident", m.incident_id); !r) return r;
      }
    }
  }
  if (required && m.incident_id.empty()) {
    return make_error("wire.missing_field", m.type + ".incident_id is missing");
  }
  return Ok{};
}

struct TypeRule {
  std::string_view type;
  Result<Ok> (*fill)(const Object&, Message&);
};

// A co-responder unit's position, relayed by CAD from its AVL: names the unit.
Result<Ok> fill_unit_location(const Object& root, Message& m) {
  std::string unit;
  if (auto r = require_string(root, "unit", m.type, unit); !r) return r;
  return Ok{};
}

// A clinician unit's live availability (sent by the unit, relayed by CAD on
// `all`): the unit it is about and one of the four states; an unknown state
// is refused rather than guessed at.
Result<Ok> fill_coresponder_state(const Object& root, Message& m) {
  if (auto r = require_string(root, "unit", m.type, m.unit); !r) return r;
  std::string state;
  if (auto r = require_string(root, "state", m.type, state); !r) return r;
  for (std::string_view known : kCoresponderStates)
    if (state == known) {
      std::string free_at;
      return optional_string(root, "free_at", m.type, free_at);
    }
  return make_error("wire.bad_value", m.type + ".state (" + std::to_string(state.size()) +
                                          " bytes): expected available, busy, telehealth or off_duty");
}

const std::array<TypeRule, 17> kTypes{{
    {"dispatch", [](const Object& o, Message& m) { return fill_incident(o, m, true); }},
    {"incident_update", [](const Object& o, Message& m) { return fill_incident(o, m, false); }},
    {"cancel", [](const Object& o, Message& m) { return fill_incident_id(o, m, true); }},
    {"unit_cleared",
     [](const Object& o, Message& m) -> Result<Ok> {
       if (auto r = optional_string(o, "unit", m.type, m.unit); !r) return r;
       return fill_incident_id(o, m, true);
     }},
    {"coresponder_request", [](const Object& o, Message& m) { return fill_incident_id(o, m, true); }},
    {"coresponder_response", [](const Object& o, Message& m) { return fill_incident_id(o, m, true); }},
    {"coresponder_status", [](const Object& o, Message& m) { return fill_incident_id(o, m, false); }},
    {"heartbeat", [](const Object&, Message&) { return Result<Ok>(Ok{}); }},
    {"hello", [](const Object&, Message&) { return Result<Ok>(Ok{}); }},
    {"hello_ack", [](const Object&, Message&) { return Result<Ok>(Ok{}); }},
    {"ack", [](const Object&, Message&) { return Result<Ok>(Ok{}); }},
    {"catchup", [](const Object&, Message&) { return Result<Ok>(Ok{}); }},
    {"catchup_done", [](const Object&, Message&) { return Result<Ok>(Ok{}); }},
    {"avl", [](const Object&, Message&) { return Result<Ok>(Ok{}); }},
    {"wipe", [](const Object&, Message&) { return Result<Ok>(Ok{}); }},
    {"unit_location", fill_unit_location},
    {"coresponder_state", fill_coresponder_state},
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
  if (auto r = require_string(root, "type", "message", m.type); !r) return r.error();
  const auto* seq_v = json::find(root, "seq");
  if (!seq_v || seq_v->isEmpty()) {
    return make_error("wire.missing_field", "\"seq\" is missing; expected an unsigned integer");
  }
  auto seq = json::as_uint(*seq_v);
  if (!seq) return make_error("wire.bad_type", "\"seq\": expected an unsigned integer");
  m.seq = *seq;
  if (auto r = optional_string(root, "epoch", "message", m.epoch); !r) return r.error();
  if (auto r = optional_string(root, "sent_at", "message", m.sent_at); !r) return r.error();

  const TypeRule* rule = nullptr;
  for (const auto& t : kTypes) {
    if (t.type == m.type) rule = &t;
  }
  if (!rule) {
    return make_error("wire.unknown_type", "\"type\" (" + std::to_string(m.type.size()) +
                                               " bytes) is not a wire v1 message type");
  }
  if (auto r = rule->fill(root, m); !r) return r.error();
  m.body = std::string(body);
  return m;
}

}  // namespace mdtc::bridge
