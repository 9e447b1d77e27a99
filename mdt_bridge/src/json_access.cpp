#include "json_access.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <cmath>
#include <exception>
#include <limits>
#include <sstream>

namespace mdtc::bridge::json {
namespace {

bool equal_fold(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// One cheap pass outside strings before the parser sees the text: the
// nesting depth (the recursive parser must not overflow the stack), and
// whether a number's integer part is past 2^64-1. Poco reads such an
// integer modulo 2^64, so 18446744073709551617 became 1: a version or an
// offset that passes every range check.
struct Shape {
  int depth = 0;
  bool integer_overflow = false;
};

bool past_uint64(std::string_view digits) {
  static constexpr std::string_view kMax = "18446744073709551615";
  while (digits.size() > 1 && digits.front() == '0') digits.remove_prefix(1);
  return digits.size() > kMax.size() || (digits.size() == kMax.size() && digits > kMax);
}

Shape shape_of(std::string_view text) {
  Shape out;
  int depth = 0;
  bool in_string = false, escaped = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
      continue;
    }
    if ((c >= '0' && c <= '9') || c == '-') {
      // The integer part, then the rest of the number (fraction, exponent).
      std::size_t j = c == '-' ? i + 1 : i;
      const std::size_t from = j;
      while (j < text.size() && text[j] >= '0' && text[j] <= '9') ++j;
      if (past_uint64(text.substr(from, j - from))) out.integer_overflow = true;
      while (j < text.size() && ((text[j] >= '0' && text[j] <= '9') || text[j] == '.' || text[j] == 'e' ||
                                 text[j] == 'E' || text[j] == '+' || text[j] == '-'))
        ++j;
      i = j - 1;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '{' || c == '[') out.depth = std::max(out.depth, ++depth);
    else if (c == '}' || c == ']') --depth;
  }
  return out;
}

}  // namespace

Result<Poco::JSON::Object::Ptr> parse_object(std::string_view text) {
  const Shape shape = shape_of(text);
  if (shape.depth > kMaxDepth) {
    return make_error("wire.bad_json", "JSON nests deeper than " + std::to_string(kMaxDepth) +
                                           " levels; expected a flat message object");
  }
  if (shape.integer_overflow)
    return make_error("wire.bad_json", "a number past 2^64-1: out of range of every field");
  // Poco's parser stops at an embedded NUL; a body with one is not valid
  // UTF-8 JSON text anyway.
  if (text.find('\0') != std::string_view::npos) {
    return make_error("wire.bad_json", "body contains a NUL byte; expected UTF-8 JSON text");
  }
  try {
    Poco::JSON::Parser parser;
    Poco::Dynamic::Var root = parser.parse(std::string(text));
    auto obj = as_object(root);
    if (!obj) return make_error("wire.bad_json", "body is JSON but not an object");
    return obj;
  } catch (const std::exception&) {
    // The parser's own message quotes the text around the fault, which may
    // be a name or a narrative: say only where it is not JSON and how long.
    return make_error("wire.bad_json",
                      "body is not valid JSON (" + std::to_string(text.size()) + " bytes)");
  }
}

const Poco::Dynamic::Var* find(const Poco::JSON::Object& obj, std::string_view key, bool fold_case) {
  const Poco::Dynamic::Var* folded = nullptr;
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (it->first == key) return &it->second;
    if (fold_case && !folded && equal_fold(it->first, key)) folded = &it->second;
  }
  return folded;
}

std::string shape(const Poco::Dynamic::Var& v) {
  if (v.isEmpty()) return "null";
  if (v.isString()) return "a string of " + std::to_string(v.extract<std::string>().size()) + " bytes";
  if (v.isBoolean()) return "a boolean";
  if (v.isNumeric()) return "a number";
  if (as_object(v)) return "an object";
  if (as_array(v)) return "an array";
  return "a value of another kind";
}

Poco::JSON::Object::Ptr as_object(const Poco::Dynamic::Var& v) {
  if (v.type() == typeid(Poco::JSON::Object::Ptr)) return v.extract<Poco::JSON::Object::Ptr>();
  return {};
}

Poco::JSON::Array::Ptr as_array(const Poco::Dynamic::Var& v) {
  if (v.type() == typeid(Poco::JSON::Array::Ptr)) return v.extract<Poco::JSON::Array::Ptr>();
  return {};
}

std::optional<std::string> as_string(const Poco::Dynamic::Var& v) {
  if (v.isString()) return v.extract<std::string>();
  return std::nullopt;
}

std::optional<int64_t> as_int(const Poco::Dynamic::Var& v) {
  try {
    if (v.isInteger()) {
      if (v.isSigned()) return v.convert<int64_t>();
      auto u = v.convert<uint64_t>();
      if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
      return static_cast<int64_t>(u);
    }
  } catch (const Poco::Exception&) {
  }
  return std::nullopt;
}

std::optional<uint64_t> as_uint(const Poco::Dynamic::Var& v) {
  try {
    if (v.isInteger()) {
      if (v.isSigned()) {
        auto i = v.convert<int64_t>();
        if (i < 0) return std::nullopt;
        return static_cast<uint64_t>(i);
      }
      return v.convert<uint64_t>();
    }
  } catch (const Poco::Exception&) {
  }
  return std::nullopt;
}

std::optional<double> as_number(const Poco::Dynamic::Var& v) {
  try {
    if (v.isNumeric() && !v.isBoolean()) {
      double d = v.convert<double>();
      if (std::isfinite(d)) return d;
    }
  } catch (const Poco::Exception&) {
  }
  return std::nullopt;
}

std::optional<bool> as_bool(const Poco::Dynamic::Var& v) {
  if (v.isBoolean()) return v.extract<bool>();
  return std::nullopt;
}

Result<std::optional<std::string>> opt_string(const Poco::JSON::Object& obj, std::string_view key,
                                              std::string_view where, bool fold_case) {
  const auto* v = find(obj, key, fold_case);
  if (!v || v->isEmpty()) return std::optional<std::string>{};
  auto s = as_string(*v);
  if (!s) {
    return make_error("wire.bad_type",
                      std::string(where) + "." + std::string(key) + ": expected a string");
  }
  return std::optional<std::string>{std::move(*s)};
}

std::string to_string(const Poco::JSON::Object::Ptr& obj) {
  std::ostringstream out;
  Poco::JSON::Stringifier::condense(obj, out);
  return out.str();
}

}  // namespace mdtc::bridge::json
