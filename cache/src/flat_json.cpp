#include "flat_json.h"

#include <charconv>

namespace mdtc::cache {
namespace {

constexpr int kMaxDepth = 1;          // the line's object and one nested object (civic)
constexpr std::size_t kMaxIntDigits = 15;  // exact as a double too
constexpr std::size_t kMaxRealDigits = 17;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

const FlatValue* FlatObject::find(std::string_view key) const {
  for (const auto& [k, v] : members)
    if (k == key) return &v;
  return nullptr;
}

void FlatJson::space() {
  while (pos_ < in_.size() && (in_[pos_] == ' ' || in_[pos_] == '\t')) ++pos_;
}

bool FlatJson::parse(std::string_view line) {
  in_ = line;
  pos_ = 0;
  root_.members.clear();
  decoded_.clear();
  nested_.clear();
  if (!object(root_, 0)) return false;
  space();
  return pos_ == in_.size();
}

bool FlatJson::object(FlatObject& out, int depth) {
  if (depth > kMaxDepth || pos_ >= in_.size() || in_[pos_] != '{') return false;
  ++pos_;
  space();
  if (pos_ < in_.size() && in_[pos_] == '}') {
    ++pos_;
    return true;
  }
  for (;;) {
    std::string_view key;
    if (!string(key)) return false;
    // A repeated key is left to the general parser (which keeps the last).
    if (out.find(key)) return false;
    space();
    if (pos_ >= in_.size() || in_[pos_] != ':') return false;
    ++pos_;
    space();
    FlatValue v;
    if (!value(v, depth)) return false;
    out.members.emplace_back(key, std::move(v));
    space();
    if (pos_ >= in_.size()) return false;
    if (in_[pos_] == ',') {
      ++pos_;
      space();
      continue;
    }
    if (in_[pos_] == '}') {
      ++pos_;
      return true;
    }
    return false;
  }
}

bool FlatJson::value(FlatValue& out, int depth) {
  if (pos_ >= in_.size()) return false;
  const char c = in_[pos_];
  if (c == '"') {
    out.kind = FlatValue::Kind::string;
    return string(out.text);
  }
  if (c == '{') {
    out.kind = FlatValue::Kind::object;
    FlatObject& nested = nested_.emplace_back();
    out.object = &nested;
    return object(nested, depth + 1);
  }
  if (c == '-' || is_digit(c)) return number(out);
  for (const auto& [word, kind] : {std::pair<std::string_view, FlatValue::Kind>{"null", FlatValue::Kind::null},
                                   {"true", FlatValue::Kind::boolean},
                                   {"false", FlatValue::Kind::boolean}}) {
    if (in_.substr(pos_, word.size()) == word) {
      pos_ += word.size();
      out.kind = kind;
      return true;
    }
  }
  return false;  // arrays and anything else: the general parser's call
}

bool FlatJson::string(std::string_view& out) {
  if (pos_ >= in_.size() || in_[pos_] != '"') return false;
  const std::size_t start = ++pos_;
  std::string* decoded = nullptr;
  std::size_t copied = start;  // input consumed into `decoded` so far
  while (pos_ < in_.size()) {
    const auto c = static_cast<unsigned char>(in_[pos_]);
    if (c == '"') {
      if (decoded) {
        decoded->append(in_.substr(copied, pos_ - copied));
        out = *decoded;
      } else {
        out = in_.substr(start, pos_ - start);
      }
      ++pos_;
      return true;
    }
    // Control bytes, DEL and anything beyond ASCII (UTF-8 validation) are
    // the general parser's business.
    if (c < 0x20 || c >= 0x7f) return false;
    if (c == '\\') {
      if (pos_ + 1 >= in_.size()) return false;
      char plain = 0;
      switch (in_[pos_ + 1]) {
        case '"': plain = '"'; break;
        case '\\': plain = '\\'; break;
        case '/': plain = '/'; break;
        case 'b': plain = '\b'; break;
        case 'f': plain = '\f'; break;
        case 'n': plain = '\n'; break;
        case 'r': plain = '\r'; break;
        case 't': plain = '\t'; break;
        default: return false;  // \u escapes (surrogates) and invalid escapes
      }
      if (!decoded) decoded = &decoded_.emplace_back();
      decoded->append(in_.substr(copied, pos_ - copied));
      decoded->push_back(plain);
      pos_ += 2;
      copied = pos_;
      continue;
    }
    ++pos_;
  }
  return false;
}

// Strict JSON numbers only, and only where the value is certain: integers of
// up to 15 digits, and decimals without an exponent of up to 17 digits
// (correctly rounded by from_chars, as the general parser's conversion is).
bool FlatJson::number(FlatValue& out) {
  const std::size_t start = pos_;
  if (in_[pos_] == '-') ++pos_;
  if (pos_ >= in_.size() || !is_digit(in_[pos_])) return false;
  std::size_t digits = 0;
  if (in_[pos_] == '0') {
    ++pos_;
    ++digits;
  } else {
    while (pos_ < in_.size() && is_digit(in_[pos_])) {
      ++pos_;
      ++digits;
    }
  }
  bool fraction = false;
  if (pos_ < in_.size() && in_[pos_] == '.') {
    ++pos_;
    const std::size_t frac_start = pos_;
    while (pos_ < in_.size() && is_digit(in_[pos_])) ++pos_;
    if (pos_ == frac_start) return false;
    digits += pos_ - frac_start;
    fraction = true;
  }
  if (pos_ < in_.size() && (in_[pos_] == 'e' || in_[pos_] == 'E' || is_digit(in_[pos_]))) return false;
  const char* first = in_.data() + start;
  const char* last = in_.data() + pos_;
  if (!fraction) {
    if (digits > kMaxIntDigits) return false;
    int64_t v = 0;
    const auto [end, ec] = std::from_chars(first, last, v);
    if (ec != std::errc() || end != last) return false;
    out.kind = FlatValue::Kind::integer;
    out.integer = v;
    return true;
  }
  if (digits > kMaxRealDigits) return false;
  double d = 0;
  const auto [end, ec] = std::from_chars(first, last, d);
  if (ec != std::errc() || end != last) return false;
  out.kind = FlatValue::Kind::real;
  out.real = d;
  return true;
}

}  // namespace mdtc::cache
