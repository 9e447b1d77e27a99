#include "mdtc/panel_host.h"

#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <initializer_list>
#include <string_view>

namespace {

using Poco::JSON::Object;

bool one_of(const std::string& v, std::initializer_list<std::string_view> allowed) {
  return std::find(allowed.begin(), allowed.end(), v) != allowed.end();
}

// The member `key` of `o` as a string; sets `error` when it is absent (and
// required) or not a string.
std::string text(const Object& o, const std::string& where, const char* key, bool required, std::string& error) {
  if (!error.empty()) return {};
  if (!o.has(key) || o.isNull(key)) {
    if (required) error = where + key + ": missing";
    return {};
  }
  const auto v = o.get(key);
  if (!v.isString()) {
    error = where + key + ": expected a string";
    return {};
  }
  return v.extract<std::string>();
}

void severity(const Object& o, const std::string& where, std::string& error) {
  const std::string s = text(o, where, "severity", true, error);
  if (error.empty() && !one_of(s, {"info", "caution", "warning", "danger"}))
    error = where + "severity: '" + s + "': expected info, caution, warning or danger";
}

Poco::JSON::Array::Ptr array(const Object& o, const std::string& where, const char* key, std::string& error) {
  if (!error.empty()) return nullptr;
  if (!o.has(key) || !o.isArray(key)) {
    error = where + key + ": expected an array";
    return nullptr;
  }
  return o.getArray(key);
}

Object::Ptr element(const Poco::JSON::Array& a, unsigned i, const std::string& where, std::string& error) {
  if (!a.isObject(i)) {
    error = where + ": expected an object";
    return nullptr;
  }
  return a.getObject(i);
}

}  // namespace

namespace mdtc::panel {

std::string panel_format_error(const std::string& panel_json) {
  Object::Ptr doc;
  try {
    Poco::JSON::Parser parser;
    const auto parsed = parser.parse(panel_json);
    if (parsed.type() != typeid(Object::Ptr)) return "the document is not a JSON object";
    doc = parsed.extract<Object::Ptr>();
  } catch (const std::exception& e) {
    return std::string("not JSON: ") + e.what();
  }
  if (!doc->has("v")) return "v: missing (a version-1 panel says \"v\":1)";
  const auto v = doc->get("v");
  // Compared as written: a number too large for an int must be a wrong
  // version, not an exception out of the check.
  if (!v.isInteger() || v.toString() != "1") return "v: '" + v.toString() + "': expected 1";

  std::string error;
  for (const char* key : {"id", "kind", "title"})
    if (text(*doc, "", key, true, error).empty() && error.empty()) error = std::string(key) + ": empty";
  text(*doc, "", "subtitle", false, error);
  text(*doc, "", "incident_id", false, error);
  severity(*doc, "", error);

  if (const auto sections = array(*doc, "", "sections", error)) {
    for (unsigned i = 0; i < sections->size() && error.empty(); ++i) {
      const std::string at = "sections[" + std::to_string(i) + "]";
      const auto s = element(*sections, i, at, error);
      if (!s) break;
      text(*s, at + ".", "id", true, error);
      text(*s, at + ".", "title", true, error);
      text(*s, at + ".", "notice", false, error);
      severity(*s, at + ".", error);
      const auto fields = array(*s, at + ".", "fields", error);
      for (unsigned k = 0; fields && k < fields->size() && error.empty(); ++k) {
        const std::string fat = at + ".fields[" + std::to_string(k) + "]";
        const auto f = element(*fields, k, fat, error);
        if (!f) break;
        text(*f, fat + ".", "label", true, error);
        text(*f, fat + ".", "value", true, error);
        text(*f, fat + ".", "code", false, error);
        text(*f, fat + ".", "flag_id", false, error);
        severity(*f, fat + ".", error);
      }
    }
  }
  if (const auto actions = array(*doc, "", "actions", error)) {
    for (unsigned i = 0; i < actions->size() && error.empty(); ++i) {
      const std::string at = "actions[" + std::to_string(i) + "]";
      const auto a = element(*actions, i, at, error);
      if (!a) break;
      if (text(*a, at + ".", "id", true, error).empty() && error.empty()) error = at + ".id: empty";
      text(*a, at + ".", "label", true, error);
      const std::string style = text(*a, at + ".", "style", true, error);
      if (error.empty() && !one_of(style, {"primary", "danger", "default"}))
        error = at + ".style: '" + style + "': expected primary, danger or default";
    }
  }
  if (doc->has("inputs") && error.empty()) {
    if (const auto inputs = array(*doc, "", "inputs", error)) {
      for (unsigned i = 0; i < inputs->size() && error.empty(); ++i) {
        const std::string at = "inputs[" + std::to_string(i) + "]";
        const auto in = element(*inputs, i, at, error);
        if (!in) break;
        if (text(*in, at + ".", "id", true, error).empty() && error.empty()) error = at + ".id: empty";
        text(*in, at + ".", "label", true, error);
        const std::string value = text(*in, at + ".", "value", true, error);
        if (!in->has("options") || !error.empty()) continue;
        const auto options = array(*in, at + ".", "options", error);
        bool known = false;
        for (unsigned k = 0; options && k < options->size() && error.empty(); ++k) {
          const std::string oat = at + ".options[" + std::to_string(k) + "]";
          const auto o = element(*options, k, oat, error);
          if (!o) break;
          known = text(*o, oat + ".", "id", true, error) == value || known;
          text(*o, oat + ".", "label", true, error);
        }
        if (error.empty() && !known) error = at + ".value: '" + value + "': expected one of its options";
      }
    }
  }
  if (doc->has("motion") && error.empty()) {
    const auto m = doc->getObject("motion");
    if (!m) return "motion: expected an object";
    if (!m->has("moving") || !m->get("moving").isBoolean()) return "motion.moving: expected true or false";
    const std::string gps = text(*m, "motion.", "gps", true, error);
    if (error.empty() && !one_of(gps, {"fresh", "stale", "none"}))
      error = "motion.gps: '" + gps + "': expected fresh, stale or none";
  }
  return error;
}

}  // namespace mdtc::panel
