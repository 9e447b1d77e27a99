// coresponder.auto_request: rules separated by ';', each a call type ("*" for
// any) optionally followed by '+' and flag codes separated by ','.
//   MENTAL HEALTH CRISIS; WELFARE CHECK + DEMENTIA, AUTISM; * + SUICIDE_RISK
#include <cctype>

#include "mdtc/config.h"

namespace mdtc::config {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool is_code(const std::string& code) {
  if (code.empty() || code.size() > 40) return false;
  for (char c : code) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
  }
  return true;
}

bool is_call_type(const std::string& call_type) {
  if (call_type.empty() || call_type.size() > 64) return false;
  for (char c : call_type) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F || c == ',' || c == '+' || c == ';') return false;
  }
  return true;
}

}  // namespace

std::string canonical_call_type(std::string_view s) {
  std::string out;
  for (char c : trim(s)) {
    if (c == ' ' || c == '\t') {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
  }
  return out;
}

Result<std::vector<AutoRequestRule>> parse_auto_request_rules(std::string_view text) {
  std::vector<AutoRequestRule> rules;
  while (!trim(text).empty()) {
    const auto semi = text.find(';');
    const std::string_view item = text.substr(0, semi);
    text = semi == std::string_view::npos ? std::string_view{} : text.substr(semi + 1);
    if (trim(item).empty()) continue;
    const auto plus = item.find('+');
    AutoRequestRule rule;
    rule.call_type = canonical_call_type(item.substr(0, plus));
    if (!is_call_type(rule.call_type))
      return make_error("config.bad_rule", "rule \"" + std::string(trim(item)) +
                                               "\": expected a call type (or *) before any '+'");
    if (plus != std::string_view::npos) {
      std::string_view codes = item.substr(plus + 1);
      while (true) {
        const auto comma = codes.find(',');
        std::string code = canonical_call_type(codes.substr(0, comma));
        if (!is_code(code))
          return make_error("config.bad_rule", "rule \"" + std::string(trim(item)) + "\": flag code \"" + code +
                                                   "\": expected letters, digits, '_' or '-'");
        rule.codes.push_back(std::move(code));
        if (comma == std::string_view::npos) break;
        codes = codes.substr(comma + 1);
      }
    }
    if (rule.call_type == "*" && rule.codes.empty())
      return make_error("config.bad_rule",
                        "rule \"*\": expected flag codes after '+' (a rule for every call would request a "
                        "co-responder on every dispatch)");
    rules.push_back(std::move(rule));
  }
  return rules;
}

}  // namespace mdtc::config
