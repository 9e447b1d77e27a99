// `mdt-coresponder config check [--print] [--no-env] FILE...`: the same
// layering and validation the plugin does at start-up, run before a config
// is pushed. `config defaults` prints the built-in defaults as a starting file.
#include <boost/program_options.hpp>
#include <iostream>

#include "commands.h"
#include "mdtc/config.h"

namespace mdtc::cli {
namespace {

namespace po = boost::program_options;

// The options with their help text; the usage prints them all, so an option
// cannot be accepted without being listed.
po::options_description check_options() {
  po::options_description options("config check options");
  options.add_options()("help,h", "show this help")(
      "print", "after \"ok\", print the effective configuration as INI")(
      "no-env", "leave MDTC_<SECTION>_<KEY> environment variables out (the plugin and doctor apply them)")(
      "env", "accepted for old scripts; the environment is applied by default");
  return options;
}

void config_usage(std::ostream& out) {
  out << "usage: mdt-coresponder config check [--print] [--no-env] FILE...\n"
         "       mdt-coresponder config defaults\n"
         "  check     validate FILEs as layers (fleet file first, then overrides), then the\n"
         "            MDTC_* environment as the plugin does; prints warnings, then \"ok\" or\n"
         "            every problem, one per line; exit 0 ok, 1 problems, 2 usage\n"
         "  defaults  print the built-in defaults as INI (unit.id and unit.role have none)\n"
      << check_options();
}

int check_command(const Args& args) {
  po::options_description options = check_options();
  options.add_options()("file", po::value<std::vector<std::string>>()->default_value({}, ""), "");
  po::positional_options_description positional;
  positional.add("file", -1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(options).positional(positional).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "mdt-coresponder config check: " << e.what() << "\n";
    config_usage(std::cerr);
    return 2;
  }
  if (vm.count("help")) {
    config_usage(std::cout);
    return 0;
  }
  const auto& files = vm["file"].as<std::vector<std::string>>();
  if (files.empty()) {
    std::cerr << "mdt-coresponder config check: no FILE given\n";
    config_usage(std::cerr);
    return 2;
  }
  if (vm.count("env") && vm.count("no-env")) {
    std::cerr << "mdt-coresponder config check: --env and --no-env contradict each other\n";
    return 2;
  }
  config::Report report = config::check(
      files, vm.count("no-env") ? std::map<std::string, std::string>{} : config::environment_overrides());
  for (const auto& w : report.warnings) std::cout << "warning: " << w.message << "\n";
  if (!report.ok()) {
    for (const auto& p : report.problems) std::cout << p.message << "\n";
    std::cout << report.problems.size() << (report.problems.size() == 1 ? " problem" : " problems")
              << "; the plugin would refuse to start with this configuration\n";
    return 1;
  }
  std::cout << "ok\n";
  if (vm.count("print")) std::cout << "\n" << config::to_ini(report.config);
  return 0;
}

}  // namespace

int config_command(const Args& args) {
  if (args.empty()) {
    config_usage(std::cerr);
    return 2;
  }
  if (args[0] == "check") return check_command(Args(args.begin() + 1, args.end()));
  if (args[0] == "defaults" && args.size() == 1) {
    std::cout << config::defaults_ini();
    return 0;
  }
  if (args[0] == "--help" || args[0] == "-h") {
    config_usage(std::cout);
    return 0;
  }
  std::cerr << "mdt-coresponder config: unknown subcommand '" << args[0] << "'\n";
  config_usage(std::cerr);
  return 2;
}

}  // namespace mdtc::cli
