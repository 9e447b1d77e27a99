#include "key_table.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "value_rules.h"

namespace mdtc::config::detail {
namespace {

KeySpec integer(std::string_view s, std::string_view k, int Config::*f, int min, int max) {
  KeySpec spec{s, k, Kind::integer};
  spec.min = min;
  spec.max = max;
  spec.int_field = f;
  return spec;
}
KeySpec number(std::string_view s, std::string_view k, double Config::*f, double min, double max) {
  KeySpec spec{s, k, Kind::number};
  spec.min = min;
  spec.max = max;
  spec.number_field = f;
  return spec;
}
KeySpec boolean(std::string_view s, std::string_view k, bool Config::*f) {
  KeySpec spec{s, k, Kind::boolean};
  spec.bool_field = f;
  return spec;
}
KeySpec text(std::string_view s, std::string_view k, Kind kind, std::string Config::*f, double max = 0) {
  KeySpec spec{s, k, kind};
  spec.text_field = f;
  spec.max = max;
  return spec;
}
KeySpec required(KeySpec spec) {
  spec.required = true;
  return spec;
}

std::string format_number(double v) {
  if (v == std::floor(v) && std::fabs(v) < 1e15) return std::to_string(static_cast<long long>(v));
  char buf[64];
  // Shortest text that reads back equal, so `config check --print` round-trips.
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

}  // namespace

const std::vector<KeySpec>& key_table() {
  static const std::vector<KeySpec> table = {
      required(text("unit", "id", Kind::unit_id, &Config::unit_id)),
      required(KeySpec{"unit", "role", Kind::role}),
      text("unit", "name", Kind::text, &Config::unit_name, 64),

      text("cad", "subscribe_endpoint", Kind::endpoint, &Config::cad_subscribe_endpoint),
      text("cad", "dealer_endpoint", Kind::endpoint, &Config::cad_dealer_endpoint),
      text("cad", "server_public_key", Kind::z85_key, &Config::cad_server_public_key),
      text("cad", "client_key_file", Kind::optional_path, &Config::cad_client_key_file),
      integer("cad", "heartbeat_timeout_s", &Config::cad_heartbeat_timeout_s, 1, 3600),
      integer("cad", "max_message_bytes", &Config::cad_max_message_bytes, 1024, 16 * 1024 * 1024),
      integer("cad", "incident_max_age_h", &Config::cad_incident_max_age_h, 1, 168),

      text("cache", "db", Kind::path, &Config::cache_db),
      text("cache", "key_file", Kind::optional_path, &Config::cache_key_file),
      integer("cache", "max_age_h", &Config::cache_max_age_h, 1, 8760),
      number("cache", "nearby_radius_m", &Config::cache_nearby_radius_m, 1, 5000),
      number("cache", "max_text_geo_gap_m", &Config::cache_max_text_geo_gap_m, 0, 100000),
      integer("cache", "revalidate_days", &Config::cache_revalidate_days, 1, 3650),
      integer("cache", "history_lookback_days", &Config::cache_history_lookback_days, 0, 3650),
      integer("cache", "max_snapshot_shrink_pct", &Config::cache_max_snapshot_shrink_pct, 0, 100),
      boolean("cache", "wipe_on_session_end", &Config::cache_wipe_on_session_end),
      text("cache", "place_aliases", Kind::place_aliases, &Config::cache_place_aliases),

      text("registry", "endpoint", Kind::optional_endpoint, &Config::registry_endpoint),
      text("registry", "server_public_key", Kind::z85_key, &Config::registry_server_public_key),
      text("registry", "client_key_file", Kind::optional_path, &Config::registry_client_key_file),
      integer("registry", "sync_interval_s", &Config::registry_sync_interval_s, 10, 86400),

      text("gps", "port", Kind::gps_port, &Config::gps_port),
      text("gps", "baud", Kind::baud, &Config::gps_baud),
      integer("gps", "stale_after_s", &Config::gps_stale_after_s, 1, 3600),

      integer("coresponder", "accept_timeout_s", &Config::coresponder_accept_timeout_s, 1, 3600),
      // The one next step every panel can offer: never configured away.
      text("coresponder", "fallback", Kind::required_text, &Config::coresponder_fallback, 200),
      text("coresponder", "outbox_db", Kind::optional_path, &Config::outbox_db),
      text("coresponder", "schedule_file", Kind::optional_path, &Config::coresponder_schedule_file),
      text("coresponder", "auto_request", Kind::auto_request_rules, &Config::coresponder_auto_request),
      number("coresponder", "eta_speed_kmh", &Config::coresponder_eta_speed_kmh, 5, 200),
      integer("coresponder", "state_stale_s", &Config::coresponder_state_stale_s, 30, 86400),
      text("coresponder", "telehealth_uri", Kind::contact_uri, &Config::coresponder_telehealth_uri, 200),
      text("coresponder", "crisis_line_uri", Kind::contact_uri, &Config::coresponder_crisis_line_uri, 200),

      number("panel", "lock_speed_kmh", &Config::panel_lock_speed_kmh, 1, 200),
      integer("panel", "unlock_after_s", &Config::panel_unlock_after_s, 0, 600),
      integer("panel", "port", &Config::panel_port, 0, 65535),
      boolean("panel", "speech", &Config::panel_speech),
      text("panel", "voice", Kind::text, &Config::panel_voice, 64),
      integer("panel", "volume", &Config::panel_volume, 0, 200),

      text("log", "level", Kind::log_level, &Config::log_level),
      text("log", "file", Kind::optional_path, &Config::log_file),
      text("log", "modules", Kind::module_levels, &Config::log_modules),
      boolean("log", "syslog", &Config::log_syslog),
  };
  return table;
}

const KeySpec* find_key(std::string_view section, std::string_view key) {
  for (const auto& spec : key_table()) {
    if (spec.section == section && spec.key == key) return &spec;
  }
  return nullptr;
}

std::vector<std::string_view> known_sections() {
  static const std::vector<std::string_view> sections = [] {
    std::vector<std::string_view> out;
    for (const auto& spec : key_table()) {
      if (out.empty() || out.back() != spec.section) out.push_back(spec.section);
    }
    return out;
  }();
  return sections;
}

bool is_known_section(std::string_view section) {
  for (auto s : known_sections()) {
    if (s == section) return true;
  }
  return false;
}

bool apply(const KeySpec& spec, std::string_view value, Config& config) {
  switch (spec.kind) {
    case Kind::integer: {
      auto v = parse_integer(value);
      if (!v || static_cast<double>(*v) < spec.min || static_cast<double>(*v) > spec.max) return false;
      config.*spec.int_field = static_cast<int>(*v);
      return true;
    }
    case Kind::number: {
      auto v = parse_number(value);
      if (!v || *v < spec.min || *v > spec.max) return false;
      config.*spec.number_field = *v;
      return true;
    }
    case Kind::boolean: {
      auto v = parse_boolean(value);
      if (!v) return false;
      config.*spec.bool_field = *v;
      return true;
    }
    case Kind::role:
      if (value == "patrol") {
        config.role = Role::patrol;
      } else if (value == "coresponder") {
        config.role = Role::coresponder;
      } else {
        return false;
      }
      return true;
    case Kind::unit_id:
      if (!is_unit_id(value)) return false;
      break;
    case Kind::endpoint:
      if (!is_endpoint(value)) return false;
      break;
    case Kind::z85_key:
      if (!value.empty() && !is_z85_key(value)) return false;
      break;
    case Kind::baud:
      if (!is_baud(value)) return false;
      break;
    case Kind::log_level:
      if (!is_log_level(value)) return false;
      break;
    case Kind::gps_port:
      if (!is_gps_port(value)) return false;
      break;
    case Kind::path:
      if (!is_path(value)) return false;
      break;
    case Kind::optional_path:
      if (!value.empty() && !is_path(value)) return false;
      break;
    case Kind::text:
      if (!is_text(value, static_cast<std::size_t>(spec.max))) return false;
      break;
    case Kind::required_text:
      if (value.empty() || !is_text(value, static_cast<std::size_t>(spec.max))) return false;
      break;
    case Kind::module_levels:
      if (!is_module_levels(value)) return false;
      break;
    case Kind::optional_endpoint:
      if (!value.empty() && !is_endpoint(value)) return false;
      break;
    case Kind::contact_uri:
      if (!value.empty() && !is_contact_uri(value, static_cast<std::size_t>(spec.max))) return false;
      break;
    case Kind::auto_request_rules: {
      auto rules = parse_auto_request_rules(value);
      if (!rules) return false;
      config.coresponder_auto_request_rules = std::move(*rules);
      break;
    }
    case Kind::place_aliases: {
      auto aliases = parse_place_aliases(value);
      if (!aliases) return false;
      config.cache_place_alias_pairs = std::move(*aliases);
      break;
    }
  }
  config.*spec.text_field = std::string(value);
  return true;
}

std::string show(const KeySpec& spec, const Config& config) {
  switch (spec.kind) {
    case Kind::integer:
      return std::to_string(config.*spec.int_field);
    case Kind::number:
      return format_number(config.*spec.number_field);
    case Kind::boolean:
      return config.*spec.bool_field ? "true" : "false";
    case Kind::role:
      return to_string(config.role);
    default:
      return config.*spec.text_field;
  }
}

std::string expected(const KeySpec& spec) {
  switch (spec.kind) {
    case Kind::integer:
      return "expected a whole number from " + format_number(spec.min) + " to " + format_number(spec.max);
    case Kind::number:
      return "expected a number from " + format_number(spec.min) + " to " + format_number(spec.max);
    case Kind::boolean:
      return "expected true or false";
    case Kind::role:
      return "expected patrol or coresponder";
    case Kind::unit_id:
      return "expected 1 to 32 letters, digits, '-' or '_'";
    case Kind::endpoint:
      return "expected tcp://HOST:PORT (port 1 to 65535) or ipc://PATH";
    case Kind::z85_key:
      return "expected a 40-character Z85 key (as `mdt-coresponder keys generate` prints) or empty";
    case Kind::baud:
      return "expected one of 4800, 9600, 19200, 38400, 57600, 115200 or auto";
    case Kind::log_level:
      return "expected one of none, fatal, critical, error, warning, notice, information, debug or trace";
    case Kind::gps_port:
      return "expected empty (no GPS), auto, a device path such as /dev/ttyUSB0, tcp://HOST:PORT or "
             "udp://[ADDR]:PORT";
    case Kind::path:
      return "expected a file path";
    case Kind::optional_path:
      return "expected a file path or empty";
    case Kind::text:
      return "expected text of at most " + format_number(spec.max) + " bytes without control characters";
    case Kind::required_text:
      return "expected text of 1 to " + format_number(spec.max) +
             " bytes without control characters: it may not be empty";
    case Kind::optional_endpoint:
      return "expected tcp://HOST:PORT (port 1 to 65535), ipc://PATH or empty";
    case Kind::auto_request_rules:
      return "expected rules separated by ';', each a call type, or a call type or * followed by '+' and "
             "flag codes separated by ',' (e.g. MENTAL HEALTH CRISIS; * + SUICIDE_RISK); a bare * is refused: "
             "it would request a co-responder on every call";
    case Kind::contact_uri:
      return "expected empty or a URI the MDT can open of at most " + format_number(spec.max) +
             " bytes: https://..., tel:+15550199 or sip:user@host";
    case Kind::place_aliases:
      return "expected ALIAS = PLACE entries separated by ',' or ';', each side a name of at most 64 "
             "characters (e.g. SPFLD = SPRINGFIELD, E STL = EAST SAINT LOUIS)";
    case Kind::module_levels:
      return "expected MODULE=LEVEL pairs separated by commas, modules among plugin, bridge, cache, gps, "
             "and levels as for log.level";
  }
  return "expected a valid value";
}

std::string type_name(const KeySpec& spec) {
  switch (spec.kind) {
    case Kind::integer: return "integer";
    case Kind::number: return "number";
    case Kind::boolean: return "boolean";
    case Kind::role: return "role";
    case Kind::unit_id: return "unit id";
    case Kind::endpoint: return "endpoint";
    case Kind::z85_key: return "Z85 key";
    case Kind::baud: return "baud";
    case Kind::log_level: return "log level";
    case Kind::gps_port: return "GPS source";
    case Kind::path: return "path";
    case Kind::optional_path: return "path";
    case Kind::text: return "text";
    case Kind::required_text: return "text";
    case Kind::module_levels: return "module levels";
    case Kind::optional_endpoint: return "endpoint";
    case Kind::auto_request_rules: return "rules";
    case Kind::place_aliases: return "place aliases";
    case Kind::contact_uri: return "URI";
  }
  return "text";
}

}  // namespace mdtc::config::detail
