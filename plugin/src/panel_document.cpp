#include "panel_document.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <sstream>

namespace mdtc::plugin {

const char* to_string(Severity s) {
  switch (s) {
    case Severity::info: return "info";
    case Severity::caution: return "caution";
    case Severity::warning: return "warning";
    case Severity::danger: return "danger";
  }
  return "info";
}

std::vector<std::string> PanelDocument::flag_ids() const {
  std::vector<std::string> ids;
  for (const auto& section : sections)
    for (const auto& field : section.fields)
      if (!field.flag_id.empty()) ids.push_back(field.flag_id);
  return ids;
}

namespace {

Poco::JSON::Object::Ptr object() { return new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER); }

void set_if(Poco::JSON::Object::Ptr o, const char* key, const std::string& value) {
  if (!value.empty()) o->set(key, value);
}

}  // namespace

std::string PanelDocument::to_json() const {
  auto doc = object();
  doc->set("v", kPanelFormatVersion);
  doc->set("id", id);
  doc->set("kind", kind);
  doc->set("title", title);
  set_if(doc, "subtitle", subtitle);
  doc->set("severity", to_string(severity));
  set_if(doc, "incident_id", incident_id);
  Poco::JSON::Array::Ptr secs = new Poco::JSON::Array;
  for (const auto& s : sections) {
    auto so = object();
    so->set("id", s.id);
    so->set("title", s.title);
    so->set("severity", to_string(s.severity));
    set_if(so, "notice", s.notice);
    Poco::JSON::Array::Ptr fields = new Poco::JSON::Array;
    for (const auto& f : s.fields) {
      auto fo = object();
      fo->set("label", f.label);
      fo->set("value", f.value);
      fo->set("severity", to_string(f.severity));
      set_if(fo, "code", f.code);
      set_if(fo, "flag_id", f.flag_id);
      fields->add(fo);
    }
    so->set("fields", fields);
    secs->add(so);
  }
  doc->set("sections", secs);
  Poco::JSON::Array::Ptr acts = new Poco::JSON::Array;
  for (const auto& a : actions) {
    auto ao = object();
    ao->set("id", a.id);
    ao->set("label", a.label);
    ao->set("style", a.style);
    set_if(ao, "link", a.link);
    acts->add(ao);
  }
  doc->set("actions", acts);
  if (!inputs.empty()) {
    Poco::JSON::Array::Ptr ins = new Poco::JSON::Array;
    for (const auto& in : inputs) {
      auto io = object();
      io->set("id", in.id);
      io->set("label", in.label);
      io->set("value", in.value);
      if (!in.options.empty()) {
        Poco::JSON::Array::Ptr opts = new Poco::JSON::Array;
        for (const auto& [oid, olabel] : in.options) {
          auto oo = object();
          oo->set("id", oid);
          oo->set("label", olabel);
          opts->add(oo);
        }
        io->set("options", opts);
      }
      ins->add(io);
    }
    doc->set("inputs", ins);
  }
  std::ostringstream out;
  if (motion) {
    auto mo = object();
    mo->set("moving", motion->moving);
    mo->set("gps", motion->gps);
    mo->set("lock_speed_kmh", motion->lock_speed_kmh);
    mo->set("unlock_after_s", motion->unlock_after_s);
    doc->set("motion", mo);
  }
  doc->stringify(out);
  return out.str();
}

}  // namespace mdtc::plugin
