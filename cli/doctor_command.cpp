// `mdt-coresponder doctor [--config FILE]... [--json] [--timeout-s N]`: the
// 2 a.m. check. Looks at what the plugin needs, in the order a person would
// (config, keys, cache, GPS, clock, CAD link, flag registry), says in plain
// words what is wrong and how to fix it, and exits 1 when anything is. It
// only reads: the cache is opened without creating anything, the CAD link
// keeps no outbox, the registry is asked but nothing is fetched.
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>
#include <boost/program_options.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <mutex>
#include <optional>
#include <sstream>

#include "commands.h"
#include "mdtc/bridge.h"
#include "mdtc/cache.h"
#include "mdtc/config.h"
#include "mdtc/gps.h"
#include "mdtc/registry_sync.h"

namespace mdtc::cli {
namespace {

namespace po = boost::program_options;
using Clock = std::chrono::steady_clock;

struct Check {
  std::string name;
  bool ok = false;
  std::string detail;
};

constexpr const char* kFleetFile = "/etc/mdt-coresponder/fleet.ini";
constexpr const char* kUnitFile = "/etc/mdt-coresponder/unit.ini";
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
  if (seconds < 120) return plural(seconds, "second", "seconds");
  if (seconds < 2 * 3600) return plural(seconds / 60, "minute", "minutes");
  return plural(seconds / 3600, "hour", "hours");
}

std::string utc_text(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// ---------------------------------------------------------------- config

Check check_config(const std::vector<std::string>& files, const config::Report& report) {
  if (!report.ok()) {
    std::vector<std::string> lines;
    for (const auto& p : report.problems) lines.push_back(p.message);
    return {"config", false,
            plural(static_cast<int64_t>(lines.size()), "problem", "problems") +
                "; the plugin refuses to start:\n" + join(lines, "\n")};
  }
  const auto& c = report.config;
  return {"config", true,
          "valid (" + join(files, " + ") + "): unit " + c.unit_id + ", role " + config::to_string(c.role)};
}

// ------------------------------------------------------------------ keys

std::string user_name(uid_t uid) {
  if (const passwd* pw = ::getpwuid(uid)) return pw->pw_name;
  return "uid " + std::to_string(uid);
}

// A key must be readable by its owner only, and owned by the account that
// runs the plugin (the package's system user), root, or whoever runs this.
Check check_key_file(const std::string& name, const std::string& path, const std::string& purpose) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return {name, false, path + " is missing (" + purpose + ")"};
  }
  if (!S_ISREG(st.st_mode)) return {name, false, path + " is not a regular file (" + purpose + ")"};
  const unsigned mode = st.st_mode & 07777;
  if (mode & 077) {
    char octal[8];
    std::snprintf(octal, sizeof octal, "%04o", mode);
    return {name, false,
            path + " has mode " + octal + ": expected 0600 (owner only); fix: chmod 600 " + path};
  }
  std::vector<uid_t> allowed = {0, ::geteuid()};
  if (const passwd* pw = ::getpwnam("mdt-coresponder")) allowed.push_back(pw->pw_uid);
  bool owner_ok = false;
  for (uid_t u : allowed) owner_ok = owner_ok || st.st_uid == u;
  if (!owner_ok) {
    return {name, false,
            path + " is owned by " + user_name(st.st_uid) +
                ": expected mdt-coresponder or root; fix: chown mdt-coresponder " + path};
  }
  std::string detail = path + " present, mode 0600, owner " + user_name(st.st_uid);
  if (::access(path.c_str(), R_OK) != 0) detail += " (not readable by this user, as it should be)";
  return {name, true, detail};
}

// ----------------------------------------------------------------- cache

std::vector<Check> check_cache(const config::Config& c) {
  const std::string key = c.cache_key_file.empty() ? c.cache_db + ".key" : c.cache_key_file;
  std::vector<Check> out;
  if (!exists(c.cache_db)) {
    out.push_back({"cache", false,
                   "no cache at " + c.cache_db +
                       ": the MDT shows \"flags unavailable\" on every call; import a registry export "
                       "(mdt-coresponder cache import FILE --db " + c.cache_db + ") or wait for the first sync"});
    out.push_back({"cache key", false, key + " is missing (no cache yet)"});
    return out;
  }
  out.push_back(check_key_file("cache key", key, "the key that decrypts the flag cache"));

  cache::OpenOptions options;
  options.db_path = c.cache_db;
  options.key_path = c.cache_key_file;
  options.create_if_missing = false;
  options.max_age_h = c.cache_max_age_h;
  auto opened = cache::Cache::open(options);
  if (!opened.ok()) {
    out.push_back({"cache", false, "cannot open " + c.cache_db + ": " + opened.error().message});
    return out;
  }
  if (auto verified = opened->verify(); !verified.ok()) {
    out.push_back({"cache", false,
                   c.cache_db + " failed its integrity check: " + verified.error().message +
                       "; the MDT shows \"flags unavailable\"; re-import a registry snapshot"});
    return out;
  }
  auto stats = opened->stats();
  if (!stats.ok()) {
    out.push_back({"cache", false, "cannot read statistics of " + c.cache_db + ": " + stats.error().message});
    return out;
  }
  out.push_back({"cache", true,
                 c.cache_db + " intact: " + plural(stats->premises, "premise", "premises") + ", " +
                     plural(stats->flags, "flag", "flags") + ", schema " + std::to_string(stats->schema_version) +
                     ", registry version " + std::to_string(stats->registry_version)});
  const int64_t limit_s = static_cast<int64_t>(c.cache_max_age_h) * 3600;
  if (!stats->age_s) {
    out.push_back({"cache age", false, "never synced from the flag registry: flags are shown as unavailable"});
  } else if (*stats->age_s > limit_s) {
    out.push_back({"cache age", false,
                   "last sync " + age_words(*stats->age_s) + " ago (" + stats->last_sync +
                       "), older than cache.max_age_h = " + std::to_string(c.cache_max_age_h) +
                       ": the MDT shows \"flags " + std::to_string(*stats->age_s / 3600) +
                       " hours old\"; check the registry sync"});
  } else {
    out.push_back({"cache age", true, "last sync " + age_words(*stats->age_s) + " ago (" + stats->last_sync + ")"});
  }
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

std::string gps_precheck(const config::Config& c) {
  // The car's router (tcp://, udp://) has no device node to look at.
  if (c.gps_port.empty() || c.gps_port == "auto" || c.gps_port.find("://") != std::string::npos) return "";
  struct stat st {};
  if (::stat(c.gps_port.c_str(), &st) != 0) {
    return c.gps_port + " is not present: receiver unplugged or on another port "
                        "(list them with: mdt-coresponder gps ports)";
  }
  if (!S_ISCHR(st.st_mode)) return c.gps_port + " is not a serial device";
  if (::access(c.gps_port.c_str(), R_OK | W_OK) != 0) {
    return "permission denied on " + c.gps_port + ": add the user running the plugin to the dialout group";
  }
  return "";
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
    return {"gps", true, source + at + speaking + ", " + fix_words(*live.fix)};
  }
  if (live.nmea_seen || status.counters.sentences > 0) {
    return {"gps", true,
            source + at + speaking + " (" + std::to_string(status.counters.sentences) +
                " messages) but no position fix yet: antenna covered or indoors?"};
  }
  std::string why = status.detail.empty() ? "" : " (" + status.detail + ")";
  const bool router = where.find("://") != std::string::npos;
  return {"gps", false,
          (router ? "no NMEA or TAIP from " : "no NMEA from ") +
              (where == "auto" ? std::string("any serial port") : where) + " within " +
              plural(timeout_s, "second", "seconds") + why +
              (router ? ": router off, wrong address, or its GPS output not enabled"
                      : ": wrong port or baud, or the receiver is off")};
}

Check clock_result(const LiveState& live) {
  if (live.fix && live.fix->time_ms) {
    const int64_t skew = live.fix_system_ms - *live.fix->time_ms;
    const int64_t skew_s = (skew < 0 ? -skew : skew) / 1000;
    if ((skew < 0 ? -skew : skew) > kMaxClockSkewMs) {
      return {"clock", false,
              "system clock is " + plural(skew_s, "second", "seconds") + (skew > 0 ? " ahead of" : " behind") +
                  " GPS time: fix time sync (NTP/chrony); dispatch times and flag expiry depend on it"};
    }
    return {"clock", true, "system clock agrees with GPS time (within " + std::to_string(kMaxClockSkewMs / 1000) + " s)"};
  }
  const std::time_t now = std::time(nullptr);
  // The package cannot have been built before 2026: an earlier date means a
  // flat RTC battery or a clock that never synced.
  if (now < 1767225600) {  // 2026-01-01T00:00:00Z
    return {"clock", false, "system clock reads " + utc_text(now) + ", before this software existed: set the time"};
  }
  return {"clock", true, "not compared with GPS (no fix); system clock reads " + utc_text(now)};
}

std::string hello_json(const config::Config& c) {
  Poco::JSON::Object hello;
  hello.set("role", std::string(config::to_string(c.role)));
  hello.set("name", c.unit_name.empty() ? c.unit_id : c.unit_name);
  // A gateway can tell the doctor's short visit from the plugin starting.
  hello.set("diagnostic", true);
  std::ostringstream out;
  Poco::JSON::Stringifier::stringify(hello, out);
  return out.str();
}

Check cad_result(const config::Config& c, const std::string& start_error, const LiveState& live, int timeout_s,
                 bool curve) {
  const std::string ep = c.cad_subscribe_endpoint;
  const std::string security = curve ? "CURVE on" : "CURVE off: dispatches are not authenticated";
  if (!start_error.empty()) return {"cad link", false, "cannot start the CAD link: " + start_error};
  if (live.link_up && live.heartbeats > 0) {
    return {"cad link", true, "gateway " + ep + " reachable, heartbeats arriving (" + security + ")"};
  }
  if (live.link_up) {
    return {"cad link", false,
            "gateway " + ep + " answered but sent no heartbeat within " + plural(timeout_s, "second", "seconds") +
                ": the gateway's publisher may be stuck"};
  }
  std::string hint = curve ? "; with CURVE a wrong cad.server_public_key or an unregistered client key looks "
                             "exactly like this"
                           : "";
  return {"cad link", false,
          "no message from the CAD gateway at " + ep + " within " + plural(timeout_s, "second", "seconds") +
              ": is the gateway up and reachable from this car (VPN, firewall)?" + hint};
}

// Who the officer's request panel will list right now: a fleet admin can see
// at a glance that a new roster says what the program meant.
Check check_schedule(const config::Config& c) {
  if (c.coresponder_schedule_file.empty())
    return {"schedule", true, "no co-responder schedule configured: the request panel lists nobody, CAD routes requests"};
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  localtime_r(&t, &tm);
  std::string names;
  for (const auto* shift : config::on_duty(c.coresponder_schedule, (tm.tm_wday + 6) % 7, tm.tm_hour * 60 + tm.tm_min))
    names += (names.empty() ? "" : ", ") + shift->unit + (shift->name.empty() ? "" : " (" + shift->name + ")");
  return {"schedule", true,
          plural(static_cast<int>(c.coresponder_schedule.size()), "shift", "shifts") + " in " +
              c.coresponder_schedule_file + "; " +
              (names.empty() ? "no co-responder scheduled now" : "on duty now: " + names)};
}

// One question to the flag registry, as the plugin's sync would ask it, and
// nothing fetched: fleet IT sees whether the registry answers this car and
// whether the cache is behind, without waiting for the next sync interval.
Check check_registry(const config::Config& c, int timeout_s) {
  if (c.registry_endpoint.empty())
    return {"registry", true, "not configured (registry.endpoint is empty): flags come only from imported files"};
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
      return {"registry", false, "registry.server_public_key is set but no client key file is (registry.client_key_file "
                                 "or cad.client_key_file): the registry cannot be asked with CURVE"};
    auto pair = bridge::read_curve_key_file(key_file);
    if (!pair) return {"registry", false, "cannot ask the flag registry at " + ep + ": " + pair.error().message};
    o.server_public_key = c.registry_server_public_key;
    o.client_public_key = pair->public_key;
    o.client_secret_key = pair->secret_key;
  }
  std::optional<int64_t> held;
  cache::OpenOptions co;
  co.db_path = c.cache_db;
  co.create_if_missing = false;
  if (auto opened = cache::Cache::open(co); opened.ok()) held = opened->synced_version();
  bridge::RegistrySync sync(o, [held] { return held; },
                            [](std::string_view, int64_t, const std::string&) -> Status {
                              return make_error("doctor.read_only", "the doctor applies nothing");
                            });
  auto answer = sync.probe(std::chrono::seconds(timeout_s));
  const std::string holds = held ? "the cache holds version " + std::to_string(*held) : "the cache holds nothing from it yet";
  const std::string security = curve ? "CURVE on" : "CURVE off";
  if (!answer && answer.error().code == "sync.config")
    return {"registry", false, "cannot ask the flag registry at " + ep + ": " + answer.error().message};
  if (!answer) {
    const std::string hint = answer.error().code == "sync.timeout" && curve
                                 ? "; with CURVE a wrong registry.server_public_key or an unregistered client key "
                                   "looks exactly like this"
                                 : "";
    return {"registry", false,
            "no answer from the flag registry: " + answer.error().message +
                " (is it up and reachable from this car: VPN, firewall?)" + hint};
  }
  if (answer->type == "up_to_date")
    return {"registry", true, "registry " + ep + " answers: up to date at version " + std::to_string(answer->version) +
                                  " (" + security + ")"};
  if (answer->type == "offer")
    return {"registry", true, "registry " + ep + " answers: offers " + answer->mode + " version " +
                                  std::to_string(answer->version) + "; " + holds +
                                  "; the plugin fetches it at its next sync (" + security + ")"};
  return {"registry", false, "registry " + ep + " refused this unit: " + answer->code +
                                 (answer->message.empty() ? "" : ": " + answer->message)};
}

std::vector<Check> check_live(const config::Config& c, int timeout_s) {
  LiveState live;
  const auto deadline = Clock::now() + std::chrono::seconds(timeout_s);

  // GPS: started first, runs while the CAD link connects.
  const bool want_gps = !c.gps_port.empty();
  std::string gps_problem = want_gps ? gps_precheck(c) : "";
  std::unique_ptr<gps::Reader> reader;
  std::string reader_error;
  if (want_gps && gps_problem.empty()) {
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
  lo.subscribe_endpoint = c.cad_subscribe_endpoint;
  lo.dealer_endpoint = c.cad_dealer_endpoint;
  lo.heartbeat_timeout_s = c.cad_heartbeat_timeout_s;
  lo.max_message_bytes = static_cast<std::size_t>(c.cad_max_message_bytes);
  lo.hello_json = hello_json(c);
  std::string link_error;
  const bool curve = !c.cad_server_public_key.empty();
  if (curve) {
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
  if (link_error.empty()) {
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
  if (!want_gps) {
    out.push_back({"gps", true, "not configured (gps.port is empty): positions are not used"});
  } else if (!gps_problem.empty()) {
    out.push_back({"gps", false, gps_problem});
  } else if (!reader_error.empty()) {
    out.push_back({"gps", false, "cannot start the GPS reader: " + reader_error});
  } else {
    out.push_back(gps_result(c, gps_status, live, timeout_s));
  }
  out.push_back(clock_result(live));
  out.push_back(cad_result(c, link_error, live, timeout_s, curve));
  return out;
}

// ---------------------------------------------------------------- output

void print_text(const std::vector<Check>& checks, std::ostream& out) {
  int failed = 0;
  for (const auto& c : checks) failed += c.ok ? 0 : 1;
  for (const auto& c : checks) {
    std::string name = c.name;
    name.resize(10, ' ');
    std::string detail = c.detail;
    for (std::size_t pos = 0; (pos = detail.find('\n', pos)) != std::string::npos; pos += 1) {
      detail.insert(pos + 1, std::string(18, ' '));
    }
    out << (c.ok ? "  ok    " : "  FAIL  ") << name << detail << "\n";
  }
  out << (failed == 0 ? std::string("all checks passed")
                      : plural(failed, "check", "checks") + " failed")
      << "\n";
}

void print_json(const std::vector<Check>& checks, std::ostream& out) {
  bool all_ok = true;
  Poco::JSON::Array array;
  for (const auto& c : checks) {
    all_ok = all_ok && c.ok;
    Poco::JSON::Object::Ptr item = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    item->set("name", c.name);
    item->set("ok", c.ok);
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
         "  --json           one JSON object for fleet monitoring\n"
         "  --timeout-s N    how long to wait for GPS, CAD heartbeats and the registry (default 10)\n"
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
  std::vector<std::string> files;
  if (vm.count("config")) {
    files = vm["config"].as<std::vector<std::string>>();
  } else {
    files.push_back(kFleetFile);
    if (exists(kUnitFile)) files.push_back(kUnitFile);
  }

  std::vector<Check> checks;
  const config::Report report = config::check(files, config::environment_overrides());
  checks.push_back(check_config(files, report));
  // With an invalid config the remaining checks still run, on the values
  // that were valid (defaults elsewhere), so one visit finds every problem.
  const config::Config& c = report.config;
  if (c.cad_client_key_file.empty()) {
    checks.push_back({"cad key", true, "no client key configured: CURVE is off for the CAD link"});
  } else {
    checks.push_back(check_key_file("cad key", c.cad_client_key_file, "this unit's CURVE key pair for the CAD link"));
  }
  for (auto& check : check_cache(c)) checks.push_back(std::move(check));
  if (c.role == config::Role::patrol) checks.push_back(check_schedule(c));
  for (auto& check : check_live(c, timeout_s)) checks.push_back(std::move(check));
  checks.push_back(check_registry(c, timeout_s));

  if (vm.count("json")) {
    print_json(checks, std::cout);
  } else {
    print_text(checks, std::cout);
  }
  for (const auto& check : checks) {
    if (!check.ok) return 1;
  }
  return 0;
}

}  // namespace mdtc::cli
