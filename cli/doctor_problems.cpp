#include "doctor_problems.h"

#include <stdexcept>

namespace mdtc::cli {

const std::vector<ProblemInfo>& doctor_problems() {
  static const std::vector<ProblemInfo> table = {
      {Problem::config_invalid, "config.invalid", "a configuration layer does not load or validate",
       "correct every problem listed (mdt-coresponder config check FILE...); the plugin refuses to start until then"},
      {Problem::config_warning, "config.warning", "the configuration loads, but a value looks unintended",
       "read the warning: a ';' or '#' after a value is part of it; move the comment to its own line"},
      {Problem::not_checked, "doctor.not_checked", "a check was skipped because the configuration it needs failed",
       "correct the config problems first, then run doctor again"},

      {Problem::cad_key_missing, "cad.key_missing", "cad.client_key_file names no file",
       "mdt-coresponder keys generate --out FILE, register its public key with the CAD gateway"},
      {Problem::cad_key_not_file, "cad.key_not_file", "cad.client_key_file is not a regular file",
       "point cad.client_key_file at the key pair written by mdt-coresponder keys generate"},
      {Problem::cad_key_exposed, "cad.key_exposed", "others, or a group its directory is not shared with, can read the CURVE secret key",
       "chmod 600 FILE (or 0640 in group mdt-coresponder in /etc/mdt-coresponder); consider the key leaked: generate a new pair and register it"},
      {Problem::cad_key_owner, "cad.key_owner", "the CURVE key file belongs to another account",
       "chown mdt-coresponder FILE"},

      {Problem::cache_key_missing, "cache.key_missing", "the cache exists but its key file does not",
       "restore the key file from backup; without it the cache cannot be read: stop the MDT host, cache reset, "
       "then import or sync a snapshot"},
      {Problem::cache_key_mismatch, "cache.key_mismatch", "the key file does not decrypt the cache (another key, or the key was replaced)",
       "point cache.key_file at the key this cache was made with; if that key is lost or was rotated: stop the "
       "MDT host, cache reset, then import or sync a snapshot (a new key is made with it)"},
      {Problem::cache_key_not_file, "cache.key_not_file", "the cache key path is not a regular file",
       "point cache.key_file at the cache's key (default: <cache.db>.key)"},
      {Problem::cache_key_exposed, "cache.key_exposed", "others, or a group its directory is not shared with, can read the cache key",
       "chmod 600 FILE (0640 in the shared state directory)"},
      {Problem::cache_key_owner, "cache.key_owner", "the cache key belongs to another account",
       "chown mdt-coresponder FILE"},
      {Problem::cache_missing, "cache.missing", "there is no flag cache: every call shows FLAGS UNAVAILABLE",
       "mdt-coresponder cache import FILE --db PATH, or wait for the first registry sync"},
      {Problem::cache_unreadable, "cache.unreadable", "the cache file cannot be opened or read",
       "check the file's group and mode (mdt-coresponder, 0660) and the detail; if damaged, stop the MDT "
       "host, cache reset, then import or sync a snapshot"},
      {Problem::cache_integrity, "cache.integrity",
       "the cache failed SQLite's integrity or the kept-counts check",
       "stop the MDT host, cache reset (moves the files aside, keeps the key and the audit chain), then import "
       "or sync a registry snapshot; counts alone that disagree with the rows are put right by importing a "
       "snapshot"},
      {Problem::cache_audit_broken, "cache.audit_broken",
       "the audit chain beside the cache (PATH.audit) has a record altered or removed, or the file was removed, "
       "replaced or found corrupt: flags still show, but the record of what was shown cannot be trusted",
       "keep PATH.audit and any PATH.audit.corrupt-* as they are for whoever reviews the audit; to start a new "
       "chain, stop the MDT host, move PATH.audit with its -wal and -shm aside together, reset the cache (cache "
       "reset) and import or sync a snapshot"},
      {Problem::cache_never_synced, "cache.never_synced", "the cache holds no registry data yet: flags are unavailable",
       "import a registry snapshot or check the registry sync"},
      {Problem::cache_stale, "cache.stale", "the last registry sync is older than cache.max_age_h",
       "check the registry link (doctor's registry check, cache sync) or import a current export"},
      {Problem::cache_rules_old, "cache.address_rules_old",
       "the cache's premises were read under other address rules than this build's (older, or newer after a "
       "rollback): until a snapshot re-reads them, an address CAD writes the ways the rules changed may find "
       "nothing, which no panel can say (the status strip does; a warning)",
       "let the registry sync fetch a snapshot (it asks for one at its next sync: mdt-coresponder cache sync), "
       "or import a current export (mdt-coresponder cache import FILE)"},
      {Problem::cache_alias_unknown_place, "cache.alias_unknown_place",
       "a cache.place_aliases entry names a place no premise in the cache is in: every CAD address written with "
       "the alias finds nothing (a warning when no known place is spelled like it: that place may have no "
       "flagged premises yet)",
       "write the place as the registry spells it (the check suggests the closest known place), then restart the "
       "plugin"},
      {Problem::cache_import_refused, "cache.import_refused",
       "the cache refused the last registry file it was given, one newer than the data it holds (cache stats: "
       "last_reject): it stays at its version until the registry publishes a file it takes (a warning)",
       "read the reason in the check (a line, a missing trailer, a delta on another base); have the registry "
       "correct that file or publish a newer snapshot, then sync (mdt-coresponder cache sync)"},
      {Problem::clock_behind_last_sync, "clock.behind_last_sync",
       "the cache's last sync is more than 10 minutes in the future by the system clock: the clock is behind (or "
       "was ahead at that sync), so how old the flags are cannot be told",
       "set the clock (NTP); the cache's age cannot be told until then"},

      {Problem::storage_missing, "storage.missing", "a directory the plugin writes to does not exist",
       "install -d -o mdt-coresponder -g mdt-coresponder -m 2770 PATH"},
      {Problem::storage_read_only, "storage.read_only",
       "a directory the plugin writes to is read-only or not writable: nothing it writes is kept",
       "remount the file system read-write, or give PATH to mdt-coresponder:mdt-coresponder with mode 2770"},
      {Problem::storage_full, "storage.full",
       "a directory the plugin writes to is full: requests reach CAD but are not kept across a restart",
       "free space on the file system that holds PATH"},
      {Problem::storage_low, "storage.low", "less than 16 MiB free where the plugin writes (a warning)",
       "free space on the file system that holds PATH"},
      {Problem::storage_not_shared, "storage.not_shared",
       "the package's state directory is not shared with the mdt-coresponder group (mode 2770, setgid): "
       "an account other than its owner cannot open the cache",
       "chown mdt-coresponder:mdt-coresponder PATH; chmod 2770 PATH"},
      {Problem::storage_file_not_shared, "storage.file_not_shared",
       "a file in the shared state directory is not the group's to read and write (a key: to read), or others can reach it",
       "chgrp mdt-coresponder FILE; chmod 0660 FILE (0640 for a .key file)"},
      {Problem::storage_not_in_group, "storage.not_in_group",
       "an account that runs the plugin (the signed-in officer's, the panel host's) is not in the mdt-coresponder "
       "group, or its session started before it was added: its panel says FLAGS UNAVAILABLE",
       "usermod -aG mdt-coresponder ACCOUNT, then sign out and in again"},

      {Problem::gps_port_missing, "gps.port_missing", "the configured serial port does not exist",
       "plug the receiver in, or set gps.port (list ports: mdt-coresponder gps ports)"},
      {Problem::gps_not_serial, "gps.not_serial", "gps.port is not a serial device", "set gps.port to the receiver's device"},
      {Problem::gps_permission, "gps.permission", "the serial port cannot be opened by this account",
       "add the account running the plugin to the dialout group"},
      {Problem::gps_reader_failed, "gps.reader_failed", "the GPS reader could not start", "read the detail; check the port"},
      {Problem::gps_in_use, "gps.in_use", "the running plugin reads the GPS serial port, so doctor did not open it",
       "see GPS on the panel host's status strip, or stop the MDT host and run doctor again to check the receiver"},
      {Problem::gps_no_nmea, "gps.no_nmea", "no NMEA from the port within the timeout",
       "check port and baud (mdt-coresponder gps monitor --port P), cable and receiver power"},
      {Problem::gps_no_fix, "gps.no_fix", "the receiver speaks NMEA but has no position fix (a warning)",
       "give the antenna a view of the sky; indoors this is expected"},

      {Problem::clock_skew, "clock.skew", "the system clock is more than 5 s from GPS time",
       "fix time synchronisation (NTP/chrony)"},
      {Problem::clock_unset, "clock.unset", "the system clock reads a date before 2026", "set the time; check the RTC battery"},

      {Problem::cad_link_failed, "cad.link_failed", "the CAD link could not be started (often an unreadable key)",
       "read the detail; run doctor as root or mdt-coresponder"},
      {Problem::cad_unreachable, "cad.unreachable", "no message from the CAD gateway within the timeout",
       "check the gateway, VPN and firewall; with CURVE, the pinned server key and the car's registered key"},
      {Problem::cad_no_heartbeat, "cad.no_heartbeat", "the gateway answered but sent no heartbeat",
       "restart or inspect the gateway's publisher"},

      {Problem::registry_no_client_key, "registry.no_client_key", "registry CURVE is on but no client key file is set",
       "set registry.client_key_file or cad.client_key_file"},
      {Problem::registry_key_unreadable, "registry.key_unreadable", "the registry client key file cannot be read",
       "run doctor as root or mdt-coresponder; check the key file"},
      {Problem::registry_unreachable, "registry.unreachable", "no answer from the flag registry within the timeout",
       "check the registry, VPN and firewall; with CURVE, the pinned server key and the car's registered key; a "
       "registry that is up but slower than the timeout looks the same: run doctor with a longer --timeout-s"},
      {Problem::registry_bad_reply, "registry.bad_reply",
       "the flag registry answers, but nothing it sent could be used (unreadable, another protocol version, an "
       "unknown type): a registry fault, not the network",
       "give the registry's operator the check's message (it names what was dropped); its replies must follow "
       "docs/protocol.md, \"Flag registry sync\""},
      {Problem::registry_refused, "registry.refused",
       "the flag registry refused this unit's CURVE handshake: the pinned server key is not the registry's, or "
       "the registry does not know this unit's public key",
       "check registry.server_public_key against the registry's public key, and register the unit (its id and "
       "public key) with the registry"},
      {Problem::registry_no_space, "registry.no_space",
       "the file the flag registry offers does not fit on the cache's disk with 64 MiB kept free for the outbox "
       "and the incident journal: the sync does not fetch it and the cache stays at its version",
       "free the space the check names on the file system that holds PATH, then sync (mdt-coresponder cache sync)"},
      {Problem::registry_behind, "registry.behind",
       "the flag registry says it is up to date at a version older than the cache's: restored from a backup? Its "
       "files are not taken, the cache is not confirmed fresh and its age keeps counting",
       "have the registry publish past the cache's version (or reset the car's cache, cache reset, so it takes the "
       "registry's snapshot)"},
      {Problem::registry_ahead, "registry.ahead",
       "the flag registry says it is up to date at a version newer than the cache's: it should offer the files "
       "after the cache's version; it contradicts itself, and the cache is not confirmed fresh",
       "give the registry's operator the check's message: asked what follows the cache's version, the registry "
       "must offer a delta or a snapshot (docs/protocol.md, \"What the registry offers\")"},
      {Problem::registry_no_file, "registry.no_file",
       "the flag registry answers but has no file for this car (empty, no snapshot, up to date while the cache "
       "holds none, or no delta from the cache's version and no newer snapshot): the cache cannot be brought up to "
       "date",
       "have the registry publish a snapshot; the car takes it at its next sync"},
      {Problem::registry_bad_request, "registry.bad_request",
       "the flag registry could not read this car's request: it and the plugin speak different protocol versions",
       "compare the registry's protocol version with docs/protocol.md; its log names the request"},
      {Problem::registry_error, "registry.error",
       "the flag registry answered with an error code the protocol does not name (the check names it): what went "
       "wrong is the registry's to say",
       "give the registry's operator the code and message in the check; its log says more"},
      {Problem::registry_bad_encoding, "registry.bad_encoding",
       "the flag registry offers a file in an encoding this unit did not ask for: every sync fails until it "
       "offers zstd or the file as written",
       "give the registry's operator the check's message: it must pick an encoding from the unit's "
       "accept_encoding (docs/protocol.md, \"Encodings\")"},
      {Problem::registry_offers_old, "registry.offers_old",
       "asked for what follows the cache's version, the flag registry offers a file no newer than the cache: "
       "every sync refuses it unfetched and the cache is not confirmed fresh",
       "give the registry's operator the check's message (docs/protocol.md, \"What the registry offers\"); a "
       "registry restored from a backup must publish past the car's version"},
      {Problem::registry_file_refused, "registry.file_refused",
       "the flag registry offers the very file the cache last refused (cache stats: last_reject): unless the "
       "registry corrected it under the same version, the sync refuses it again (a warning)",
       "have the registry correct that file (the check says why it was refused) or publish a newer snapshot"},

      {Problem::panel_not_installed, "panel.not_installed",
       "the panel host's user unit is not installed (a warning: an MDT vendor's client may host the plugin)",
       "apt install ./mdt-coresponder_<version>_amd64.deb, or host the plugin in the vendor's client"},
      {Problem::panel_not_enabled, "panel.not_enabled", "the panel host does not start at login (a warning)",
       "systemctl --global enable mdt-coresponder-panel.service"},
      {Problem::panel_no_browser, "panel.no_browser", "no chromium to open the panel page in (a warning)",
       "apt install chromium"},
      {Problem::panel_not_running, "panel.not_running",
       "no panel host is running: nobody is signed in, or it stopped (a warning)",
       "sign in to the MDT session, or systemctl --user restart mdt-coresponder-panel; read journalctl --user -u mdt-coresponder-panel"},
  };
  return table;
}

const ProblemInfo& problem_info(Problem problem) {
  for (const auto& info : doctor_problems())
    if (info.problem == problem) return info;
  throw std::logic_error("doctor problem without a table row");
}

}  // namespace mdtc::cli
