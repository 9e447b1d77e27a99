#include "value_rules.h"

#include <array>
#include <charconv>
#include <cctype>
#include <cmath>
#include <string>

namespace mdtc::config::detail {
namespace {

bool no_control(std::string_view text) {
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7f) return false;
  }
  return true;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool is_host_name(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  for (char c : host) {
    bool ok = is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '.';
    if (!ok) return false;
  }
  return host.front() != '-' && host.front() != '.';
}

bool is_ipv6_literal(std::string_view host) {
  if (host.size() < 4 || host.front() != '[' || host.back() != ']') return false;
  host = host.substr(1, host.size() - 2);
  bool colon = false;
  for (char c : host) {
    bool ok = is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.';
    if (!ok) return false;
    colon = colon || c == ':';
  }
  return colon;
}

}  // namespace

std::optional<long long> parse_integer(std::string_view text) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty()) return std::nullopt;
  long long value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<double> parse_number(std::string_view text) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty()) return std::nullopt;
  // from_chars would accept "inf" and "nan"; a distance never is either.
  for (char c : text) {
    if (!(is_digit(c) || c == '.' || c == '-' || c == 'e' || c == 'E' || c == '+')) return std::nullopt;
  }
  double value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::optional<bool> parse_boolean(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c);
  if (lower == "true" || lower == "yes" || lower == "on" || lower == "1") return true;
  if (lower == "false" || lower == "no" || lower == "off" || lower == "0") return false;
  return std::nullopt;
}

bool is_endpoint(std::string_view text) {
  if (text.substr(0, 6) == "ipc://") {
    std::string_view path = text.substr(6);
    return !path.empty() && no_control(path) && path.find(' ') == std::string_view::npos;
  }
  if (text.substr(0, 6) != "tcp://") return false;
  std::string_view rest = text.substr(6);
  std::size_t colon = rest.rfind(':');
  if (colon == std::string_view::npos) return false;
  std::string_view host = rest.substr(0, colon);
  std::string_view port = rest.substr(colon + 1);
  if (port.empty() || port.size() > 5) return false;
  for (char c : port) {
    if (!is_digit(c)) return false;
  }
  auto number = parse_integer(port);
  if (!number || *number < 1 || *number > 65535) return false;
  return is_host_name(host) || is_ipv6_literal(host);
}

bool is_z85_key(std::string_view text) {
  static constexpr std::string_view alphabet =
      "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
  if (text.size() != 40) return false;
  for (char c : text) {
    if (alphabet.find(c) == std::string_view::npos) return false;
  }
  return true;
}

bool is_unit_id(std::string_view text) {
  if (text.empty() || text.size() > 32) return false;
  for (char c : text) {
    bool ok = is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

bool is_baud(std::string_view text) {
  static constexpr std::array<std::string_view, 7> allowed = {"4800",  "9600",   "19200", "38400",
                                                              "57600", "115200", "auto"};
  for (auto a : allowed) {
    if (text == a) return true;
  }
  return false;
}

bool is_log_level(std::string_view text) {
  static constexpr std::array<std::string_view, 9> allowed = {
      "none", "fatal", "critical", "error", "warning", "notice", "information", "debug", "trace"};
  for (auto a : allowed) {
    if (text == a) return true;
  }
  return false;
}

bool is_module_levels(std::string_view text) {
  auto trim = [](std::string_view v) {
    while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
    while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
    return v;
  };
  while (!trim(text).empty()) {
    const auto comma = text.find(',');
    const std::string_view item = trim(text.substr(0, comma));
    const auto eq = item.find('=');
    if (eq == std::string_view::npos) return false;
    const std::string_view module = trim(item.substr(0, eq));
    if (module != "plugin" && module != "bridge" && module != "cache" && module != "gps") return false;
    if (!is_log_level(trim(item.substr(eq + 1)))) return false;
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return true;
}

bool is_gps_port(std::string_view text) {
  if (text.empty() || text == "auto") return true;
  // The car's router: tcp://HOST:PORT as for the CAD endpoints; for udp://
  // the local address may be left out (listen on all of them).
  if (text.substr(0, 6) == "tcp://") return is_endpoint(text);
  if (text.substr(0, 6) == "udp://") {
    const std::string_view rest = text.substr(6);
    return is_endpoint(std::string("tcp://") + (rest.substr(0, 1) == ":" ? "0.0.0.0" : "") + std::string(rest));
  }
  return text.front() == '/' && text.size() > 1 && no_control(text);
}

bool is_path(std::string_view text) { return !text.empty() && text.size() <= 4096 && no_control(text); }

bool is_text(std::string_view text, std::size_t max_chars) {
  return text.size() <= max_chars && no_control(text);
}

bool is_contact_uri(std::string_view text, std::size_t max_chars) {
  if (text.size() > max_chars || !no_control(text)) return false;
  for (char c : text)
    if (c == ' ' || c == '"' || c == '<' || c == '>') return false;
  const auto rest_after = [&](std::string_view prefix) -> std::optional<std::string_view> {
    if (text.size() <= prefix.size()) return std::nullopt;
    for (std::size_t i = 0; i < prefix.size(); ++i)
      if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) return std::nullopt;
    return text.substr(prefix.size());
  };
  if (auto host = rest_after("https://")) return !host->empty() && host->front() != '/';
  if (auto number = rest_after("tel:")) {
    // The number part up to any ";ext=" parameter: at least one digit.
    const std::string_view digits = number->substr(0, number->find(';'));
    bool any_digit = false;
    for (char c : digits) {
      if (std::isdigit(static_cast<unsigned char>(c))) any_digit = true;
      else if (c != '+' && c != '-' && c != '.' && c != '(' && c != ')') return false;
    }
    return any_digit;
  }
  for (std::string_view scheme : {std::string_view("sip:"), std::string_view("sips:")})
    if (auto who = rest_after(scheme)) {
      const auto at = who->find('@');
      return at != std::string_view::npos && at > 0 && at + 1 < who->size();
    }
  return false;
}

}  // namespace mdtc::config::detail
