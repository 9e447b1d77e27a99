#include "ini_reader.h"

#include <cstdio>
#include <map>

namespace mdtc::config::detail {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool is_control(unsigned char c) { return (c < 0x20 && c != '\t') || c == 0x7f; }

bool valid_name(std::string_view name) {
  if (name.empty()) return false;
  for (unsigned char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::string printable(std::string_view text, std::size_t max_chars) {
  std::string out;
  std::size_t shown = 0;
  for (unsigned char c : text) {
    if (shown == max_chars) {
      out += "...";
      break;
    }
    if (is_control(c) || c == '\t') {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
    ++shown;
  }
  return out;
}

namespace {

// The line in quotes, as printable() shows it. Appended rather than written
// as "\"" + printable(line): GCC 12 reports a false -Wrestrict on a literal
// plus a std::string temporary at -O2.
std::string quoted_printable(std::string_view line) {
  std::string out(1, '"');
  out += printable(line);
  out += '"';
  return out;
}

}  // namespace

IniDocument parse_ini(std::string_view text) {
  IniDocument doc;
  // A UTF-8 byte order mark is what some Windows editors put first; it is not
  // part of the first line's content.
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);

  std::string section;
  bool in_section = false;
  bool under_broken_header = false;
  std::map<std::string, int> first_seen;  // "section.key" -> line, within this text
  int line_no = 0;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view raw = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);

    std::string_view line = trim(raw);
    if (line.empty() || line.front() == ';' || line.front() == '#') {
      if (end == text.size()) break;
      continue;
    }
    bool has_control = false;
    for (unsigned char c : line) has_control = has_control || is_control(c);
    if (has_control) {
      doc.problems.push_back({"config.syntax", line_no, "",
                              "line contains a control character (\"" + printable(line) +
                                  "\"): expected printable text"});
    } else if (line.front() == '[') {
      std::size_t close = line.find(']');
      std::string_view rest = close == std::string_view::npos ? "" : trim(line.substr(close + 1));
      std::string_view name = close == std::string_view::npos ? "" : trim(line.substr(1, close - 1));
      if (close == std::string_view::npos || !(rest.empty() || rest.front() == ';' || rest.front() == '#') ||
          !valid_name(name)) {
        doc.problems.push_back({"config.syntax", line_no, "",
                                quoted_printable(line) + ": expected a section header such as [gps]"});
        // Keys after a broken header would be reported against the previous
        // section; better to report nothing for them than something wrong.
        in_section = false;
        under_broken_header = true;
        section.clear();
      } else {
        section = std::string(name);
        in_section = true;
        under_broken_header = false;
        doc.sections.push_back({section, line_no});
      }
    } else {
      std::size_t eq = line.find('=');
      std::string_view key = eq == std::string_view::npos ? "" : trim(line.substr(0, eq));
      std::string_view value = eq == std::string_view::npos ? "" : trim(line.substr(eq + 1));
      if (eq == std::string_view::npos || !valid_name(key)) {
        doc.problems.push_back({"config.syntax", line_no, "",
                                quoted_printable(line) + ": expected key = value or a [section] header"});
      } else if (!value.empty() && value.front() == '"' &&
                 (value.size() < 2 || value.back() != '"')) {
        doc.problems.push_back({"config.syntax", line_no, "",
                                std::string(key) + " = " + printable(value) +
                                    ": expected a closing double quote"});
      } else if (!in_section) {
        if (!under_broken_header) {
          doc.problems.push_back({"config.syntax", line_no, std::string(key),
                                  std::string(key) + ": key outside any section: expected a [section] header first"});
        }
        // else: under a broken header, already reported.
      } else {
        const bool quoted = value.size() >= 2 && value.front() == '"' && value.back() == '"';
        if (quoted) value = value.substr(1, value.size() - 2);
        std::string full = section + "." + std::string(key);
        auto [it, inserted] = first_seen.emplace(full, line_no);
        if (!inserted) {
          doc.problems.push_back({"config.duplicate_key", line_no, full,
                                  full + ": set twice in this file (first on line " +
                                      std::to_string(it->second) + "): expected each key once"});
        } else {
          doc.entries.push_back({section, std::string(key), std::string(value), line_no, quoted});
        }
      }
    }
    if (end == text.size()) break;
  }
  return doc;
}

}  // namespace mdtc::config::detail
