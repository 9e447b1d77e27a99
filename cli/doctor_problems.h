// Every problem `doctor` can report: a stable code that fleet monitoring can
// match on without parsing English, what it means and what an admin does
// about it. docs/deployment.md has one row per code (a test keeps them equal).
#pragma once

#include <string_view>
#include <vector>

namespace mdtc::cli {

enum class Problem {
  config_invalid, config_warning, not_checked,
  cad_key_missing, cad_key_not_file, cad_key_exposed, cad_key_owner,
  cache_key_missing, cache_key_mismatch, cache_key_not_file, cache_key_exposed, cache_key_owner,
  cache_missing, cache_unreadable, cache_integrity, cache_audit_broken, cache_never_synced, cache_stale, cache_rules_old,
  cache_alias_unknown_place, cache_import_refused, clock_behind_last_sync,
  storage_missing, storage_read_only, storage_full, storage_low,
  storage_not_shared, storage_file_not_shared, storage_not_in_group,
  gps_port_missing, gps_not_serial, gps_permission, gps_reader_failed, gps_no_nmea, gps_no_fix, gps_in_use,
  clock_skew, clock_unset,
  cad_link_failed, cad_unreachable, cad_no_heartbeat,
  registry_no_client_key, registry_key_unreadable, registry_unreachable, registry_bad_reply, registry_refused,
  registry_no_space, registry_behind, registry_ahead, registry_no_file, registry_bad_request, registry_error,
  registry_bad_encoding, registry_offers_old, registry_file_refused,
  panel_not_installed, panel_not_enabled, panel_no_browser, panel_not_running,
};

struct ProblemInfo {
  Problem problem;
  std::string_view code;     // "cache.integrity": never changes once released
  std::string_view meaning;  // for the docs' table
  std::string_view fix;      // the generic remedy; a check may name the file
};

// In the order doctor checks.
const std::vector<ProblemInfo>& doctor_problems();
const ProblemInfo& problem_info(Problem problem);

}  // namespace mdtc::cli
