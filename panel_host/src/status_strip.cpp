// The page's status strip from the plugin's status_json: every part that
// can stop says so in words, so a quiet screen never looks like a safe one.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <cmath>
#include <sstream>

#include "mdtc/panel_host.h"

namespace mdtc::panel {
namespace {

using Poco::JSON::Object;

struct Item {
  const char* id;
  std::string text;
  const char* severity;  // info, caution, warning, danger
};

int rank(const std::string& s) {
  return s == "danger" ? 3 : s == "warning" ? 2 : s == "caution" ? 1 : 0;
}

std::string age_words(int64_t s) {
  if (s < 120) return std::to_string(s) + " s";
  if (s < 2 * 3600) return std::to_string(s / 60) + " min";
  if (s < 2 * 86400) return std::to_string(s / 3600) + " h";
  return std::to_string(s / 86400) + " days";
}

std::vector<Item> items_from(const Object& st, const PluginHealth& h, int64_t silent_after_ms) {
  std::vector<Item> items;
  const bool running = st.optValue<bool>("running", false);
  const int64_t idle_ms = st.optValue<int64_t>("pipeline_idle_ms", 0);
  if (!h.started || !running)
    items.push_back({"plugin", "PLUGIN STOPPED", "danger"});
  else if (h.status_age_ms > silent_after_ms || idle_ms > silent_after_ms)
    items.push_back({"plugin", "PLUGIN NOT RESPONDING", "danger"});
  else
    items.push_back({"plugin", "Plugin OK", "info"});

  const auto link = st.getObject("cad_link");
  if (link && link->optValue<bool>("up", false))
    items.push_back({"cad", "CAD link up", "info"});
  else
    items.push_back({"cad", "CAD LINK DOWN", "danger"});

  if (st.optValue<std::string>("cache", "") != "open") {
    items.push_back({"cache", "FLAGS UNAVAILABLE", "danger"});
  } else if (!st.has("cache_age_s")) {
    items.push_back({"cache", "Flags: age unknown", "warning"});
  } else {
    const int64_t age = st.getValue<int64_t>("cache_age_s");
    const int64_t max_s = st.optValue<int64_t>("cache_max_age_h", 24) * 3600;
    // A last sync ahead of the clock (10 min slack, as the cache's): the
    // clock is wrong, and the age with it.
    if (age < -600) items.push_back({"cache", "FLAGS AGE UNKNOWN - CLOCK BEHIND", "warning"});
    else if (age > max_s) items.push_back({"cache", "FLAGS " + age_words(age) + " OLD", "warning"});
    else items.push_back({"cache", "Flags " + age_words(std::max<int64_t>(age, 0)) + " old", "info"});
    // Premises read under older address rules (an upgrade, until the next
    // snapshot): an address spelled the newer ways may find nothing, and
    // no panel can say so. The strip does.
    // The registry named a newer version than the cache holds and the sync
    // failed to bring it: each panel says so, and so does the strip.
    if (const auto sync = st.getObject("registry_sync")) {
      const std::string state = sync->optValue<std::string>("state", "");
      if ((state == "failed" || state == "rejected") && sync->has("registry_version") && sync->has("version") &&
          sync->getValue<int64_t>("registry_version") > sync->getValue<int64_t>("version")) {
        items.back().text += " - NEWER FLAGS NOT LOADED";
        if (rank(items.back().severity) < rank("warning")) items.back().severity = "warning";
      }
    }
    if (!st.optValue<bool>("cache_address_rules_current", true)) {
      items.back().text += " - address update pending, some spellings may not match";
      if (rank(items.back().severity) < rank("caution")) items.back().severity = "caution";
    }
  }

  const auto gps = st.getObject("gps");
  if (!gps || gps->optValue<std::string>("port", "").empty())
    items.push_back({"gps", "NO GPS", "warning"});
  else if (gps->optValue<bool>("stale", true) || !gps->optValue<bool>("connected", false))
    items.push_back({"gps", "GPS STALE", "warning"});
  else
    items.push_back({"gps", "GPS OK", "info"});
  return items;
}

}  // namespace

bool sun_is_up(double lat, double lon, int64_t unix_ms) {
  constexpr double rad = 3.14159265358979323846 / 180;
  const double d = static_cast<double>(unix_ms) / 86400000.0 - 10957.5;  // days since J2000.0
  const double g = (357.529 + 0.98560028 * d) * rad;                       // mean anomaly
  const double q = 280.459 + 0.98564736 * d;                               // mean longitude
  const double l = (q + 1.915 * std::sin(g) + 0.020 * std::sin(2 * g)) * rad;
  const double e = (23.439 - 0.00000036 * d) * rad;                        // obliquity
  const double ra = std::atan2(std::cos(e) * std::sin(l), std::cos(l));
  const double decl = std::asin(std::sin(e) * std::sin(l));
  const double gmst_deg = std::fmod(280.46061837 + 360.98564736629 * d, 360.0);
  const double hour_angle = (gmst_deg + lon) * rad - ra;
  const double elevation = std::asin(std::sin(lat * rad) * std::sin(decl) +
                                     std::cos(lat * rad) * std::cos(decl) * std::cos(hour_angle));
  return elevation > -0.833 * rad;
}

std::string status_strip_json(const PluginHealth& health, int64_t plugin_silent_after_ms) {
  std::vector<Item> items;
  Object::Ptr st;
  if (!health.status_json.empty()) {
    try {
      st = Poco::JSON::Parser().parse(health.status_json).extract<Object::Ptr>();
    } catch (const std::exception&) {
      st = nullptr;
    }
  }
  if (st)
    items = items_from(*st, health, plugin_silent_after_ms);
  else
    items.push_back({"plugin", health.started ? "PLUGIN NOT RESPONDING" : "PLUGIN STOPPED", "danger"});

  Object out(Poco::JSON_PRESERVE_KEY_ORDER);
  std::string worst = "info";
  Poco::JSON::Array::Ptr arr = new Poco::JSON::Array;
  for (const auto& i : items) {
    Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("id", std::string(i.id));
    o->set("text", i.text);
    o->set("severity", std::string(i.severity));
    arr->add(o);
    if (rank(i.severity) > rank(worst)) worst = i.severity;
  }
  out.set("severity", worst);
  out.set("items", arr);
  if (st && health.unix_ms > 0) {
    if (const auto pos = st->getObject("position"))
      out.set("daylight", sun_is_up(pos->getValue<double>("lat"), pos->getValue<double>("lon"), health.unix_ms));
  }
  std::ostringstream s;
  out.stringify(s);
  return s.str();
}

}  // namespace mdtc::panel
