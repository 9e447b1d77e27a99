// mdt-coresponder: the admin and diagnostics CLI (subcommand names are a
// contract: fleet scripts and acceptance checks call them).
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "commands.h"

namespace {

void usage(std::ostream& out) {
  out << "usage: mdt-coresponder <command> [args]\n"
         "  version                     package, commit and interface versions\n"
         "  doctor [--config FILE...]   check config, keys, cache, GPS, CAD and registry links\n"
         "  gps decode [FILE|-]         NMEA in, one JSON fix per line out\n"
         "  gps ports                   list serial ports\n"
         "  gps monitor --port P        live fixes and sentence counts\n"
         "  cache import FILE --db PATH registry export v1 into the cache\n"
         "  cache match ADDRESS --db PATH [--lat X --lon Y]\n"
         "  cache stats|verify|purge|reset --db PATH\n"
         "  cache audit [--incident ID] [--unit U] [--since T] [--until T] --db PATH   flags shown, by whom, when\n"
         "  cache sync --db PATH --endpoint E   one sync with the flag registry\n"
         "  keys generate --out FILE    CURVE key pair for the CAD link\n"
         "  config check FILE...        validate configuration files\n"
         "  config defaults             the built-in defaults as INI\n"
         "  outcomes export --csv|--json [--deidentified] [--from D --to D] --db PATH\n"
         "  outcomes summary [--json] [--from D --to D] --db PATH   program figures\n";
}

}  // namespace

int main(int argc, char** argv) {
  using namespace mdtc::cli;
  const std::map<std::string, int (*)(const Args&)> commands = {
      {"version", version_command}, {"doctor", doctor_command}, {"gps", gps_command},
      {"cache", cache_command},     {"keys", keys_command},     {"config", config_command},
      {"outcomes", outcomes_command},
  };
  if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h") {
    usage(argc < 2 ? std::cerr : std::cout);
    return argc < 2 ? 2 : 0;
  }
  auto it = commands.find(argv[1]);
  if (it == commands.end()) {
    std::cerr << "mdt-coresponder: unknown command '" << argv[1] << "'\n";
    usage(std::cerr);
    return 2;
  }
  try {
    return it->second(Args(argv + 2, argv + argc));
  } catch (const std::exception& e) {
    std::cerr << "mdt-coresponder " << argv[1] << ": " << e.what() << "\n";
    return 1;
  }
}
