// The journal records (incident_record.h) as the JSON the journal stores.
#include "journal_json.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <cmath>
#include <map>
#include <sstream>

namespace mdtc::plugin {
namespace {

using Poco::JSON::Object;

std::string str(const Object::Ptr& o, const std::string& key) {
  return o && o->has(key) && !o->isNull(key) ? o->getValue<std::string>(key) : std::string();
}

std::optional<double> num(const Object::Ptr& o, const std::string& key) {
  if (!o || !o->has(key) || o->isNull(key)) return std::nullopt;
  return o->getValue<double>(key);
}

// A journal file is ours, but it lies on a disk: a number out of an int's
// range (or not finite) is dropped rather than cast, which is undefined.
std::optional<int> seconds(const Object::Ptr& o, const std::string& key) {
  const auto n = num(o, key);
  if (!n || !std::isfinite(*n) || *n < -2e9 || *n > 2e9) return std::nullopt;
  return static_cast<int>(*n);
}

RequestPhase phase_named(const std::string& name) {
  for (int p = 0; p <= static_cast<int>(RequestPhase::cancelled); ++p)
    if (name == to_string(static_cast<RequestPhase>(p))) return static_cast<RequestPhase>(p);
  return RequestPhase::ready;
}

OfferPhase offer_phase_named(const std::string& name) {
  for (int p = 0; p <= static_cast<int>(OfferPhase::cancelled); ++p)
    if (name == to_string(static_cast<OfferPhase>(p))) return static_cast<OfferPhase>(p);
  return OfferPhase::offered;
}

std::string stringify(const Object& o) {
  std::ostringstream out;
  o.stringify(out);
  return out.str();
}

}  // namespace



std::string to_json(const OfferRecord& r) {
  const OfferView& v = r.view;
  Object offer(Poco::JSON_PRESERVE_KEY_ORDER);
  offer.set("request_id", v.request_id);
  offer.set("incident_id", v.incident_id);
  offer.set("from_unit", v.from_unit);
  offer.set("call_type", v.call_type);
  offer.set("address", r.location.address);
  if (r.location.lat && r.location.lon) {
    offer.set("lat", *r.location.lat);
    offer.set("lon", *r.location.lon);
  }
  Poco::JSON::Array reasons;
  for (const auto& code : v.reason_codes) reasons.add(code);
  offer.set("reasons", reasons);
  offer.set("phase", to_string(v.phase));
  if (v.distance_m) offer.set("distance_m", *v.distance_m);
  if (v.eta_s) offer.set("eta_s", *v.eta_s);
  offer.set("outcome", v.outcome);
  if (v.officer_released) offer.set("officer_released", true);
  if (v.dispatched_ms) offer.set("dispatched_at", dispatch_time_rfc3339(*v.dispatched_ms));
  if (v.telehealth) offer.set("mode", "telehealth");
  if (v.dispatch_asked) offer.set("requested_by", "dispatch");
  Object root(Poco::JSON_PRESERVE_KEY_ORDER);
  root.set("offer", offer);
  return stringify(root);
}

namespace {

// The fields a request and its journal record share.
std::optional<OfferRecord> offer_fields(const Object::Ptr& o) {
  if (!o || str(o, "request_id").empty()) return std::nullopt;
  OfferRecord r;
  r.view.request_id = str(o, "request_id");
  r.view.incident_id = str(o, "incident_id");
  r.view.from_unit = str(o, "from_unit");
  r.view.call_type = str(o, "call_type");
  r.location.address = str(o, "address");
  r.location.lat = num(o, "lat");
  r.location.lon = num(o, "lon");
  r.view.address = r.location.address;
  r.view.dispatched_ms = bridge::parse_sent_at_ms(str(o, "dispatched_at"));
  // CAD offers a telehealth-only unit the call as telehealth.
  r.view.telehealth = str(o, "mode") == "telehealth";
  r.view.dispatch_asked = str(o, "requested_by") == "dispatch";
  if (const auto reasons = o->getArray("reasons")) {
    for (std::size_t i = 0; i < reasons->size(); ++i) {
      // Reason codes are shown as they come: anything but a string is a malformed request.
      const auto& code = reasons->get(static_cast<unsigned>(i));
      if (!code.isString()) return std::nullopt;
      r.view.reason_codes.push_back(code.toString());
    }
  }
  return r;
}

Object::Ptr parse(const std::string& json) {
  Poco::JSON::Parser parser;
  return parser.parse(json).extract<Object::Ptr>();
}

}  // namespace

std::optional<OfferRecord> offer_record_from_json(const std::string& json) {
  try {
    const auto o = parse(json)->getObject("offer");
    auto r = offer_fields(o);
    if (!r) return std::nullopt;
    r->view.phase = offer_phase_named(str(o, "phase"));
    r->view.distance_m = num(o, "distance_m");
    if (auto eta = seconds(o, "eta_s")) r->view.eta_s = *eta;
    r->view.outcome = str(o, "outcome");
    r->view.officer_released = o->optValue<bool>("officer_released", false);
    return r;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::string to_json(const IncidentRecord& r) {
  Object inc(Poco::JSON_PRESERVE_KEY_ORDER);
  inc.set("id", r.summary.id);
  inc.set("call_type", r.summary.call_type);
  inc.set("priority", r.summary.priority);
  inc.set("display_address", r.summary.address);
  if (r.summary.dispatched_ms) inc.set("dispatched_ms", *r.summary.dispatched_ms);
  Object loc(Poco::JSON_PRESERVE_KEY_ORDER);
  loc.set("address", r.location.address);
  Object civic(Poco::JSON_PRESERVE_KEY_ORDER);
  for (const auto& e : kCivicElements)
    if (!(r.location.civic.*e.member).empty()) civic.set(std::string(e.name), r.location.civic.*e.member);
  loc.set("civic", civic);
  if (r.location.lat && r.location.lon) {
    loc.set("lat", *r.location.lat);
    loc.set("lon", *r.location.lon);
  }
  inc.set("location", loc);
  Object root(Poco::JSON_PRESERVE_KEY_ORDER);
  root.set("incident", inc);
  if (r.request) {
    Object req(Poco::JSON_PRESERVE_KEY_ORDER);
    req.set("id", r.request_id);
    req.set("phase", to_string(r.request->phase));
    req.set("by_unit", r.request->by_unit);
    req.set("by_name", r.request->by_name);
    if (r.request->eta_s) req.set("eta_s", *r.request->eta_s);
    if (r.request->automatic) req.set("automatic", true);
    if (r.request->dispatch_asked) req.set("dispatch_asked", true);
    if (!r.request->handoff.empty()) req.set("handoff", r.request->handoff);
    if (r.request->handoff_ms) req.set("handoff_ms", *r.request->handoff_ms);
    root.set("request", req);
  }
  return stringify(root);
}

std::optional<IncidentRecord> incident_record_from_json(const std::string& json) {
  try {
    Poco::JSON::Parser parser;
    const auto root = parser.parse(json).extract<Object::Ptr>();
    const auto inc = root->getObject("incident");
    if (!inc || str(inc, "id").empty()) return std::nullopt;
    IncidentRecord r;
    r.summary.id = str(inc, "id");
    r.summary.call_type = str(inc, "call_type");
    r.summary.priority = inc->optValue<int>("priority", 0);
    r.summary.address = str(inc, "display_address");
    if (inc->has("dispatched_ms") && !inc->isNull("dispatched_ms"))
      r.summary.dispatched_ms = inc->getValue<int64_t>("dispatched_ms");
    if (const auto loc = inc->getObject("location")) {
      r.location.address = str(loc, "address");
      if (const auto civic = loc->getObject("civic"))
        for (const auto& e : kCivicElements) r.location.civic.*e.member = str(civic, std::string(e.name));
      r.location.lat = num(loc, "lat");
      r.location.lon = num(loc, "lon");
    }
    if (const auto req = root->getObject("request")) {
      r.request_id = str(req, "id");
      RequestView v;
      v.phase = phase_named(str(req, "phase"));
      v.by_unit = str(req, "by_unit");
      v.by_name = str(req, "by_name");
      if (auto eta = seconds(req, "eta_s")) v.eta_s = *eta;
      v.automatic = req->optValue<bool>("automatic", false);
      v.dispatch_asked = req->optValue<bool>("dispatch_asked", false);
      v.handoff = str(req, "handoff");
      if (req->has("handoff_ms") && !req->isNull("handoff_ms")) v.handoff_ms = req->getValue<int64_t>("handoff_ms");
      r.request = v;
    }
    return r;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}


std::string to_json(const UnitStateRecord& r) {
  Object st(Poco::JSON_PRESERVE_KEY_ORDER);
  st.set("unit", r.unit);
  if (r.own) st.set("own", true);
  st.set("state", r.state);
  st.set("name", r.name);
  if (r.free_at_ms) st.set("free_at_ms", *r.free_at_ms);
  st.set("heard_wall_ms", r.heard_wall_ms);
  if (r.automatic) st.set("automatic", true);
  Object root(Poco::JSON_PRESERVE_KEY_ORDER);
  root.set("unit_state", st);
  return stringify(root);
}

std::optional<UnitStateRecord> unit_state_record_from_json(const std::string& json) {
  try {
    const auto o = parse(json)->getObject("unit_state");
    if (!o || str(o, "unit").empty() || str(o, "state").empty()) return std::nullopt;
    UnitStateRecord r;
    r.unit = str(o, "unit");
    r.own = o->optValue<bool>("own", false);
    r.state = str(o, "state");
    r.name = str(o, "name");
    if (o->has("free_at_ms") && !o->isNull("free_at_ms")) r.free_at_ms = o->getValue<int64_t>("free_at_ms");
    r.heard_wall_ms = o->optValue<int64_t>("heard_wall_ms", 0);
    r.automatic = o->optValue<bool>("automatic", false);
    return r;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace mdtc::plugin
