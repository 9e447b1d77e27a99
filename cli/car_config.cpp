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

}  // namespace mdtc::cli
