// Typed, non-throwing access to Poco::JSON values for the wire decoder and
// the EIDO mapper. Poco's own getters throw on a type mismatch; a CAD body is
// untrusted input, so every lookup here reports "absent" or "wrong type" as a
// value instead.
#pragma once

#include <Poco/Dynamic/Var.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "mdtc/result.h"

namespace mdtc::bridge::json {

// Deepest nesting of arrays/objects accepted before parsing. Poco's parser
// recurses per level; a hostile "[[[[..." must not exhaust the stack.
inline constexpr int kMaxDepth = 64;

// Parses a JSON text whose top level must be an object. Errors:
// wire.bad_json (syntax, depth, not an object).
Result<Poco::JSON::Object::Ptr> parse_object(std::string_view text);

// Key lookup. `fold_case` matches keys case-insensitively (EIDO producers
// disagree on key case); exact matches win over folded ones.
const Poco::Dynamic::Var* find(const Poco::JSON::Object& obj, std::string_view key,
                               bool fold_case = false);

Poco::JSON::Object::Ptr as_object(const Poco::Dynamic::Var& v);
// What a value is, never what it says ("a string of 12 bytes", "a number"):
// an error about a CAD field may be logged, and the field may hold a name.
std::string shape(const Poco::Dynamic::Var& v);
Poco::JSON::Array::Ptr as_array(const Poco::Dynamic::Var& v);
std::optional<std::string> as_string(const Poco::Dynamic::Var& v);
std::optional<int64_t> as_int(const Poco::Dynamic::Var& v);
std::optional<uint64_t> as_uint(const Poco::Dynamic::Var& v);
std::optional<double> as_number(const Poco::Dynamic::Var& v);
std::optional<bool> as_bool(const Poco::Dynamic::Var& v);

// Optional string member: absent -> nullopt; present but not a string ->
// wire.bad_type naming `where`.
Result<std::optional<std::string>> opt_string(const Poco::JSON::Object& obj, std::string_view key,
                                              std::string_view where, bool fold_case = false);

std::string to_string(const Poco::JSON::Object::Ptr& obj);

}  // namespace mdtc::bridge::json
