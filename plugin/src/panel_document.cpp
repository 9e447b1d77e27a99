#include "panel_document.h"

#include <charconv>
#include <cmath>
#include <string_view>

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

// The panel's JSON text, written straight into one string: this runs on the
// dispatch path, and building it as Poco objects first took about 37 us for
// a premise panel, most of the time from publish to show_panel after the
// lookup. Keys come in the order the format lists them.
class JsonText {
 public:
  std::string take() { return std::move(out_); }
  JsonText& open_object() { return value_start().put('{'); }
  JsonText& close_object() { return end('}'); }
  JsonText& open_array(std::string_view key) { return name(key).put('['); }
  JsonText& close_array() { return end(']'); }
  JsonText& open_object(std::string_view key) { return name(key).put('{'); }

  JsonText& field(std::string_view key, std::string_view value) {
    name(key);
    quoted(value);
    return *this;
  }
  JsonText& field_if(std::string_view key, std::string_view value) {
    return value.empty() ? *this : field(key, value);
  }
  // Numbers and booleans have names of their own: a const char* would
  // rather convert to bool than to string_view.
  JsonText& number(std::string_view key, double value) {
    name(key);
    char text[32];
    const auto [end, ec] = std::to_chars(text, text + sizeof text, std::isfinite(value) ? value : 0.0);
    out_.append(text, ec == std::errc() ? end : text);
    first_ = false;
    return *this;
  }
  JsonText& boolean(std::string_view key, bool value) {
    name(key);
    out_ += value ? "true" : "false";
    first_ = false;
    return *this;
  }

 private:
  JsonText& put(char c) {
    out_ += c;
    first_ = true;
    return *this;
  }
  JsonText& end(char c) {
    out_ += c;
    first_ = false;
    return *this;
  }
  JsonText& value_start() {
    if (!first_) out_ += ',';
    return *this;
  }
  JsonText& name(std::string_view key) {
    value_start();
    quoted(key);
    out_ += ':';
    first_ = true;
    return *this;
  }
  // RFC 8259 string: quote, backslash and control characters escaped. Bytes
  // that are not UTF-8 (a registry note in Latin-1) become U+FFFD, so the
  // host's parser never refuses the panel over one character.
  void quoted(std::string_view s) {
    out_ += '"';
    for (std::size_t i = 0; i < s.size();) {
      const auto c = static_cast<unsigned char>(s[i]);
      if (c < 0x80) {
        if (c == '"' || c == '\\') {
          out_ += '\\';
          out_ += static_cast<char>(c);
        } else if (c < 0x20) {
          static const char* hex = "0123456789abcdef";
          out_ += c == '\n' ? "\\n" : c == '\t' ? "\\t" : c == '\r' ? "\\r" : "";
          if (c != '\n' && c != '\t' && c != '\r') {
            out_ += "\\u00";
            out_ += hex[c >> 4];
            out_ += hex[c & 15];
          }
        } else {
          out_ += static_cast<char>(c);
        }
        ++i;
        continue;
      }
      const std::size_t n = utf8_length(s, i);
      if (n == 0) {
        out_ += "\xEF\xBF\xBD";  // U+FFFD
        ++i;
      } else {
        out_.append(s.substr(i, n));
        i += n;
      }
    }
    out_ += '"';
    first_ = false;
  }
  // Length of the well-formed UTF-8 sequence at s[i] (RFC 3629: no overlong
  // forms, no surrogates, nothing past U+10FFFF); 0 when there is none.
  static std::size_t utf8_length(std::string_view s, std::size_t i) {
    const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
    const auto cont = [&](std::size_t k) { return i + k < s.size() && (b(k) & 0xC0) == 0x80; };
    const unsigned char c = b(0);
    if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
      if (!cont(1) || !cont(2)) return 0;
      if ((c == 0xE0 && b(1) < 0xA0) || (c == 0xED && b(1) > 0x9F)) return 0;
      return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
      if (!cont(1) || !cont(2) || !cont(3)) return 0;
      if ((c == 0xF0 && b(1) < 0x90) || (c == 0xF4 && b(1) > 0x8F)) return 0;
      return 4;
    }
    return 0;
  }

  std::string out_;
  bool first_ = true;
};

}  // namespace

std::string PanelDocument::to_json() const {
  JsonText j;
  j.open_object().number("v", kPanelFormatVersion).field("id", id).field("kind", kind).field("title", title);
  j.field_if("subtitle", subtitle).field("severity", to_string(severity)).field_if("incident_id", incident_id);
  j.open_array("sections");
  for (const auto& s : sections) {
    j.open_object().field("id", s.id).field("title", s.title).field("severity", to_string(s.severity));
    j.field_if("notice", s.notice).open_array("fields");
    for (const auto& f : s.fields) {
      j.open_object().field("label", f.label).field("value", f.value).field("severity", to_string(f.severity));
      j.field_if("code", f.code).field_if("flag_id", f.flag_id).close_object();
    }
    j.close_array().close_object();
  }
  j.close_array().open_array("actions");
  for (const auto& a : actions)
    j.open_object().field("id", a.id).field("label", a.label).field("style", a.style).field_if("link", a.link)
        .close_object();
  j.close_array();
  if (!inputs.empty()) {
    j.open_array("inputs");
    for (const auto& in : inputs) {
      j.open_object().field("id", in.id).field("label", in.label).field("value", in.value);
      if (!in.options.empty()) {
        j.open_array("options");
        for (const auto& [oid, olabel] : in.options) j.open_object().field("id", oid).field("label", olabel).close_object();
        j.close_array();
      }
      j.close_object();
    }
    j.close_array();
  }
  if (motion) {
    j.open_object("motion").boolean("moving", motion->moving).field("gps", motion->gps);
    j.number("lock_speed_kmh", motion->lock_speed_kmh).number("unlock_after_s", motion->unlock_after_s).close_object();
  }
  j.close_object();
  return j.take();
}

}  // namespace mdtc::plugin
