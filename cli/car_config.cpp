#include "car_config.h"

#include <filesystem>

#include "mdtc/state_lock.h"

namespace mdtc::cli {

std::vector<std::string> plugins_running_beside(const std::string& db_path) {
  return StateLock::holders_in(std::filesystem::path(db_path).parent_path().string());
}

Result<Ok> refuse_under_running_plugin(const std::string& db_path, const std::string& what) {
  const std::string dir = std::filesystem::path(db_path).parent_path().string();
  const auto holders = plugins_running_beside(db_path);
  if (holders.empty()) return Ok{};
  std::string who;
  for (const auto& h : holders) who += (who.empty() ? "" : ", ") + h;
  return make_error("cache.in_use", "a running plugin holds its lock in " + (dir.empty() ? std::string(".") : dir) +
                                        ": " + who + "; it keeps the cache open and syncs it itself: stop the MDT "
                                        "host first, then " + what);
}

std::vector<std::string> config_layers(const std::vector<std::string>& given) {
  if (!given.empty()) return given;
  std::vector<std::string> files{kFleetFile};
  std::error_code ec;
  if (std::filesystem::exists(kUnitFile, ec)) files.push_back(kUnitFile);
  return files;
}

config::Report load_car_config(const std::vector<std::string>& files) {
  return config::check(files, config::environment_overrides());
}

Result<config::Config> cache_command_config(const std::vector<std::string>& config, const std::string* db,
                                            const std::string* key, std::ostream& err) {
  config::Config car;
  if (!config.empty() || !db) {
    const config::Report report = load_car_config(config_layers(config));
    if (!report.ok()) {
      for (const auto& p : report.problems) err << p.message << "\n";
      return make_error("config.invalid", "the configuration has " + std::to_string(report.problems.size()) +
                                              " problem(s); fix them first (mdt-coresponder config check)");
    }
    car = report.config;
  }
  if (db) {
    car.cache_db = *db;
    if (config.empty()) car.cache_key_file.clear();
  }
  if (key) car.cache_key_file = *key;
  return car;
}

}  // namespace mdtc::cli
