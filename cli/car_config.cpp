#include "car_config.h"

#include <filesystem>

namespace mdtc::cli {

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
