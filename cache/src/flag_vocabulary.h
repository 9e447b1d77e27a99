// The controlled vocabulary of flag codes: display name and severity.
#pragma once

#include <string>
#include <string_view>

namespace mdtc::cache {

struct VocabularyEntry {
  std::string_view code;
  std::string_view display_name;
  std::string_view kind;  // the kind registries normally file it under
  int severity;           // 0 info .. 3 danger
};

// nullptr for a code outside the vocabulary.
const VocabularyEntry* find_code(std::string_view code);

// Severity for a code outside the vocabulary: a safety flag we cannot name
// is still treated as a warning, not as information.
int default_severity(std::string_view kind);

// The name a panel shows: the vocabulary's, or for a code outside it a
// generic label for its kind with the code ("Other safety flag (XYZ)").
std::string display_name(std::string_view code, std::string_view kind);

}  // namespace mdtc::cache
