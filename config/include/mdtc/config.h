// Plugin and CLI configuration: built-in defaults < fleet file < per-unit
// override file < environment (MDTC_<SECTION>_<KEY>). Validated once into an
// immutable struct; an invalid value is refused with the file, line, key, the
// value and what was expected.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "mdtc/result.h"

namespace mdtc::config {

enum class Role { patrol, coresponder };

struct Config {
  // [unit]
  std::string unit_id = "2A31";
  Role role = Role::patrol;
  std::string unit_name;  // shown to other units, e.g. "CR-7 (Clinician)"

  // [cad]
  std::string cad_subscribe_endpoint = "tcp://127.0.0.1:5556";
  std::string cad_dealer_endpoint = "tcp://127.0.0.1:5557";
  std::string cad_server_public_key;  // Z85, 40 chars; empty = CURVE off
  std::string cad_client_key_file;    // key pair file written by `keys generate`
  int cad_heartbeat_timeout_s = 15;
  int cad_max_message_bytes = 65536;

  // [cache]
  std::string cache_db = "/var/lib/mdt-coresponder/cache.db";
  std::string cache_key_file;         // empty = <cache_db>.key
  int cache_max_age_h = 24;           // older is shown as "flags N hours old"
  double cache_nearby_radius_m = 50;  // "nearby" match radius
  int cache_revalidate_days = 365;    // flags not re-validated within this are hidden
  int cache_history_lookback_days = 730;
  bool cache_wipe_on_session_end = false;

  // [gps]
  std::string gps_port;               // empty = no GPS, "auto" = probe
  std::string gps_baud = "auto";
  int gps_stale_after_s = 10;

  // [coresponder]
  int coresponder_accept_timeout_s = 120;
  std::string coresponder_fallback = "Mobile crisis line 555-0199";
  std::string outbox_db;              // empty = <cache_db dir>/outbox.db

  // [log]
  std::string log_level = "information";
  std::string log_file;               // empty = host log callback only
};

// Loads and validates. `files` are applied in order (fleet file first, then
// overrides); `env` holds environment overrides (normally the process
// environment, passed in so tests need not mutate it).
Result<Config> load(const std::vector<std::string>& files,
                    const std::map<std::string, std::string>& env = {});

// The same rules over in-memory INI text; `origin` names it in errors.
Result<Config> load_text(const std::string& ini_text, const std::string& origin = "<text>");

// The process environment's MDTC_* variables.
std::map<std::string, std::string> environment_overrides();

const char* to_string(Role role);

}  // namespace mdtc::config
