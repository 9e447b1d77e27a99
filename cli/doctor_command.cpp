// `mdt-coresponder doctor [--config FILE]... [--json] [--timeout-s N]`: the
// 2 a.m. check. Looks at what the plugin needs, in the order a person would
// (config, keys, cache, GPS, clock, CAD link, flag registry), says in plain
// words what is wrong and how to fix it, and exits 1 when anything is. It
// only reads: the cache is opened without creating anything, the CAD link
// keeps no outbox, the registry is asked but nothing is fetched.
#include <grp.h>
#include <pwd.h>
#include <utmpx.h>
#include <sys/stat.h>
#include <unistd.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>
#include <boost/program_options.hpp>
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>
#include <mutex>
#include <optional>
#include <sstream>

#include "cache_options.h"
#include "cache_remedy.h"
#include "car_config.h"
#include "commands.h"
#include "doctor_problems.h"
#include "mdtc/bridge.h"
#include "mdtc/cache.h"
#include "mdtc/config.h"
#include "mdtc/gps.h"
#include "mdtc/registry_sync.h"
#include "mdtc/shared_state.h"
#include "mdtc/time_text.h"
#include "storage_watch.h"

namespace mdtc::cli {
namespace {

namespace po = boost::program_options;
using Clock = std::chrono::steady_clock;

enum class Verdict { ok, warn, fail, not_checked };

// One line of the report. `message` is one line of plain words; `detail`
// holds what does not fit on one (SQLite's text, the config's problem list).
struct Check {
  std::string name;
  Verdict status = Verdict::fail;
  std::string message;
  std::optional<Problem> problem;  // set unless ok
  std::string fix;                 // names the file; empty = the table's remedy
  std::string detail;
  bool ok() const { return status == Verdict::ok || status == Verdict::warn; }
};

Check pass(std::string name, std::string message) { return {std::move(name), Verdict::ok, std::move(message), {}, {}, {}}; }
Check fail(std::string name, Problem problem, std::string message, std::string fix = {}, std::string detail = {}) {
  return {std::move(name), Verdict::fail, std::move(message), problem, std::move(fix), std::move(detail)};
}
Check warn(std::string name, Problem problem, std::string message, std::string detail = {}) {
  return {std::move(name), Verdict::warn, std::move(message), problem, {}, std::move(detail)};
}

std::string fix_of(const Check& c) {
  if (!c.problem) return {};
  return c.fix.empty() ? std::string(problem_info(*c.problem).fix) : c.fix;
}

// More than this between the system clock and GPS time breaks dispatch
// times, flag expiry dates and the audit trail's order.
constexpr int64_t kMaxClockSkewMs = 5000;

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

std::string join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : sep) + i;
  return out;
}

std::string plural(int64_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string age_words(int64_t seconds) {
  if (seconds < 0) seconds = 0;  // a sync a moment "ahead" of this clock is a sync just now
  if (seconds < 120) return plural(seconds, "second", "seconds");
  if (seconds < 2 * 3600) return plural(seconds / 60, "minute", "minutes");
  return plural(seconds / 3600, "hour", "hours");
}

// ---------------------------------------------------------------- config

Check check_config(const std::vector<std::string>& files, const config::Report& report) {
  std::vector<std::string> warnings;
  for (const auto& w : report.warnings) warnings.push_back(w.message);
  if (!report.ok()) {
    std::vector<std::string> lines;
    for (const auto& p : report.problems) lines.push_back(p.message);
    for (const auto& w : warnings) lines.push_back("warning: " + w);
    return fail("config", Problem::config_invalid,
                plural(static_cast<int64_t>(report.problems.size()), "problem", "problems") +
                    "; the plugin refuses to start",
                "correct each problem listed, then: mdt-coresponder config check " + join(files, " "), join(lines, "\n"));
  }
  const auto& c = report.config;
  const std::string valid =
      "valid (" + join(files, " + ") + "): unit " + c.unit_id + ", role " + config::to_string(c.role);
  if (!warnings.empty())
    return warn("config", Problem::config_warning,
                valid + "; " + plural(static_cast<int64_t>(warnings.size()), "warning", "warnings"), join(warnings, "\n"));
  return pass("config", valid);
}

// Which parts of the configuration failed: a check that depends on one is
// not run on the half-applied values (it would contradict the config check).
// A problem without a key (a file that could not be read or parsed, an
// unknown section) leaves every part in doubt.
struct FailedParts {
  bool all = false;
  std::vector<std::string> sections;
  bool any(std::initializer_list<const char*> wanted) const {
    if (all) return true;
    for (const char* w : wanted)
      for (const auto& s : sections)
        if (s == w) return true;
    return false;
  }
};

FailedParts failed_parts(const config::Report& report) {
  FailedParts out;
  for (const auto& p : report.problems) {
    // An exposed key file is a valid value: the key checks below say more.
    if (p.code == "config.secret_exposed") continue;
    if (p.key.empty()) {
      out.all = true;
      continue;
    }
    out.sections.push_back(p.key.substr(0, p.key.find('.')));
  }
  return out;
}

Check not_checked(const std::string& name, const std::string& why = "config failed") {
  return {name, Verdict::not_checked, "not checked: " + why, Problem::not_checked, {}, {}};
}

// ------------------------------------------------------------------ keys

std::string user_name(uid_t uid) {
  if (const passwd* pw = ::getpwuid(uid)) return pw->pw_name;
  return "uid " + std::to_string(uid);
}

// A key must be readable by its owner only, and owned by the account that
// runs the plugin (the package's system user), root, or whoever runs this.
struct KeyProblems {
  Problem missing, not_file, exposed, owner;
};
constexpr KeyProblems kCadKey{Problem::cad_key_missing, Problem::cad_key_not_file, Problem::cad_key_exposed,
                              Problem::cad_key_owner};
constexpr KeyProblems kCacheKey{Problem::cache_key_missing, Problem::cache_key_not_file, Problem::cache_key_exposed,
                                Problem::cache_key_owner};

Check check_key_file(const std::string& name, const std::string& path, const std::string& purpose,
                     const KeyProblems& problems) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return fail(name, problems.missing, path + " is missing (" + purpose + ")");
  }
  if (!S_ISREG(st.st_mode)) return fail(name, problems.not_file, path + " is not a regular file (" + purpose + ")");
  // The same rule config check and the plugin apply.
  if (const std::string why = config::secret_file_exposure(path); !why.empty()) {
    return fail(name, problems.exposed, path + " " + why + ": expected 0600 (owner only)", "chmod 600 " + path);
  }
  std::vector<uid_t> allowed = {0, ::geteuid()};
  if (const passwd* pw = ::getpwnam(kServiceGroup)) allowed.push_back(pw->pw_uid);
  bool owner_ok = false;
  for (uid_t u : allowed) owner_ok = owner_ok || st.st_uid == u;
  // In the group-shared state directory whichever member started the
  // plugin first created the key; the group reads it, so any owner will do.
  const group* service = ::getgrnam(kServiceGroup);
  const bool group_shared = service && st.st_gid == service->gr_gid && (st.st_mode & 040) != 0;
  owner_ok = owner_ok || group_shared;
  if (!owner_ok) {
    return fail(name, problems.owner,
                path + " is owned by " + user_name(st.st_uid) + ": expected mdt-coresponder or root",
                "chown mdt-coresponder " + path);
  }
  std::string detail = path + " present, " + (group_shared ? std::string("readable by group ") + kServiceGroup + " only" : std::string("owner only")) +
                       ", owner " + user_name(st.st_uid);
  if (::access(path.c_str(), R_OK) != 0) detail += " (not readable by this user, as it should be)";
  return pass(name, detail);
}

// ----------------------------------------------------------------- cache

// A last sync further than this ahead of the system clock is no skew of a
// few seconds: the clock is behind (or was ahead at that sync).
constexpr int64_t kMaxLastSyncAheadS = 600;

// The registry file a refusal in Stats::last_reject names. The sync imports
// under the origin "registry <mode> version <N>", which the cache puts
// first in the message; a file imported by hand names its path instead,
// and nothing is known of its version.
struct RefusedFile {
  std::string mode;
  int64_t version = 0;
  std::string words() const { return mode + " version " + std::to_string(version); }
};

std::optional<RefusedFile> refused_registry_file(std::string_view last_reject) {
  for (const char* mode : {"snapshot", "delta"}) {
    const std::string prefix = std::string("registry ") + mode + " version ";
    if (last_reject.substr(0, prefix.size()) != prefix) continue;
    std::size_t end = prefix.size();
    while (end < last_reject.size() && end - prefix.size() < 18 && last_reject[end] >= '0' && last_reject[end] <= '9')
      ++end;
    if (end == prefix.size()) return std::nullopt;
    return RefusedFile{mode, std::stoll(std::string(last_reject.substr(prefix.size(), end - prefix.size())))};
  }
  return std::nullopt;
}

// The cache's record of refused imports (cache stats: import_rejects,
// last_reject). Only the latest refusal is kept, with no time: it is news
// while it names a registry file newer than the data the cache holds (the
// cache is stuck behind it); one it has since moved past, or a file
// imported by hand, is only mentioned. Nothing at all when none was refused.
std::optional<Check> check_imports(const cache::Stats& stats) {
  const std::string name = "imports";
  if (stats.import_rejects == 0 && stats.last_reject.empty()) return std::nullopt;
  const std::string in_all = plural(stats.import_rejects, "file", "files") + " refused in all";
  const auto file = refused_registry_file(stats.last_reject);
  const bool newer = file && (!stats.holds_snapshot || file->version > stats.registry_version);
  if (newer) {
    Check c = warn(name, Problem::cache_import_refused,
                   "the cache refused registry " + file->words() + " and still holds " +
                       (stats.holds_snapshot ? "version " + std::to_string(stats.registry_version)
                                             : std::string("no snapshot")) +
                       " (" + in_all + ")",
                   stats.last_reject);
    return c;
  }
  if (file)
    return pass(name, in_all + "; the latest, registry " + file->words() + ", is no newer than the version " +
                          std::to_string(stats.registry_version) + " the cache holds now");
  return Check{name, Verdict::ok,
               in_all + "; the latest was imported by hand (whether the cache took a file since cannot be told)",
               {}, {}, stats.last_reject};
}

// cache.place_aliases against the places the cache's premises are in. An
// alias to a place no premise is in sends every CAD address written with it
// to nothing. Spelled like a known place, it is a misspelling: a failure.
// Otherwise that place may only have no flagged premises yet: a warning.
Check check_place_aliases(cache::Cache& cache, const config::Config& c) {
  const std::string name = "aliases";  // fits the text report's name column
  auto unknown = cache.aliases_without_place();
  if (!unknown.ok())
    return fail(name, Problem::cache_unreadable, "cannot read the places of " + c.cache_db, {},
                unknown.error().message);
  const auto count = static_cast<int64_t>(c.cache_place_alias_pairs.size());
  if (unknown->empty())
    return pass(name, plural(count, "alias", "aliases") + " in cache.place_aliases, each naming a place premises are in" +
                          " (or the cache names no place yet)");
  std::vector<std::string> lines;
  bool misspelled = false;
  for (const auto& a : *unknown) {
    lines.push_back(cache::alias_without_place_text(a));
    misspelled = misspelled || !a.closest.empty();
  }
  const std::string message = plural(static_cast<int64_t>(unknown->size()), "alias", "aliases") + " of " +
                              std::to_string(count) + " in cache.place_aliases " +
                              (unknown->size() == 1 ? "names" : "name") +
                              " a place no premise is in: CAD addresses written with " +
                              (unknown->size() == 1 ? "it" : "them") + " find no flags";
  if (misspelled) return fail(name, Problem::cache_alias_unknown_place, message, {}, join(lines, "\n"));
  return warn(name, Problem::cache_alias_unknown_place, message, join(lines, "\n"));
}

std::vector<Check> check_cache(const config::Config& c) {
  const std::string key = c.cache_key_file.empty() ? c.cache_db + ".key" : c.cache_key_file;
  std::vector<Check> out;
  if (!exists(c.cache_db)) {
    out.push_back(fail("cache", Problem::cache_missing,
                       "no cache at " + c.cache_db + ": the MDT shows \"flags unavailable\" on every call",
                       "import a registry export (mdt-coresponder cache import FILE --db " + c.cache_db +
                           ") or wait for the first sync"));
    // The key comes with the cache: without one, a missing key is no second
    // problem (monitoring that pages on cache.key_missing means a lost key).
    out.push_back(not_checked("cache key", "no cache yet; " + key + " is created with it by the first import or sync"));
    return out;
  }
  out.push_back(check_key_file("cache key", key, "the key that decrypts the flag cache", kCacheKey));

  auto opened = cache::Cache::open(cache_open_options(c, CacheAccess::read_only));
  const std::string reset = "mdt-coresponder cache reset --db " + c.cache_db;
  const std::string refill = ", then import a registry snapshot (mdt-coresponder cache import FILE --db " + c.cache_db +
                             ") or let the registry sync fetch one";
  if (!opened.ok()) {
    const std::string& code = opened.error().code;
    const std::string fix = cache_remedy(code, c.cache_db);
    const Problem problem = code == "cache.integrity" || code == "cache.corrupt" ? Problem::cache_integrity
                            : code == "cache.key_missing"                      ? Problem::cache_key_missing
                            : code == "cache.key_mismatch"                     ? Problem::cache_key_mismatch
                            : code == "cache.key_permissions"                  ? Problem::cache_key_exposed
                                                                               : Problem::cache_unreadable;
    out.push_back(fail("cache", problem, "cannot open " + c.cache_db + " (" + code + ")", fix,
                       opened.error().message));
    return out;
  }
  if (auto verified = opened->verify(); !verified.ok()) {
    // Counts that drifted from the rows mislead only the figures; a snapshot
    // counts again without moving the cache aside.
    if (verified.error().code == "cache.counts_mismatch") {
      out.push_back(fail("cache", Problem::cache_integrity,
                         c.cache_db + " reports counts its rows do not have",
                         "import a registry snapshot (mdt-coresponder cache import FILE --db " + c.cache_db +
                             "), which counts again; if that fails, " + reset + refill,
                         verified.error().message));
      return out;
    }
    // Flags still show with a broken audit chain: the problem is the record
    // of what was shown, and resetting the cache alone does not mend it.
    if (verified.error().code == "cache.audit_broken") {
      const std::string audit = cache::audit_log_path(c.cache_db);
      out.push_back(fail("cache", Problem::cache_audit_broken,
                         "the audit chain of " + c.cache_db + " cannot be trusted: flags still show",
                         "keep " + audit + " (and any " + audit + ".corrupt-*) for whoever reviews the audit; to "
                             "start a new chain, stop the MDT host, move " + audit + " with its -wal and -shm aside "
                             "together, and run " + reset + refill,
                         verified.error().message));
      return out;
    }
    out.push_back(fail("cache", Problem::cache_integrity,
                       c.cache_db + " failed its integrity check: the MDT shows \"flags unavailable\"",
                       reset + " (keeps the key)" + refill, verified.error().message));
    return out;
  }
  auto stats = opened->stats();
  if (!stats.ok()) {
    out.push_back(fail("cache", Problem::cache_unreadable, "cannot read statistics of " + c.cache_db, {},
                       stats.error().message));
    return out;
  }
  out.push_back(pass("cache", c.cache_db + " intact: " + plural(stats->premises, "premise", "premises") + ", " +
                                  plural(stats->flags, "flag", "flags") + ", schema " +
                                  std::to_string(stats->schema_version) + ", registry version " +
                                  std::to_string(stats->registry_version)));
  const int64_t limit_s = static_cast<int64_t>(c.cache_max_age_h) * 3600;
  if (!stats->age_s) {
    out.push_back(fail("cache age", Problem::cache_never_synced,
                       "holds no complete snapshot from the flag registry: flags are shown as unavailable",
                       "import a registry snapshot (mdt-coresponder cache import FILE --db " + c.cache_db +
                           ") or let the registry sync fetch one"));
  } else if (*stats->age_s < -kMaxLastSyncAheadS) {
    out.push_back(fail("cache age", Problem::clock_behind_last_sync,
                       "last sync " + stats->last_sync + " is " + age_words(-*stats->age_s) +
                           " ahead of the system clock (" + rfc3339_utc(std::time(nullptr)) +
                           "): the clock is behind, or was ahead at that sync; how old the flags are cannot be told"));
  } else if (*stats->age_s > limit_s) {
    out.push_back(fail("cache age", Problem::cache_stale,
                       "last sync " + age_words(*stats->age_s) + " ago (" + stats->last_sync +
                           "), older than cache.max_age_h = " + std::to_string(c.cache_max_age_h) +
                           ": the MDT shows \"flags " + std::to_string(*stats->age_s / 3600) + " hours old\""));
  } else {
    out.push_back(pass("cache age", "last sync " + age_words(*stats->age_s) + " ago (" + stats->last_sync + ")"));
  }
  if (!stats->age_s) {
    // Nothing read yet: the first snapshot is read under this build's rules.
  } else if (stats->address_rules_current) {
    out.push_back(pass("addresses", "premises read under this build's address rules (version " +
                                        std::to_string(cache::kAddressRulesVersion) + ")"));
  } else {
    const std::string at_least = "version " + std::to_string(stats->registry_version) + " or later";
    Check rules = warn("addresses", Problem::cache_rules_old, cache::address_rules_problem(stats->address_rules));
    rules.fix = c.registry_endpoint.empty()
                    ? "import the registry's newest snapshot export (" + at_least +
                          "): mdt-coresponder cache import FILE --db " + c.cache_db
                    : "the registry sync takes the registry's next snapshot (" + at_least +
                          ") by itself, and deltas meanwhile; a registry that publishes snapshots rarely "
                          "should publish one (to hurry it: mdt-coresponder cache sync --db " + c.cache_db + ")";
    out.push_back(std::move(rules));
  }
  if (auto imports = check_imports(*stats)) out.push_back(std::move(*imports));
  if (!c.cache_place_alias_pairs.empty()) out.push_back(check_place_aliases(*opened, c));
  return out;
}

// ------------------------------------------------- live checks: GPS, CAD

// What the reader and link threads report, guarded for the waiting thread.
struct LiveState {
  std::mutex mutex;
  std::condition_variable changed;
  std::optional<gps::Fix> fix;  // the latest fix with a position
  int64_t fix_system_ms = 0;    // system clock when it arrived
  bool nmea_seen = false;
  bool link_up = false;
  uint64_t heartbeats = 0;
};

int64_t system_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::optional<Check> gps_precheck(const config::Config& c) {
  // The car's router (tcp://, udp://) has no device node to look at.
  if (c.gps_port.empty() || c.gps_port == "auto" || c.gps_port.find("://") != std::string::npos) return std::nullopt;
  struct stat st {};
  if (::stat(c.gps_port.c_str(), &st) != 0) {
    return fail("gps", Problem::gps_port_missing,
                c.gps_port + " is not present: receiver unplugged or on another port");
  }
  if (!S_ISCHR(st.st_mode)) return fail("gps", Problem::gps_not_serial, c.gps_port + " is not a serial device");
  if (::access(c.gps_port.c_str(), R_OK | W_OK) != 0) {
    return fail("gps", Problem::gps_permission, "permission denied on " + c.gps_port);
  }
  return std::nullopt;
}

std::string fix_words(const gps::Fix& fix) {
  std::string mode = fix.mode == gps::Mode::fix_3d ? "3D fix" : "2D fix";
  if (fix.satellites) mode += ", " + plural(*fix.satellites, "satellite", "satellites");
  if (fix.lat && fix.lon) {
    char buf[64];
    std::snprintf(buf, sizeof buf, " at %.5f, %.5f", *fix.lat, *fix.lon);
    mode += buf;
  }
  return mode;
}

Check gps_result(const config::Config& c, const gps::ReaderStatus& status, const LiveState& live, int timeout_s) {
  const std::string where = status.port.empty() ? c.gps_port : status.port;
  // Which source and protocol: "serial /dev/ttyUSB0 at 4800 baud: speaking
  // NMEA", "tcp 192.168.0.1:9001: speaking TAIP".
  const std::string source = status.source.empty() ? where : status.source;
  const std::string at = status.baud > 0 ? " at " + std::to_string(status.baud) + " baud" : "";
  const std::string speaking =
      std::string(": speaking ") + (status.protocol == gps::Protocol::taip ? "TAIP" : "NMEA");
  if (live.fix) {
    return pass("gps", source + at + speaking + ", " + fix_words(*live.fix));
  }
  if (live.nmea_seen || status.counters.sentences > 0) {
    return warn("gps", Problem::gps_no_fix,
                source + at + speaking + " (" + std::to_string(status.counters.sentences) +
                    " messages) but no position fix yet: antenna covered or indoors?");
  }
  std::string why = status.detail.empty() ? "" : " (" + status.detail + ")";
  const bool router = where.find("://") != std::string::npos;
  return fail("gps", Problem::gps_no_nmea,
              (router ? "no NMEA or TAIP from " : "no NMEA from ") +
                  (where == "auto" ? std::string("any serial port") : where) + " within " +
                  plural(timeout_s, "second", "seconds") + why +
                  (router ? ": router off, wrong address, or its GPS output not enabled"
                          : ": wrong port or baud, or the receiver is off"));
}

Check clock_result(const LiveState& live) {
  if (live.fix && live.fix->time_ms) {
    const int64_t skew = live.fix_system_ms - *live.fix->time_ms;
    const int64_t skew_s = (skew < 0 ? -skew : skew) / 1000;
    if ((skew < 0 ? -skew : skew) > kMaxClockSkewMs) {
      return fail("clock", Problem::clock_skew,
                  "system clock is " + plural(skew_s, "second", "seconds") + (skew > 0 ? " ahead of" : " behind") +
                      " GPS time: dispatch times and flag expiry depend on it");
    }
    return pass("clock", "system clock agrees with GPS time (within " + std::to_string(kMaxClockSkewMs / 1000) + " s)");
  }
  const std::time_t now = std::time(nullptr);
  // The package cannot have been built before 2026: an earlier date means a
  // flat RTC battery or a clock that never synced.
  if (now < 1767225600) {  // 2026-01-01T00:00:00Z
    return fail("clock", Problem::clock_unset, "system clock reads " + rfc3339_utc(now) + ", before this software existed");
  }
  return pass("clock", "not compared with GPS (no fix); system clock reads " + rfc3339_utc(now));
}

std::string hello_json(const config::Config& c) {
  // A gateway can tell the doctor's short visit from the plugin starting.
  return bridge::encode_body(bridge::Hello{std::string(config::to_string(c.role)),
                                           c.unit_name.empty() ? c.unit_id : c.unit_name, true});
}

Check cad_result(const config::Config& c, const std::string& start_error, const LiveState& live, int timeout_s,
                 bool curve) {
  const std::string ep = c.cad_subscribe_endpoint;
  const std::string security = curve ? "CURVE on" : "CURVE off: dispatches are not authenticated";
  if (!start_error.empty()) return fail("cad link", Problem::cad_link_failed, "cannot start the CAD link: " + start_error);
  if (live.link_up && live.heartbeats > 0) {
    return pass("cad link", "gateway " + ep + " reachable, heartbeats arriving (" + security + ")");
  }
  if (live.link_up) {
    return fail("cad link", Problem::cad_no_heartbeat,
                "gateway " + ep + " answered but sent no heartbeat within " + plural(timeout_s, "second", "seconds") +
                    ": the gateway's publisher may be stuck");
  }
  std::string hint = curve ? "; with CURVE a wrong cad.server_public_key or an unregistered client key looks "
                             "exactly like this"
                           : "";
  return fail("cad link", Problem::cad_unreachable,
              "no message from the CAD gateway at " + ep + " within " + plural(timeout_s, "second", "seconds") +
                  ": is the gateway up and reachable from this car (VPN, firewall)?" + hint);
}

// Who the officer's request panel will list right now: a fleet admin can see
// at a glance that a new roster says what the program meant.
// The files of a registry transfer that did not finish, when they are in
// `dir`: on a full disk they may be what fills it (an older build kept
// them there), and deleting them costs only a fetch.
std::vector<std::string> staging_files(const config::Config& c, const std::string& dir) {
  std::vector<std::string> files;
  if (c.cache_db.empty()) return files;
  auto cache_dir = std::filesystem::path(c.cache_db).parent_path().string();
  if ((cache_dir.empty() ? "." : cache_dir) != dir) return files;
  for (const char* ext : {".sync.part", ".sync.json", ".sync.key"}) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(c.cache_db + ext, ec)) files.push_back(c.cache_db + ext);
  }
  return files;
}

std::string staging_words(const config::Config& c, const std::string& dir) {
  const auto files = staging_files(c, dir);
  if (files.empty()) return "";
  uint64_t bytes = 0;
  for (const auto& f : files) {
    std::error_code ec;
    const auto n = std::filesystem::file_size(f, ec);
    if (!ec) bytes += n;
  }
  return "; an unfinished registry transfer holds " + bridge::mib_words(bytes) + " there (" + join(files, ", ") +
         ")";
}

// Every directory the plugin writes to: a full disk keeps requests from
// being kept across a restart, a read-only one keeps anything from being.
Check check_storage(const config::Config& c) {
  constexpr uint64_t kLowBytes = 16ull << 20;
  std::vector<std::string> dirs;
  for (const std::string& file : {c.cache_db, c.outbox_db, c.log_file}) {
    if (file.empty()) continue;
    auto dir = std::filesystem::path(file).parent_path().string();
    if (dir.empty()) dir = ".";
    if (std::find(dirs.begin(), dirs.end(), dir) == dirs.end()) dirs.push_back(dir);
  }
  std::vector<std::string> words;
  std::optional<Problem> worst;
  std::string where;
  auto note = [&](Problem p, const std::string& dir) {
    // Missing or read-only is worse than full, full worse than low.
    if (!worst || static_cast<int>(p) < static_cast<int>(*worst)) {
      worst = p;
      where = dir;
    }
  };
  for (const auto& dir : dirs) {
    if (!exists(dir)) {
      words.push_back(dir + " does not exist");
      note(Problem::storage_missing, dir);
      continue;
    }
    const plugin::DiskCheck disk = plugin::check_directory(dir);
    if (disk.state == plugin::DiskState::read_only) {
      words.push_back(dir + " is read-only (" + disk.detail + "): nothing the plugin writes is kept");
      note(Problem::storage_read_only, dir);
    } else if (disk.state == plugin::DiskState::full) {
      words.push_back(dir + " is full (" + disk.detail +
                      "): requests still reach CAD but are not kept across a restart" + staging_words(c, dir));
      note(Problem::storage_full, dir);
    } else if (disk.free_bytes < kLowBytes) {
      words.push_back(dir + " is writable but low (" + disk.detail + ")" + staging_words(c, dir));
      note(Problem::storage_low, dir);
    } else {
      words.push_back(dir + " writable, " + disk.detail);
    }
  }
  const std::string message = join(words, "; ");
  if (!worst) return pass("storage", message);
  if (*worst == Problem::storage_low) return warn("storage", *worst, message);
  std::string fix(problem_info(*worst).fix);
  for (auto at = fix.find("PATH"); at != std::string::npos; at = fix.find("PATH")) fix.replace(at, 4, where);
  if (*worst == Problem::storage_full && !staging_files(c, where).empty())
    fix += "; first: rm " + join(staging_files(c, where), " ") +
           " (a registry transfer that did not finish; the sync fetches the file again once it fits)";
  return fail("storage", *worst, message, fix);
}

// ------------------------------------------------------- shared state

// The accounts that run the plugin on this car besides the service account:
// whoever runs doctor (unless root), the owner of each running panel host,
// and everyone signed in on a seat or terminal. For a panel host, also
// whether its session already has the group (a usermod after sign-in does
// not reach a running session).
struct PluginAccount {
  std::string name;
  gid_t primary_gid = 0;
  std::string why;                   // "runs this doctor", "runs the panel host (pid 812)"
  std::optional<bool> session_has;   // for a running process: the group in its own list
};

std::optional<bool> process_has_group(pid_t pid, gid_t gid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto groups = groups_in_proc_status(text);
  if (!groups) return std::nullopt;
  return std::find(groups->begin(), groups->end(), gid) != groups->end();
}

std::vector<PluginAccount> plugin_accounts(gid_t group_gid) {
  std::vector<PluginAccount> accounts;
  auto add = [&](uid_t uid, const std::string& why, std::optional<bool> session_has = std::nullopt) {
    const passwd* pw = ::getpwuid(uid);
    if (uid == 0 || !pw || std::string(pw->pw_name) == kServiceGroup) return;
    for (auto& a : accounts)
      if (a.name == pw->pw_name) {
        if (session_has && !*session_has) a.session_has = false;
        return;
      }
    accounts.push_back({pw->pw_name, pw->pw_gid, why, session_has});
  };
  add(::getuid(), "runs this doctor");
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string pid_text = entry.path().filename().string();
    if (pid_text.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "cmdline");
    std::string argv0;
    if (!std::getline(in, argv0, '\0') || std::filesystem::path(argv0).filename() != "mdt-coresponder-panel") continue;
    struct stat st {};
    if (::stat(entry.path().c_str(), &st) != 0) continue;
    const pid_t pid = static_cast<pid_t>(std::stol(pid_text));
    add(st.st_uid, "runs the panel host (pid " + pid_text + ")", process_has_group(pid, group_gid));
  }
  ::setutxent();
  while (const utmpx* u = ::getutxent()) {
    if (u->ut_type != USER_PROCESS) continue;
    const std::string name(u->ut_user, ::strnlen(u->ut_user, sizeof u->ut_user));
    if (const passwd* pw = ::getpwnam(name.c_str())) add(pw->pw_uid, "is signed in");
  }
  ::endutxent();
  return accounts;
}

// A packaged car shares its state directory with the mdt-coresponder group
// (mode 2770) so the vendor's host and the signed-in account's panel host
// both open the cache. What an admin gets wrong: the officer's account not
// in the group, or the directory or a file in it re-created by hand with
// the wrong group or mode. A directory that is neither the package's user's
// nor its group's is one account's own, and is not checked here.
Check check_sharing(const config::Config& c) {
  const group* service = ::getgrnam(kServiceGroup);
  const passwd* service_user = ::getpwnam(kServiceGroup);
  std::vector<std::string> dirs;
  for (const std::string& file : {c.cache_db, c.outbox_db}) {
    if (file.empty()) continue;
    auto dir = std::filesystem::path(file).parent_path().string();
    if (dir.empty()) dir = ".";
    if (std::find(dirs.begin(), dirs.end(), dir) == dirs.end()) dirs.push_back(dir);
  }
  if (!service) return pass("sharing", std::string("no ") + kServiceGroup + " group on this machine: the state is one account's own");
  const gid_t gid = service->gr_gid;
  std::vector<std::string> shared;
  for (const auto& dir : dirs) {
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) continue;  // storage's business
    const bool packaged = st.st_gid == gid || (service_user && st.st_uid == service_user->pw_uid) ||
                          dir == "/var/lib/mdt-coresponder";
    if (!packaged) continue;
    if (const std::string why = shared_dir_problem(st.st_mode, st.st_gid, gid); !why.empty())
      return fail("sharing", Problem::storage_not_shared, dir + " " + why,
                  "chown " + std::string(kServiceGroup) + ":" + kServiceGroup + " " + dir + "; chmod 2770 " + dir);
    // Files of a registry transfer in progress (.sync*) are their fetcher's
    // alone by design; another account discards and fetches again.
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
      const std::string name = entry.path().filename().string();
      if (name.find(".sync") != std::string::npos) continue;
      struct stat fs {};
      if (::lstat(entry.path().c_str(), &fs) != 0 || !S_ISREG(fs.st_mode)) continue;
      const bool is_key = entry.path().extension() == ".key";
      if (const std::string why = shared_file_problem(fs.st_mode, fs.st_gid, gid, is_key); !why.empty()) {
        const std::string file = entry.path().string();
        return fail("sharing", Problem::storage_file_not_shared, file + " " + why,
                    "chgrp " + std::string(kServiceGroup) + " " + file + "; chmod " + (is_key ? "0640 " : "0660 ") + file);
      }
    }
    shared.push_back(dir);
  }
  if (shared.empty()) return pass("sharing", "the state directory is one account's own (not the package's shared one)");
  for (const auto& a : plugin_accounts(gid)) {
    if (!account_in_group(a.name, a.primary_gid, gid))
      return fail("sharing", Problem::storage_not_in_group,
                  a.name + " (" + a.why + ") is not in the " + kServiceGroup +
                      " group: its panel cannot open the cache (FLAGS UNAVAILABLE)",
                  "usermod -aG " + std::string(kServiceGroup) + " " + a.name + ", then sign out and in again");
    if (a.session_has && !*a.session_has)
      return fail("sharing", Problem::storage_not_in_group,
                  a.name + " (" + a.why + ") was added to the " + kServiceGroup +
                      " group after signing in: its running session does not have it yet",
                  "sign " + a.name + " out and in again (or reboot the car)");
  }
  return pass("sharing", join(shared, ", ") + " shared with group " + kServiceGroup +
                             " (2770, files 0660, keys 0640); every signed-in account is in it");
}

Check check_schedule(const config::Config& c) {
  if (c.coresponder_schedule_file.empty())
    return pass("schedule", "no co-responder schedule configured: the request panel lists nobody, CAD routes requests");
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  localtime_r(&t, &tm);
  std::string names;
  for (const auto* shift : config::on_duty(c.coresponder_schedule, (tm.tm_wday + 6) % 7, tm.tm_hour * 60 + tm.tm_min))
    names += (names.empty() ? "" : ", ") + shift->unit + (shift->name.empty() ? "" : " (" + shift->name + ")");
  return pass("schedule", plural(static_cast<int>(c.coresponder_schedule.size()), "shift", "shifts") + " in " +
                              c.coresponder_schedule_file + "; " +
                              (names.empty() ? "no co-responder scheduled now" : "on duty now: " + names));
}

// The panel host (mdt-coresponder-panel): installed as a user unit, started
// at login, a browser to show its page, and running now. Warnings only: a
// car whose MDT vendor hosts the plugin has none of these, and an officer
// who is not signed in has no panel host running.
bool panel_host_running() {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    std::ifstream in(entry.path() / "cmdline");
    std::string argv0;
    if (!std::getline(in, argv0, '\0')) continue;
    if (std::filesystem::path(argv0).filename() == "mdt-coresponder-panel") return true;
  }
  return false;
}

bool on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  for (std::size_t start = 0; start <= dirs.size();) {
    const auto end = std::min(dirs.find(':', start), dirs.size());
    if (end > start && ::access((dirs.substr(start, end - start) + "/" + program).c_str(), X_OK) == 0) return true;
    start = end + 1;
  }
  return false;
}

Check check_panel() {
  const std::string unit = "mdt-coresponder-panel.service";
  if (!exists("/usr/lib/systemd/user/" + unit) && !exists("/lib/systemd/user/" + unit))
    return warn("panel", Problem::panel_not_installed, "the panel host's user unit " + unit + " is not installed");
  if (!exists("/etc/systemd/user/graphical-session.target.wants/" + unit))
    return warn("panel", Problem::panel_not_enabled, unit + " is not enabled for graphical sessions");
  if (!on_path("chromium"))
    return warn("panel", Problem::panel_no_browser, "chromium is not installed: the panel host has no window to open");
  if (!panel_host_running())
    return warn("panel", Problem::panel_not_running, "no mdt-coresponder-panel process is running");
  return pass("panel", "the panel host is installed, starts at login and is running");
}

// No usable answer to doctor's one sync (RegistrySync::probe's errors).
Check registry_unanswered(const std::string& ep, const Error& e, int timeout_s, bool curve) {
  if (e.code == "sync.config")
    return fail("registry", Problem::registry_key_unreadable, "cannot ask the flag registry at " + ep + ": " + e.message);
  if (e.code == "sync.unusable_replies")
    return fail("registry", Problem::registry_bad_reply,
                "the flag registry at " + ep + " answers, but nothing it sent could be used: " + e.message +
                    " (a registry fault, not the network)");
  if (e.code == "sync.handshake")
    return fail("registry", Problem::registry_refused, "the flag registry at " + ep + " refused this unit: " + e.message);
  if (e.code == "sync.timeout") {
    // The probe's limit is doctor's --timeout-s: "this run's time limit"
    // in the sync's words would say nothing here.
    const std::string hint = curve ? "; with CURVE a wrong registry.server_public_key or an unregistered client key "
                                     "looks exactly like this"
                                   : "";
    return fail("registry", Problem::registry_unreachable,
                "no answer from the flag registry at " + ep + " within " + plural(timeout_s, "second", "seconds") +
                    " (--timeout-s): is it up and reachable from this car (VPN, firewall)? One slower than that "
                    "looks the same" + hint);
  }
  return fail("registry", Problem::registry_unreachable,
              "cannot reach the flag registry at " + ep + ": " + e.message +
                  " (is it up and reachable from this car: VPN, firewall?)");
}

// An offer, judged as the plugin's sync would judge it before fetching:
// what it cannot take, what it took and refused before, what does not fit.
Check registry_offer(const config::Config& c, bridge::RegistrySyncOptions o, const bridge::SyncMessage& offer,
                     const std::optional<int64_t>& held, const std::string& last_reject, const std::string& security) {
  const std::string& ep = c.registry_endpoint;
  const std::string what = offer.mode + " version " + std::to_string(offer.version);
  const std::string holds = held ? "the cache holds version " + std::to_string(*held) : "the cache holds nothing from it yet";
  const std::string offers = "registry " + ep + " answers: offers " + what + "; " + holds;
  const auto& accepted = o.accept_encodings;
  if (offer.encoding != bridge::kIdentityEncoding &&
      std::find(accepted.begin(), accepted.end(), offer.encoding) == accepted.end())
    return fail("registry", Problem::registry_bad_encoding,
                offers + "; it is in encoding \"" + offer.encoding + "\", which this unit did not ask for (it takes " +
                    join(accepted, ", ") + "): every sync fails on it (" + security + ")");
  if (held && offer.version <= *held)
    return fail("registry", Problem::registry_offers_old,
                offers + "; asked for what follows version " + std::to_string(*held) +
                    ", it offers no newer file: the plugin fetches nothing and the cache is not confirmed fresh (" +
                    security + ")");
  if (auto refused = refused_registry_file(last_reject);
      refused && refused->mode == offer.mode && refused->version == offer.version) {
    // Stats keeps no hash of the refused file: a corrected file published
    // under the same version cannot be told from it, hence a warning.
    return warn("registry", Problem::registry_file_refused,
                offers + "; the cache refused " + what + " before (cache stats, last_reject): unless the registry "
                         "corrected it, the plugin refuses it again at every sync (" + security + ")",
                last_reject);
  }
  // The plugin takes an offer only if it fits with the reserve kept
  // (registry sync, "Disk space"): the same rule, on the disk as it is.
  o.cache_path = c.cache_db;
  auto space = bridge::sync_space(o, offer);
  if (space && !space->fits()) {
    const std::string dir = std::filesystem::path(c.cache_db).parent_path().string();
    std::string fix(problem_info(Problem::registry_no_space).fix);
    for (auto at = fix.find("PATH"); at != std::string::npos; at = fix.find("PATH"))
      fix.replace(at, 4, dir.empty() ? "." : dir);
    return fail("registry", Problem::registry_no_space,
                offers + "; its " + bridge::mib_words(offer.total) + " do not fit on the cache's disk: it " +
                    bridge::sync_space_words(*space) + ". The plugin cannot fetch it until " +
                    bridge::mib_words(space->needed() + space->reserve - space->free - space->stale) +
                    " more is free (" + security + ")",
                fix);
  }
  if (!space)
    return pass("registry", offers + "; whether it fits on the cache's disk is unknown (" + space.error().message +
                                ") (" + security + ")");
  return pass("registry", offers + "; the plugin fetches it at its next sync (" + security + ")");
}

// One question to the flag registry, as the plugin's sync would ask it, and
// nothing fetched: fleet IT sees whether the registry answers this car and
// whether the cache is behind, without waiting for the next sync interval.
Check check_registry(const config::Config& c, int timeout_s) {
  if (c.registry_endpoint.empty())
    return pass("registry", "not configured (registry.endpoint is empty): flags come only from imported files");
  const std::string& ep = c.registry_endpoint;
  bridge::RegistrySyncOptions o;
  o.endpoint = ep;
  o.identity = c.unit_id;
  o.staging_path = c.cache_db + ".sync";  // named only: a probe writes nothing
  o.request_timeout_ms = timeout_s * 1000;
  const bool curve = !c.registry_server_public_key.empty();
  if (curve) {
    const std::string& key_file = c.registry_client_key_file.empty() ? c.cad_client_key_file : c.registry_client_key_file;
    if (key_file.empty())
      return fail("registry", Problem::registry_no_client_key,
                  "registry.server_public_key is set but no client key file is (registry.client_key_file "
                  "or cad.client_key_file): the registry cannot be asked with CURVE");
    auto pair = bridge::read_curve_key_file(key_file);
    if (!pair)
      return fail("registry", Problem::registry_key_unreadable,
                  "cannot ask the flag registry at " + ep + ": " + pair.error().message);
    o.server_public_key = c.registry_server_public_key;
    o.client_public_key = pair->public_key;
    o.client_secret_key = pair->secret_key;
  }
  std::optional<int64_t> held;
  std::string last_reject;
  if (auto opened = cache::Cache::open(cache_open_options(c, CacheAccess::read_only)); opened.ok()) {
    held = opened->synced_version();
    if (auto stats = opened->stats(); stats.ok()) last_reject = stats->last_reject;
  }
  bridge::RegistrySync sync(o, [held] { return held; },
                            [](ByteSource&, int64_t, const std::string&) -> Status {
                              return make_error("doctor.read_only", "the doctor applies nothing");
                            });
  auto answer = sync.probe(std::chrono::seconds(timeout_s));
  const std::string holds = held ? "the cache holds version " + std::to_string(*held) : "the cache holds nothing from it yet";
  const std::string security = curve ? "CURVE on" : "CURVE off";
  if (!answer) return registry_unanswered(ep, answer.error(), timeout_s, curve);
  if (answer->type == "up_to_date") {
    const std::string said =
        "registry " + ep + " says it is up to date at version " + std::to_string(answer->version) + ", but " + holds;
    if (!held)
      return fail("registry", Problem::registry_no_file,
                  said + ": asked for a snapshot, it offers none, so flags stay unavailable");
    if (answer->version < *held)
      return fail("registry", Problem::registry_behind,
                  said + ": the registry went back (restored from a backup?); the plugin takes none of its files "
                         "and does not take that as confirming its flags");
    if (answer->version > *held)
      return fail("registry", Problem::registry_ahead,
                  said + ": it should offer what follows version " + std::to_string(*held) +
                      "; the plugin does not take that as confirming its flags");
    return pass("registry", "registry " + ep + " answers: up to date at version " + std::to_string(answer->version) +
                                " (" + security + ")");
  }
  if (answer->type == "offer") return registry_offer(c, o, *answer, held, last_reject, security);
  const std::string said = answer->code + (answer->message.empty() ? "" : ": " + answer->message);
  if (answer->code == "empty" || answer->code == "no_snapshot" || answer->code == "no_path")
    return fail("registry", Problem::registry_no_file,
                "registry " + ep + " answers, but has no file for this car (" + said + "); " + holds);
  if (answer->code == "bad_request")
    return fail("registry", Problem::registry_bad_request, "registry " + ep + " could not read the request: " + said);
  // Nothing is known of a code the protocol does not name: not a refusal
  // of this unit ("register the unit" sent fleet IT the wrong way).
  return fail("registry", Problem::registry_error,
              "registry " + ep + " answered the sync with error " + said +
                  ", a code the protocol does not name (it names empty, no_snapshot, no_path, gone, bad_request); " +
                  holds);
}

// GPS and the CAD link are waited for together; either may be left out when
// the configuration it needs failed.
std::vector<Check> check_live(const config::Config& c, int timeout_s, bool check_gps, bool check_cad) {
  LiveState live;
  const auto deadline = Clock::now() + std::chrono::seconds(timeout_s);

  // GPS: started first, runs while the CAD link connects.
  const bool want_gps = check_gps && !c.gps_port.empty();
  std::optional<Check> gps_problem = want_gps ? gps_precheck(c) : std::nullopt;
  // Found from outside: opened beside the running plugin, a serial port's
  // sentences go to one reader or the other, so doctor said "no NMEA" of a
  // working receiver while the plugin lost sentences. A router's network
  // feed can be read twice.
  const bool serial = c.gps_port.rfind("tcp://", 0) != 0 && c.gps_port.rfind("udp://", 0) != 0;
  if (want_gps && !gps_problem && serial && !c.cache_db.empty()) {
    if (const auto holders = plugins_running_beside(c.cache_db); !holders.empty())
      gps_problem = warn("gps", Problem::gps_in_use,
                         c.gps_port + " not opened: the running plugin (" + holders.front() +
                             ") reads it, and a second reader would take sentences from it");
  }
  std::unique_ptr<gps::Reader> reader;
  std::string reader_error;
  if (want_gps && !gps_problem) {
    gps::ReaderOptions ro;
    ro.port = c.gps_port;
    ro.baud = c.gps_baud;
    ro.stale_after_s = c.gps_stale_after_s;
    reader = std::make_unique<gps::Reader>(
        ro,
        [&live](const gps::Fix& fix) {
          std::lock_guard lock(live.mutex);
          live.nmea_seen = true;
          if (fix.mode == gps::Mode::fix_2d || fix.mode == gps::Mode::fix_3d) {
            live.fix = fix;
            live.fix_system_ms = system_ms();
          }
          live.changed.notify_all();
        },
        [](const gps::ReaderStatus&) {});
    if (auto started = reader->start(); !started.ok()) reader_error = started.error().message;
  }

  // CAD: a link like the plugin's, without a durable outbox.
  bridge::LinkOptions lo;
  lo.unit_id = c.unit_id;
  // Found from outside: with the unit's own routing id, a doctor run on a
  // live car took the car's connection at the gateway (ROUTER handover), and
  // the plugin's requests and positions went nowhere while its screen said
  // "CAD link up".
  lo.routing_id = c.unit_id + "-doctor";
  lo.subscribe_endpoint = c.cad_subscribe_endpoint;
  lo.dealer_endpoint = c.cad_dealer_endpoint;
  lo.heartbeat_timeout_s = c.cad_heartbeat_timeout_s;
  lo.max_message_bytes = static_cast<std::size_t>(c.cad_max_message_bytes);
  lo.hello_json = hello_json(c);
  std::string link_error;
  const bool curve = !c.cad_server_public_key.empty();
  if (curve && check_cad) {
    lo.server_public_key = c.cad_server_public_key;
    if (auto pair = bridge::read_curve_key_file(c.cad_client_key_file); pair.ok()) {
      lo.client_public_key = pair->public_key;
      lo.client_secret_key = pair->secret_key;
    } else {
      link_error = pair.error().message +
                   " (run doctor as root or mdt-coresponder; a lost key is replaced with mdt-coresponder keys generate)";
    }
  }
  std::unique_ptr<bridge::Link> link;
  if (check_cad && link_error.empty()) {
    link = std::make_unique<bridge::Link>(
        lo, [](bridge::Message) {},
        [&live](const bridge::LinkStatus& s) {
          std::lock_guard lock(live.mutex);
          live.link_up = s.up;
          live.changed.notify_all();
        });
    if (auto started = link->start(); !started.ok()) link_error = started.error().message;
  }

  // Wait for both answers, or the deadline. Heartbeats are counted by the
  // link; there is no callback for them, so the counters are read on a
  // short wake-up while waiting.
  {
    std::unique_lock lock(live.mutex);
    for (;;) {
      if (link && link_error.empty()) {
        auto counters = link->counters();
        live.heartbeats = counters.count("heartbeats") ? counters.at("heartbeats") : 0;
      }
      const bool gps_done = !reader || !reader_error.empty() || live.fix.has_value();
      const bool cad_done = !link || !link_error.empty() || (live.link_up && live.heartbeats > 0);
      if ((gps_done && cad_done) || Clock::now() >= deadline) break;
      live.changed.wait_until(lock, std::min(deadline, Clock::now() + std::chrono::milliseconds(100)));
    }
  }
  gps::ReaderStatus gps_status;
  if (reader) {
    gps_status = reader->status();
    reader->stop();
  }
  if (link) link->stop();

  std::vector<Check> out;
  if (!check_gps) {
    out.push_back(not_checked("gps"));
    out.push_back(not_checked("clock"));
  } else {
    if (!want_gps) {
      out.push_back(pass("gps", "not configured (gps.port is empty): positions are not used"));
    } else if (gps_problem) {
      out.push_back(std::move(*gps_problem));
    } else if (!reader_error.empty()) {
      out.push_back(fail("gps", Problem::gps_reader_failed, "cannot start the GPS reader: " + reader_error));
    } else {
      out.push_back(gps_result(c, gps_status, live, timeout_s));
    }
    out.push_back(clock_result(live));
  }
  out.push_back(check_cad ? cad_result(c, link_error, live, timeout_s, curve) : not_checked("cad link"));
  return out;
}

// ---------------------------------------------------------------- output

const char* status_name(Verdict s) {
  switch (s) {
    case Verdict::ok: return "ok";
    case Verdict::warn: return "warn";
    case Verdict::fail: return "fail";
    case Verdict::not_checked: return "not_checked";
  }
  return "fail";
}

void print_text(const std::vector<Check>& checks, std::ostream& out) {
  int failed = 0, skipped = 0;
  for (const auto& c : checks) {
    failed += c.status == Verdict::fail ? 1 : 0;
    skipped += c.status == Verdict::not_checked ? 1 : 0;
  }
  const std::string indent(18, ' ');
  for (const auto& c : checks) {
    std::string name = c.name;
    name.resize(10, ' ');
    const char* mark = c.status == Verdict::ok     ? "  ok    "
                       : c.status == Verdict::warn ? "  WARN  "
                       : c.status == Verdict::fail ? "  FAIL  "
                                                  : "  --    ";
    out << mark << name << c.message;
    if (!c.detail.empty()) {
      out << ":\n" << indent;
      for (char ch : c.detail) out << ch << (ch == '\n' ? indent : "");
    }
    out << "\n";
    if (c.status == Verdict::fail || c.status == Verdict::warn)
      out << indent << "fix: " << fix_of(c) << " [" << problem_info(*c.problem).code << "]\n";
  }
  if (failed == 0) {
    out << "all checks passed\n";
  } else {
    out << plural(failed, "check", "checks") << " failed";
    if (skipped > 0) out << ", " << skipped << " not checked";
    out << "\n";
  }
}

// Every check has the same keys, so monitoring can read them without
// knowing which check it is: "code" and "fix" are empty when it passed.
void print_json(const std::vector<Check>& checks, std::ostream& out) {
  bool all_ok = true;
  Poco::JSON::Array array;
  for (const auto& c : checks) {
    all_ok = all_ok && c.ok();
    Poco::JSON::Object::Ptr item = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    item->set("name", c.name);
    item->set("ok", c.ok());
    item->set("status", std::string(status_name(c.status)));
    item->set("code", c.problem ? std::string(problem_info(*c.problem).code) : std::string());
    item->set("message", c.message);
    item->set("fix", fix_of(c));
    item->set("detail", c.detail);
    array.add(item);
  }
  Poco::JSON::Object root(Poco::JSON_PRESERVE_KEY_ORDER);
  root.set("ok", all_ok);
  root.set("checks", array);
  Poco::JSON::Stringifier::stringify(root, out);
  out << "\n";
}

void doctor_usage(std::ostream& out) {
  out << "usage: mdt-coresponder doctor [--config FILE]... [--json] [--timeout-s N]\n"
         "  --config FILE    configuration layers, fleet file first (default: " << kFleetFile << "\n"
         "                   and " << kUnitFile << " if present); MDTC_* environment applies\n"
         "  --json           one JSON object for fleet monitoring: per check name, ok, status\n"
         "                   (ok, warn, fail, not_checked), code, message, fix and detail\n"
         "  --timeout-s N    how long to wait for GPS, CAD heartbeats and the registry (default 10)\n"
         "  -h, --help       show this help\n"
         "exit 0 when every check passes, 1 when one fails, 2 on a usage error\n";
}

}  // namespace

int doctor_command(const Args& args) {
  po::options_description options("doctor");
  options.add_options()("help,h", "")("json", "")("config", po::value<std::vector<std::string>>(), "")(
      "timeout-s", po::value<int>()->default_value(10), "");
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(options).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "mdt-coresponder doctor: " << e.what() << "\n";
    doctor_usage(std::cerr);
    return 2;
  }
  if (vm.count("help")) {
    doctor_usage(std::cout);
    return 0;
  }
  const int timeout_s = vm["timeout-s"].as<int>();
  if (timeout_s < 1 || timeout_s > 300) {
    std::cerr << "mdt-coresponder doctor: --timeout-s " << timeout_s << ": expected 1 to 300\n";
    return 2;
  }
  const std::vector<std::string> files =
      config_layers(vm.count("config") ? vm["config"].as<std::vector<std::string>>() : std::vector<std::string>{});

  std::vector<Check> checks;
  const config::Report report = load_car_config(files);
  checks.push_back(check_config(files, report));
  // A check whose part of the configuration failed is not run on the
  // half-applied values; the others still run, so one visit finds the most.
  const FailedParts failed = failed_parts(report);
  const config::Config& c = report.config;
  if (failed.any({"cad"})) {
    checks.push_back(not_checked("cad key"));
  } else if (c.cad_client_key_file.empty()) {
    checks.push_back(pass("cad key", "no client key configured: CURVE is off for the CAD link"));
  } else {
    checks.push_back(
        check_key_file("cad key", c.cad_client_key_file, "this unit's CURVE key pair for the CAD link", kCadKey));
  }
  if (failed.any({"cache"})) {
    for (const char* name : {"cache key", "cache", "cache age"}) checks.push_back(not_checked(name));
  } else {
    for (auto& check : check_cache(c)) checks.push_back(std::move(check));
  }
  checks.push_back(failed.any({"cache", "log"}) ? not_checked("storage") : check_storage(c));
  checks.push_back(failed.any({"cache"}) ? not_checked("sharing") : check_sharing(c));
  if (failed.any({"unit", "coresponder"})) {
    checks.push_back(not_checked("schedule"));
  } else if (c.role == config::Role::patrol) {
    checks.push_back(check_schedule(c));
  }
  for (auto& check : check_live(c, timeout_s, !failed.any({"gps"}), !failed.any({"unit", "cad"})))
    checks.push_back(std::move(check));
  checks.push_back(failed.any({"unit", "registry", "cache", "cad"}) ? not_checked("registry")
                                                                     : check_registry(c, timeout_s));
  checks.push_back(failed.any({"panel"}) ? not_checked("panel") : check_panel());

  if (vm.count("json")) {
    print_json(checks, std::cout);
  } else {
    print_text(checks, std::cout);
  }
  for (const auto& check : checks) {
    if (!check.ok()) return 1;
  }
  return 0;
}

}  // namespace mdtc::cli
