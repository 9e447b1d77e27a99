#include "eido_mapper.h"

#include <charconv>
#include <vector>

#include "json_access.h"
#include "pidf_location.h"

namespace mdtc::bridge {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

constexpr bool kFold = true;

std::optional<std::string> str(const Object& o, std::string_view key) {
  const auto* v = json::find(o, key, kFold);
  if (!v) return std::nullopt;
  auto s = json::as_string(*v);
  if (!s || s->empty()) return std::nullopt;
  return s;
}

// A component list: the standard says array; some producers send one object.
std::vector<Object::Ptr> components(const Object& o, std::string_view key) {
  std::vector<Object::Ptr> out;
  const auto* v = json::find(o, key, kFold);
  if (!v) return out;
  if (auto obj = json::as_object(*v)) {
    out.push_back(obj);
  } else if (auto arr = json::as_array(*v)) {
    for (unsigned i = 0; i < arr->size(); ++i) {
      if (auto item = json::as_object(arr->get(i))) out.push_back(item);
    }
  }
  return out;
}

// {"$ref": id} or an array of them -> ids.
std::vector<std::string> refs(const Object& o, std::string_view key) {
  std::vector<std::string> out;
  for (const auto& r : components(o, key)) {
    if (auto id = str(*r, "$ref")) out.push_back(*id);
  }
  return out;
}

}  // namespace


Result<Incident> map_eido(const Object& eido) {
  Incident inc;
  Object::Ptr incident;
  if (auto list = components(eido, "incidentComponent"); !list.empty()) incident = list.front();
  const auto calls = components(eido, "callComponent");

  if (auto id = str(eido, "$id")) inc.id = *id;
  else if (incident && str(*incident, "$id")) inc.id = *str(*incident, "$id");
  else if (incident && str(*incident, "internalIncidentId")) inc.id = *str(*incident, "internalIncidentId");
  if (inc.id.empty()) return make_error("wire.bad_eido", "eido has no incident id ($id)");

  if (incident) {
    for (const char* key : {"incidentTypeInternalText", "incidentTypeCommonRegistryText",
                            "incidentTypeInternalCode"}) {
      if (auto t = str(*incident, key)) {
        inc.call_type = *t;
        break;
      }
    }
    if (const auto* p = json::find(*incident, "incidentCommonPriorityNumber", kFold)) {
      if (auto n = json::as_int(*p); n && *n >= 0 && *n <= 1000) inc.priority = static_cast<int>(*n);
    }
    if (inc.priority == 0) {
      if (auto text = str(*incident, "incidentPriorityInternalText")) {
        int n = 0;
        auto res = std::from_chars(text->data(), text->data() + text->size(), n);
        if (res.ec == std::errc() && n >= 0 && n <= 1000) inc.priority = n;
      }
    }
  }
  if (inc.call_type.empty()) {
    for (const auto& call : calls) {
      if (auto t = str(*call, "standardPrimaryCallType")) {
        inc.call_type = *t;
        break;
      }
    }
  }

  // Locations the incident (or its calls) point at, in that order; with no
  // references at all, every location component is a candidate.
  std::vector<std::string> wanted;
  if (incident) wanted = refs(*incident, "locationReference");
  for (const auto& call : calls) {
    for (auto& id : refs(*call, "locationReference")) wanted.push_back(std::move(id));
  }
  const auto locations = components(eido, "locationComponent");
  std::vector<Object::Ptr> candidates;
  if (wanted.empty()) {
    candidates = locations;
  } else {
    for (const auto& id : wanted) {
      for (const auto& loc : locations) {
        if (str(*loc, "$id") == id) candidates.push_back(loc);
      }
    }
  }
  for (const auto& loc : candidates) {
    auto xml = str(*loc, "locationByValue");
    if (!xml) continue;
    auto pidf = parse_pidf_location(*xml);
    if (!pidf) continue;
    if (inc.location.civic.empty() && !pidf->civic.empty()) inc.location.civic = pidf->civic;
    if (!inc.location.lat && pidf->lat) {
      inc.location.lat = pidf->lat;
      inc.location.lon = pidf->lon;
    }
  }
  if (inc.location.civic.empty() && !inc.location.lat) {
    return make_error("wire.bad_eido",
                      "eido has no usable location: expected a locationComponent whose "
                          "locationByValue holds a PIDF-LO civic address or gml:pos");
  }
  if (!inc.location.civic.empty()) inc.location.address = civic_line(inc.location.civic);
  return inc;
}

}  // namespace mdtc::bridge
