// What a valid value looks like, per kind of value. Each check is pure:
// text in, true/false out; the matching sentence says what was expected.
#pragma once

#include <optional>
#include <string_view>

namespace mdtc::config::detail {

std::optional<long long> parse_integer(std::string_view text);  // strict: [+-]digits, no spaces
std::optional<double> parse_number(std::string_view text);       // finite decimal number
std::optional<bool> parse_boolean(std::string_view text);        // true/false, yes/no, on/off, 1/0

// tcp://HOST:PORT (host name, IPv4 or [IPv6]; port 1-65535) or ipc://PATH.
bool is_endpoint(std::string_view text);
// A CURVE public key in Z85 (ZeroMQ RFC 32): exactly 40 characters of its alphabet.
bool is_z85_key(std::string_view text);
// [A-Za-z0-9_-]{1,32}: unit ids become ZeroMQ identities and topic suffixes.
bool is_unit_id(std::string_view text);
bool is_baud(std::string_view text);       // 4800 ... 115200 or auto
bool is_log_level(std::string_view text);  // Poco::Message priority names
// "bridge=debug, cache=warning": modules plugin, bridge, cache, gps; empty is fine.
bool is_module_levels(std::string_view text);
bool is_gps_port(std::string_view text);   // empty, auto, an absolute device path, tcp:// or udp://
bool is_path(std::string_view text);       // non-empty, no control characters
bool is_text(std::string_view text, std::size_t max_chars);  // no control characters
// https://HOST..., tel:DIGITS (RFC 3966: digits, +, -, ., ( ), ;params) or
// sip:USER@HOST / sips:: a link an MDT hands to its browser, dialer or softphone.
bool is_contact_uri(std::string_view text, std::size_t max_chars);

}  // namespace mdtc::config::detail
