// Plugin and CLI configuration: built-in defaults < fleet file < per-unit
// override file < environment (MDTC_<SECTION>_<KEY>). Validated once into an
// immutable struct; an invalid value is refused with the file, line, key, the
// value and what was expected.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "mdtc/result.h"

namespace mdtc::config {

enum class Role { patrol, coresponder };

// One shift of a co-responder unit from the on-duty schedule file
// (coresponder.schedule_file; format in docs/config.md). Times are the car's
// local time; a shift whose end is not after its start runs past midnight
// into the next day.
struct DutyShift {
  std::string unit;      // unit id, as CAD knows it
  std::string name;      // display name; may be empty
  unsigned days = 0;     // bit 0 = Monday .. bit 6 = Sunday: the days a shift starts
  int start_min = 0;     // minutes after local midnight, 0..1439
  int end_min = 0;       // 1..1440; <= start_min = ends the next day
  int line = 0;          // where it was written, for messages
  friend bool operator==(const DutyShift&, const DutyShift&) = default;
};

// coresponder.auto_request: send the co-responder request without waiting
// for the officer's tap when the call type matches ("*" = any) and, if codes
// are listed, the premise carries at least one flag with one of them.
struct AutoRequestRule {
  std::string call_type;           // upper case; "*" = any
  std::vector<std::string> codes;  // upper case; empty = the call type alone decides
  friend bool operator==(const AutoRequestRule&, const AutoRequestRule&) = default;
};

struct Config {
  // [unit] -- id and role have no default: the loader refuses a configuration
  // that does not set them (a car must never take another car's dispatches).
  std::string unit_id;
  Role role = Role::patrol;
  std::string unit_name;  // shown to other units, e.g. "CR-7 (Clinician)"

  // [cad]
  std::string cad_subscribe_endpoint = "tcp://127.0.0.1:5556";
  std::string cad_dealer_endpoint = "tcp://127.0.0.1:5557";
  std::string cad_server_public_key;  // Z85, 40 chars; empty = CURVE off
  std::string cad_client_key_file;    // key pair file written by `keys generate`
  int cad_heartbeat_timeout_s = 15;
  int cad_max_message_bytes = 65536;
  int cad_incident_max_age_h = 12;  // journaled calls older than this are not restored

  // [cache]
  std::string cache_db = "/var/lib/mdt-coresponder/cache.db";
  std::string cache_key_file;         // empty = <cache_db>.key
  int cache_max_age_h = 24;           // older is shown as "flags N hours old"
  double cache_nearby_radius_m = 50;  // "nearby" match radius
  double cache_max_text_geo_gap_m = 300;  // a text match farther from CAD's point is not exact; 0 = off
  int cache_revalidate_days = 365;    // flags not re-validated within this are hidden
  int cache_history_lookback_days = 730;
  int cache_max_snapshot_shrink_pct = 50;  // a snapshot removing more of the flags is refused
  bool cache_wipe_on_session_end = false;
  // Other names CAD uses for the cache's places: "SPFLD = SPRINGFIELD, ..."
  std::string cache_place_aliases;  // as written; parsed below
  std::vector<std::pair<std::string, std::string>> cache_place_alias_pairs;  // (alias, place)

  // [gps]
  std::string gps_port;               // empty = no GPS, "auto" = probe
  std::string gps_baud = "auto";
  int gps_stale_after_s = 10;

  // [registry]
  std::string registry_endpoint;           // flag registry sync service; empty = no background sync
  std::string registry_server_public_key;  // Z85; empty = CURVE off
  std::string registry_client_key_file;    // empty = cad.client_key_file
  int registry_sync_interval_s = 300;

  // [coresponder]
  int coresponder_accept_timeout_s = 120;
  std::string coresponder_fallback = "Mobile crisis line 555-0199";
  std::string outbox_db;              // empty = <cache_db dir>/outbox.db
  std::string coresponder_schedule_file;  // empty = every unit CAD reports on duty
  std::vector<DutyShift> coresponder_schedule;  // read from the file at load
  std::string coresponder_auto_request;         // as written; parsed below
  std::vector<AutoRequestRule> coresponder_auto_request_rules;
  double coresponder_eta_speed_kmh = 40;  // straight-line ETA = distance / this
  // A clinician unit's live state with no word for this long is shown as stale.
  int coresponder_state_stale_s = 900;
  // Where the officer goes when nobody can come: URIs the MDT can open
  // (https: video, tel: phone, sip: a softphone). Empty = not offered.
  std::string coresponder_telehealth_uri;
  std::string coresponder_crisis_line_uri = "tel:988";

  // [panel] the screen while the car moves (docs/panel-format.md, "motion")
  // and the panel host (mdt-coresponder-panel)
  double panel_lock_speed_kmh = 24;  // agencies lock MDT keyboards above about 15 mph
  int panel_unlock_after_s = 10;     // stopped this long before the full panel returns
  int panel_port = 0;                // the host's page on 127.0.0.1; 0 = any free port
  bool panel_speech = true;          // speak caution lines (never in concealed mode)
  std::string panel_voice = "en-us"; // an espeak-ng voice
  int panel_volume = 100;            // espeak-ng's scale, 0-200

  // [log]
  std::string log_level = "information";
  std::string log_file;               // empty = host log callback only
  std::string log_modules;            // per-module levels: "bridge=debug, cache=warning"
  bool log_syslog = false;            // also to the system log (journald reads it)

  friend bool operator==(const Config&, const Config&) = default;
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

// The schedule file's text; `origin` names it in errors ("FILE:LINE: ...").
// The error lists every bad line, one per line of its message.
Result<std::vector<DutyShift>> parse_duty_schedule(std::string_view text, const std::string& origin);
// Units on duty at local `weekday` (0 = Monday) and `minute` after midnight,
// in schedule order, each once.
std::vector<const DutyShift*> on_duty(const std::vector<DutyShift>& schedule, int weekday, int minute);
// "MENTAL HEALTH CRISIS; WELFARE CHECK + DEMENTIA, AUTISM; * + SUICIDE_RISK"
Result<std::vector<AutoRequestRule>> parse_auto_request_rules(std::string_view text);
// cache.place_aliases: "SPFLD = SPRINGFIELD, E STL = EAST SAINT LOUIS"
// (',' or ';' between entries) as (alias, place) pairs, as written.
Result<std::vector<std::pair<std::string, std::string>>> parse_place_aliases(std::string_view text);
// Call types and flag codes as rules compare them: upper case, single spaces,
// trimmed (CAD systems differ in both).
std::string canonical_call_type(std::string_view text);

// ---------------------------------------------------------------------------
// Additions for tooling (`config check`, doctor, the docs-sync test).

// One thing wrong with the configuration. `message` is the full sentence,
// e.g. "config unit.ini:12: gps.baud = 9601: expected one of 4800, ...".
struct Problem {
  std::string code;    // config.missing_file, config.syntax, config.unknown_section,
                       // config.unknown_key, config.bad_value, config.duplicate_key,
                       // config.conflict, config.too_large, config.bad_schedule,
                       // config.missing_key, config.secret_exposed;
                       // warnings: config.inline_comment, config.identity_in_shared_file
  std::string origin;  // file path, "environment", or load_text's origin
  int line = 0;        // 1-based; 0 when there is no line (missing file, environment)
  std::string key;     // "gps.baud"; empty for file- or section-level problems
  std::string message;
};

// Every problem found, not only the first, in file order and within a file
// in line order; `config` holds what could be applied (defaults where a
// value was refused) and must not be used when `problems` is not empty.
// `warnings` do not stop the plugin but are shown by `config check`, doctor
// and the plugin's log.
struct Report {
  Config config;
  std::vector<Problem> problems;
  std::vector<Problem> warnings;
  bool ok() const { return problems.empty(); }
};

// The schedule's shifts; every bad line is added to `problems`
// (config.bad_schedule, origin and line set).
std::vector<DutyShift> read_duty_schedule(std::string_view text, const std::string& origin,
                                          std::vector<Problem>& problems);

// Why a file holding a secret (a CURVE key pair, the cache key) must not be
// used: "mode 0644: group or others can read it", or empty when it is
// private or absent. Group read is allowed only in a directory shared with
// that group (mdtc/shared_state.h). The same rule for `config check`,
// doctor and the plugin.
std::string secret_file_exposure(const std::string& path);

Report check(const std::vector<std::string>& files,
             const std::map<std::string, std::string>& env = {});
Report check_text(const std::string& ini_text, const std::string& origin = "<text>");
// What load() returns for a report with problems: every message, one a line.
Error to_error(const Report& report);

// A key the loader knows, with its default as it would be written in a file.
struct KeyInfo {
  std::string section;        // "gps"
  std::string key;            // "baud"
  std::string type;           // "integer", "number", "boolean", "text", "path", "endpoint", ...
  std::string default_value;  // "auto"; empty string for an empty default or none
  std::string expected;       // what a valid value looks like, as errors say it
  bool required = false;      // no default: every configuration must set it
  std::string env_name() const;  // "MDTC_GPS_BAUD"
};
const std::vector<KeyInfo>& known_keys();

// The effective configuration as INI text that load_text() reads back equal.
std::string to_ini(const Config& config);
// `config defaults`: every key with its default; keys that have none are
// written as comments to fill in.
std::string defaults_ini();

}  // namespace mdtc::config
