#include "coresponder_router.h"

#include <algorithm>
#include <cmath>
#include <optional>

namespace stub_cad {
namespace {

using Poco::JSON::Object;

std::string get_string(const Object& o, const std::string& key) {
  if (!o.has(key)) return {};
  auto v = o.get(key);
  return v.isString() ? v.extract<std::string>() : std::string();
}

Object::Ptr status(const std::string& request_id, const std::string& incident_id,
                   const std::string& state) {
  Object::Ptr b = new Object;
  b->set("request_id", request_id);
  b->set("incident_id", incident_id);
  b->set("state", state);
  return b;
}

bool is_envelope(const std::string& key) {
  return key == "v" || key == "type" || key == "seq" || key == "sent_at" || key == "key" ||
         key == "unit" || key == "epoch";
}

std::optional<double> number(const Object& o, const std::string& key) {
  if (!o.has(key) || !o.get(key).isNumeric()) return std::nullopt;
  return o.get(key).convert<double>();
}

// Equirectangular distance: enough to order units a few km apart.
double rough_distance(std::pair<double, double> a, double lat, double lon) {
  constexpr double kDeg = 3.14159265358979 / 180;
  const double x = (lon - a.second) * kDeg * std::cos((lat + a.first) / 2 * kDeg);
  const double y = (lat - a.first) * kDeg;
  return std::sqrt(x * x + y * y) * 6371000;
}

}  // namespace

void CoresponderRouter::on_state(const std::string& unit, const Object& body) {
  const std::string state = get_string(body, "state");
  if (state.empty()) return;
  states_[unit] = state;
  // A unit that reports a state is a clinician unit; off duty it is asked nothing.
  set_on_duty(unit, state != "off_duty");
}

void CoresponderRouter::set_position(const std::string& unit, double lat, double lon) {
  positions_[unit] = {lat, lon};
}

std::vector<Outgoing> CoresponderRouter::on_dispatch_request(const std::string& for_unit, const Object& body) {
  Object copy(body);
  copy.set("requested_by", std::string("dispatch"));
  auto out = on_request(for_unit, copy);
  Object::Ptr notice = new Object;
  for (const auto& [k, v] : copy)
    if (!is_envelope(k)) notice->set(k, v);
  // Before any status about it, so the officer's panel knows the request.
  out.insert(out.begin(), {"unit." + for_unit, "coresponder_request", notice});
  return out;
}

void CoresponderRouter::set_on_duty(const std::string& unit, bool on_duty) {
  if (on_duty) on_duty_.insert(unit);
  else on_duty_.erase(unit);
}

std::vector<Outgoing> CoresponderRouter::on_request(const std::string& from, const Object& body) {
  std::vector<Outgoing> out;
  std::string request_id = get_string(body, "request_id");
  std::string incident_id = get_string(body, "incident_id");
  if (request_id.empty()) return out;
  if (on_duty_.empty()) {
    out.push_back({"unit." + from, "coresponder_status", status(request_id, incident_id, "no_coresponder")});
    return out;
  }
  Request& r = requests_[request_id];
  r.requester = from;
  r.incident_id = incident_id;
  // Who is asked, in order: available nearest first, then units that never
  // sent a state (as before live states), then telehealth-only units.
  const auto lat = number(body, "lat"), lon = number(body, "lon");
  const auto distance = [&](const std::string& unit) {
    auto p = positions_.find(unit);
    return p == positions_.end() || !lat || !lon ? HUGE_VAL : rough_distance(p->second, *lat, *lon);
  };
  std::vector<std::string> available, unknown, telehealth;
  for (const auto& cr : on_duty_) {
    if (cr == from) continue;
    auto st = states_.find(cr);
    if (st == states_.end()) unknown.push_back(cr);
    else if (st->second == "available") available.push_back(cr);
    else if (st->second == "telehealth") telehealth.push_back(cr);
  }
  std::stable_sort(available.begin(), available.end(),
                   [&](const std::string& a, const std::string& b) { return distance(a) < distance(b); });
  std::vector<std::pair<std::string, bool>> asked;  // unit, telehealth
  for (const auto& cr : available) asked.emplace_back(cr, false);
  for (const auto& cr : unknown) asked.emplace_back(cr, false);
  for (const auto& cr : telehealth) asked.emplace_back(cr, true);
  for (const auto& [cr, remote] : asked) {
    Object::Ptr offer = new Object;
    for (const auto& [k, v] : body) {
      if (!is_envelope(k)) offer->set(k, v);
    }
    offer->set("from_unit", from);
    if (remote) offer->set("mode", std::string("telehealth"));
    r.offered.insert(cr);
    out.push_back({"unit." + cr, "coresponder_request", offer});
  }
  if (r.offered.empty()) {
    out.push_back({"unit." + from, "coresponder_status", status(request_id, incident_id, "no_coresponder")});
  }
  return out;
}

std::vector<Outgoing> CoresponderRouter::on_response(const std::string& from, const Object& body) {
  std::vector<Outgoing> out;
  auto it = requests_.find(get_string(body, "request_id"));
  if (it == requests_.end()) return out;
  const std::string& request_id = it->first;
  Request& r = it->second;
  bool accepted = body.has("accepted") && body.get("accepted").isBoolean() &&
                  body.get("accepted").extract<bool>();
  if (accepted) {
    if (!r.accepted_by.empty()) {
      // Somebody was quicker: this clinician is not needed.
      auto taken = status(request_id, r.incident_id, "taken");
      taken->set("by_unit", r.accepted_by);
      out.push_back({"unit." + from, "coresponder_status", taken});
      return out;
    }
    r.accepted_by = from;
    auto won = status(request_id, r.incident_id, "accepted");
    won->set("by_unit", from);
    won->set("by_name", get_string(body, "name"));
    if (body.has("eta_s")) won->set("eta_s", body.get("eta_s"));
    out.push_back({"unit." + r.requester, "coresponder_status", won});
    for (const auto& cr : r.offered) {
      if (cr == from) continue;
      auto taken = status(request_id, r.incident_id, "taken");
      taken->set("by_unit", from);
      out.push_back({"unit." + cr, "coresponder_status", taken});
    }
    return out;
  }
  r.declined.insert(from);
  if (r.accepted_by.empty() && r.declined.size() >= r.offered.size()) {
    bool all = true;
    for (const auto& cr : r.offered) all = all && r.declined.count(cr);
    if (all) out.push_back({"unit." + r.requester, "coresponder_status",
                            status(request_id, r.incident_id, "declined")});
  }
  return out;
}

std::vector<Outgoing> CoresponderRouter::on_status(const std::string& from, const Object& body) {
  std::vector<Outgoing> out;
  auto it = requests_.find(get_string(body, "request_id"));
  if (it == requests_.end()) return out;
  if (from == it->second.requester && get_string(body, "state") == "cancelled") {
    // The officer withdrew the request: every clinician it was offered to
    // hears so, and a later accept finds it taken.
    for (const auto& cr : it->second.offered) {
      out.push_back({"unit." + cr, "coresponder_status",
                     status(it->first, it->second.incident_id, "cancelled")});
    }
    if (it->second.accepted_by.empty()) it->second.accepted_by = from;
    return out;
  }
  if (it->second.accepted_by != from) return out;
  Object::Ptr fwd = new Object;
  for (const auto& [k, v] : body) {
    if (!is_envelope(k)) fwd->set(k, v);
  }
  fwd->set("by_unit", from);
  if (!fwd->has("incident_id")) fwd->set("incident_id", it->second.incident_id);
  out.push_back({"unit." + it->second.requester, "coresponder_status", fwd});
  return out;
}

}  // namespace stub_cad
