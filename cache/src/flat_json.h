// A narrow JSON object reader for the registry's common lines: objects of
// strings, numbers, null and nested objects, in printable ASCII. It does not
// decide what is valid JSON for the importer — it only *recognizes* lines it
// is certain about and declines everything else (returns false), which then
// goes through Poco::JSON as before. Declining is always safe; accepting is
// checked against Poco by a differential fuzz target and test.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace mdtc::cache {

struct FlatObject;

struct FlatValue {
  enum class Kind { null, string, integer, real, object, boolean } kind = Kind::null;
  std::string_view text;  // string: the decoded value
  int64_t integer = 0;
  double real = 0;
  const FlatObject* object = nullptr;  // kind object: owned by the FlatJson that read it
};

struct FlatObject {
  std::vector<std::pair<std::string_view, FlatValue>> members;
  const FlatValue* find(std::string_view key) const;
};

class FlatJson {
 public:
  // True when `line` (already trimmed, starting with '{') is one object this
  // reader recognizes; `root()` then holds it. False = not recognized: let
  // the general parser decide, whatever the line holds.
  bool parse(std::string_view line);
  const FlatObject& root() const { return root_; }

 private:
  bool object(FlatObject& out, int depth);
  bool value(FlatValue& out, int depth);
  bool string(std::string_view& out);
  bool number(FlatValue& out);
  void space();

  std::string_view in_;
  std::size_t pos_ = 0;
  FlatObject root_;
  std::deque<std::string> decoded_;  // strings that held escapes
  std::deque<FlatObject> nested_;    // objects inside the line's object
};

}  // namespace mdtc::cache
