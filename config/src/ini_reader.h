// A strict INI reader: text in, entries with their line numbers out. Pure (no
// file access), so it can be unit-tested and fuzzed alone.
//
// Why not Poco::Util::IniFileConfiguration: it keeps no line numbers, folds
// key case and lets a line without '=' or a key set twice pass silently. A
// fleet config error must name the line, and a typo must not be ignored.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mdtc::config::detail {

struct IniEntry {
  std::string section;
  std::string key;
  std::string value;
  int line = 0;
  bool quoted = false;  // written in double quotes: what it holds was meant
};

struct IniSection {
  std::string name;
  int line = 0;
};

struct IniProblem {
  std::string code;  // config.syntax or config.duplicate_key
  int line = 0;
  std::string key;   // section.key for duplicates
  std::string text;  // the sentence after "config FILE:LINE: "
};

struct IniDocument {
  std::vector<IniSection> sections;  // every header, in order, repeats included
  std::vector<IniEntry> entries;     // in file order
  std::vector<IniProblem> problems;
};

// Rules: `[section]` headers; `key = value` lines; whole-line comments start
// with ';' or '#' (a '#' later in a line is part of the value: "APT #3B");
// a value may be wrapped in double quotes to keep leading or trailing spaces.
// A key set twice in one file is a problem, a repeated [section] is not.
IniDocument parse_ini(std::string_view text);

// `text` made safe to echo in a one-line message: control bytes as \xNN,
// cut to `max_chars` with "..." appended.
std::string printable(std::string_view text, std::size_t max_chars = 80);

}  // namespace mdtc::config::detail
