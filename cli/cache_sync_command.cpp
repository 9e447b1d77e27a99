// `mdt-coresponder cache sync --db PATH --endpoint E`: one sync with the flag
// registry, to up to date, on the calling thread, printing a JSON report of
// what was fetched and applied and every counter. Fleet IT's first check when
// a car's flags look old. Works on a fresh path like the other cache
// subcommands; the transfer is staged, sealed, in PATH.sync.part (key in
// PATH.sync.key) and resumes on the next run if interrupted.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <boost/program_options.hpp>
#include <chrono>
#include <filesystem>
#include <iostream>

#include "cache_options.h"
#include "car_config.h"
#include "commands.h"
#include "mdtc/bridge.h"
#include "mdtc/cache.h"
#include "mdtc/registry_sync.h"

namespace mdtc::cli {
namespace {

namespace po = boost::program_options;
using Poco::JSON::Array;
using Poco::JSON::Object;

void sync_usage(std::ostream& out) {
  out << "usage: mdt-coresponder cache sync [--db PATH | --config FILE...] [--endpoint E]\n"
         "                                  [--server-key K --key-file F] [--unit ID] [--timeout-s N] [--key KEYFILE]\n"
         "  fetch and apply what the flag registry has after the version the cache holds\n"
         "  --config      the car's configuration layers (as doctor); gives cache.*, registry.* and unit.id;\n"
         "                without --config, --db alone uses the built-in defaults\n"
         "  --endpoint    the registry's sync service, e.g. tcp://registry.example:5560\n"
         "  --server-key  the registry's CURVE public key (Z85, or a file with a public= line)\n"
         "  --key-file    this unit's CURVE key pair (keys generate); needed with --server-key\n"
         "  --unit        identity to present (default unit.id, or mdtc-cli with --db alone)\n"
         "  --timeout-s   give up after this long (default 120)\n"
         "  --key         cache key file (default PATH.key)\n"
         "exit 0 when the cache is up to date, 1 when not, 2 on usage errors\n";
}

Object status_json(const bridge::RegistrySyncStatus& s) {
  Object o(Poco::JSON_PRESERVE_KEY_ORDER);
  o.set("state", s.state);
  if (s.version) o.set("version", *s.version);
  if (s.registry_version) o.set("registry_version", *s.registry_version);
  if (!s.last_success.empty()) o.set("last_success", s.last_success);
  if (!s.last_error.empty()) {
    o.set("error", s.last_error_code);
    o.set("message", s.last_error);
  }
  if (s.transfer_total) {
    Object t;
    t.set("version", s.transfer_version);
    t.set("mode", s.transfer_mode);
    t.set("bytes", s.transfer_bytes);
    t.set("total", s.transfer_total);
    o.set("transfer", t);
  }
  Object counters;
  for (const auto& [k, v] : s.counters) counters.set(k, v);
  o.set("counters", counters);
  // What the sync worked around (a staging key refused: the bytes held were
  // discarded): the plugin logs these; here nobody reads a log.
  Array warnings;
  for (const auto& w : s.warnings) warnings.add(w);
  o.set("warnings", warnings);
  return o;
}

// The JSON report of a sync that never started, and its line on stderr.
int refused(const Error& e) {
  Object o;
  o.set("ok", false);
  o.set("error", e.code);
  o.set("message", e.message);
  o.stringify(std::cout, 2);
  std::cout << "\n";
  std::cerr << "mdt-coresponder cache sync: " << e.message << "\n";
  return 1;
}

}  // namespace

int cache_sync_command(const Args& args) {
  po::options_description options("cache sync");
  options.add_options()("help,h", "")("db", po::value<std::string>(), "")("key", po::value<std::string>(), "")(
      "config", po::value<std::vector<std::string>>(), "")("endpoint", po::value<std::string>(), "")(
      "server-key", po::value<std::string>(), "")("key-file", po::value<std::string>(), "")(
      "unit", po::value<std::string>(), "")("timeout-s", po::value<int>()->default_value(120), "");
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(options).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "mdt-coresponder cache sync: " << e.what() << "\n";
    sync_usage(std::cerr);
    return 2;
  }
  if (vm.count("help")) {
    sync_usage(std::cout);
    return 0;
  }
  // The car's configuration (as the plugin reads it) gives the cache's rules
  // and the registry's address and keys; the options override single values.
  auto loaded = cache_command_config(
      vm.count("config") ? vm["config"].as<std::vector<std::string>>() : std::vector<std::string>{},
      vm.count("db") ? &vm["db"].as<std::string>() : nullptr, vm.count("key") ? &vm["key"].as<std::string>() : nullptr,
      std::cerr);
  if (!loaded) {
    std::cerr << "mdt-coresponder cache sync: " << loaded.error().message << "\n";
    return 1;
  }
  config::Config& car = *loaded;
  if (!vm.count("config") && vm.count("db")) car.unit_id = "mdtc-cli";
  if (vm.count("endpoint")) car.registry_endpoint = vm["endpoint"].as<std::string>();
  if (vm.count("unit")) car.unit_id = vm["unit"].as<std::string>();
  std::string server = vm.count("server-key") ? vm["server-key"].as<std::string>() : car.registry_server_public_key;
  std::string key_file = vm.count("key-file") ? vm["key-file"].as<std::string>()
                         : !car.registry_client_key_file.empty() ? car.registry_client_key_file
                                                                  : car.cad_client_key_file;
  if (server.empty()) key_file.clear();
  if (car.registry_endpoint.empty()) {
    std::cerr << "mdt-coresponder cache sync: no registry endpoint (--endpoint E or registry.endpoint)\n";
    sync_usage(std::cerr);
    return 2;
  }
  if (server.empty() != key_file.empty()) {
    std::cerr << "mdt-coresponder cache sync: --server-key and --key-file come together\n";
    return 2;
  }
  const int timeout_s = vm["timeout-s"].as<int>();
  if (timeout_s <= 0) {
    std::cerr << "mdt-coresponder cache sync: --timeout-s must be positive\n";
    return 2;
  }

  bridge::RegistrySyncOptions so;
  so.endpoint = car.registry_endpoint;
  so.identity = car.unit_id;
  so.request_timeout_ms = std::min(timeout_s, 10) * 1000;
  if (!server.empty()) {
    if (server.size() != 40 && std::filesystem::exists(server)) {
      auto pub = bridge::read_curve_key_file(server, false);
      if (!pub) {
        std::cerr << "mdt-coresponder cache sync: " << pub.error().message << "\n";
        return 1;
      }
      server = pub->public_key;
    }
    auto keys = bridge::read_curve_key_file(key_file);
    if (!keys) {
      std::cerr << "mdt-coresponder cache sync: " << keys.error().message << "\n";
      return 1;
    }
    so.server_public_key = server;
    so.client_public_key = keys->public_key;
    so.client_secret_key = keys->secret_key;
  }

  const cache::OpenOptions open = cache_open_options(car, CacheAccess::create_if_missing);
  if (auto busy = refuse_under_running_plugin(open.db_path, "cache sync"); !busy) return refused(busy.error());
  so.staging_path = open.db_path + ".sync";
  so.cache_path = open.db_path;
  auto opened = cache::Cache::open(open);
  if (!opened) return refused(opened.error());
  cache::Cache& c = *opened;
  const auto before = c.synced_version();

  Array applied;
  bridge::RegistrySync sync(
      so, [&]() -> bridge::RegistrySync::Holding { return {c.synced_version(), c.wants_snapshot()}; },
      [&](ByteSource& file, int64_t version, const std::string& mode) -> Status {
        cache::ImportOptions offered;  // the file must be what the registry said it is
        offered.offered_mode = mode;
        offered.offered_version = version;
        auto r = c.import_stream(file, "registry " + mode + " version " + std::to_string(version), offered);
        if (!r) return r.error();
        Object a(Poco::JSON_PRESERVE_KEY_ORDER);
        a.set("mode", mode);
        a.set("version", version);
        a.set("lines", r->lines);
        a.set("premises", r->premises);
        a.set("subjects", r->subjects);
        a.set("flags", r->flags);
        a.set("history", r->history);
        a.set("deletes", r->deletes);
        a.set("unknown_codes", r->unknown_codes);
        a.set("coordinates_only", r->coordinates_only);
        a.set("corners", r->corners);
        a.set("unfindable", r->unfindable);
        Array warnings;
        for (const auto& w : r->warnings) warnings.add(w);
        a.set("warnings", warnings);
        applied.add(a);
        return Ok{};
      },
      [&](int64_t) {
        // Heard from the registry: what the cache holds is current, which is
        // what its freshness means.
        if (auto r = c.mark_synced(); !r)
          std::cerr << "mdt-coresponder cache sync: could not record the check: " << r.error().message << "\n";
      });
  const auto status = sync.run_once(std::chrono::seconds(timeout_s));

  Object o(Poco::JSON_PRESERVE_KEY_ORDER);
  const bool ok = status.state == "current";
  o.set("ok", ok);
  o.set("db", open.db_path);
  o.set("endpoint", so.endpoint);
  o.set("curve", !so.server_public_key.empty());
  if (before) o.set("version_before", *before);
  o.set("applied", applied);
  Object st = status_json(status);
  for (const auto& name : st.getNames()) o.set(name, st.get(name));
  o.stringify(std::cout, 2);
  std::cout << "\n";
  for (const auto& w : status.warnings) std::cerr << "mdt-coresponder cache sync: warning: " << w << "\n";
  if (!ok) std::cerr << "mdt-coresponder cache sync: " << status.last_error << "\n";
  return ok ? 0 : 1;
}

}  // namespace mdtc::cli
