// The table of every configuration key: where it lives in Config, what kind
// of value it takes and what the error says when the value is wrong. Adding a
// key is one row here plus one row in docs/config.md (a test keeps them equal).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "mdtc/config.h"

namespace mdtc::config::detail {

enum class Kind {
  integer, number, boolean, role, unit_id, endpoint, z85_key, baud, log_level,
  gps_port, path, optional_path, text, required_text, module_levels,
  optional_endpoint, auto_request_rules, place_aliases, contact_uri
};

struct KeySpec {
  std::string_view section;
  std::string_view key;
  Kind kind;
  double min = 0, max = 0;  // integer and number ranges; text: max length
  int Config::*int_field = nullptr;
  double Config::*number_field = nullptr;
  bool Config::*bool_field = nullptr;
  std::string Config::*text_field = nullptr;  // every string kind; role is special
  bool required = false;  // no default: a unit's identity must be written down
};

const std::vector<KeySpec>& key_table();
const KeySpec* find_key(std::string_view section, std::string_view key);
bool is_known_section(std::string_view section);
std::vector<std::string_view> known_sections();

// Sets the field when `value` is acceptable; returns false (and leaves the
// field alone) when it is not.
bool apply(const KeySpec& spec, std::string_view value, Config& config);
// The field's value as it would be written in a file.
std::string show(const KeySpec& spec, const Config& config);
// "expected ..." sentence and short type name for docs and errors.
std::string expected(const KeySpec& spec);
std::string type_name(const KeySpec& spec);

}  // namespace mdtc::config::detail
