#include "panel_renderer.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <sstream>

namespace {

const char* color_for(const std::string& severity) {
  if (severity == "danger") return "\033[1;37;41m";
  if (severity == "warning") return "\033[1;33m";
  if (severity == "caution") return "\033[36m";
  return "";
}

std::string str(const Poco::JSON::Object::Ptr& o, const char* key) {
  return o && o->has(key) && !o->isNull(key) ? o->getValue<std::string>(key) : std::string();
}

}  // namespace

std::string render_panel(const std::string& panel_json, const std::string& label,
                         const std::string& verb, bool color) {
  std::ostringstream out;
  const std::string reset = color ? "\033[0m" : "";
  Poco::JSON::Object::Ptr doc;
  try {
    Poco::JSON::Parser parser;
    doc = parser.parse(panel_json).extract<Poco::JSON::Object::Ptr>();
  } catch (const std::exception& e) {
    out << label << " " << verb << " <unreadable panel: " << e.what() << ">\n";
    return out.str();
  }
  const std::string severity = str(doc, "severity");
  const std::string rule(64, '=');
  out << label << " +" << rule << "\n";
  out << label << " | " << (color ? color_for(severity) : "") << str(doc, "title") << reset
      << "   [" << verb << " " << str(doc, "id") << ", " << severity << "]\n";
  if (const auto sub = str(doc, "subtitle"); !sub.empty()) out << label << " | " << sub << "\n";
  if (auto sections = doc->getArray("sections")) {
    for (unsigned i = 0; i < sections->size(); ++i) {
      auto s = sections->getObject(i);
      const std::string ssev = str(s, "severity");
      out << label << " | " << (color ? color_for(ssev) : "") << "-- " << str(s, "title") << reset
          << "\n";
      if (const auto notice = str(s, "notice"); !notice.empty())
        out << label << " |    NOTICE: " << notice << "\n";
      if (auto fields = s->getArray("fields")) {
        for (unsigned j = 0; j < fields->size(); ++j) {
          auto f = fields->getObject(j);
          const std::string fsev = str(f, "severity");
          const char* mark = fsev == "danger" ? "!! " : fsev == "warning" ? " ! " : "   ";
          out << label << " | " << mark << (color ? color_for(fsev) : "") << str(f, "label")
              << reset;
          if (const auto v = str(f, "value"); !v.empty()) out << ": " << v;
          out << "\n";
        }
      }
    }
  }
  if (auto actions = doc->getArray("actions"); actions && actions->size() > 0) {
    out << label << " | ";
    for (unsigned i = 0; i < actions->size(); ++i)
      out << "[" << str(actions->getObject(i), "label") << "] ";
    out << "\n";
  }
  out << label << " +" << rule << "\n";
  return out.str();
}
