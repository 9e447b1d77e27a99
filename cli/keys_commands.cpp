// `mdt-coresponder keys generate --out FILE [--force]`: a CURVE key pair
// for the CAD link, written mode 0600; the public key is printed so fleet
// IT can register it with the gateway.
#include <boost/program_options.hpp>

#include <iostream>

#include "commands.h"
#include "mdtc/bridge.h"

namespace po = boost::program_options;

namespace mdtc::cli {
namespace {

int generate(const Args& args) {
  std::string out;
  bool force = false;
  po::options_description desc("mdt-coresponder keys generate");
  desc.add_options()("help,h", "this text")
      ("out", po::value(&out), "key pair file to write (mode 0600)")
      ("force", po::bool_switch(&force), "replace an existing file");
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(desc).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "mdt-coresponder keys generate: " << e.what() << "\n" << desc;
    return 2;
  }
  if (vm.count("help")) {
    std::cout << desc;
    return 0;
  }
  if (out.empty()) {
    std::cerr << "mdt-coresponder keys generate: --out FILE is required\n" << desc;
    return 2;
  }
  auto keys = bridge::generate_curve_key_pair();
  if (!keys) {
    std::cerr << "mdt-coresponder keys generate: " << keys.error().message << "\n";
    return 1;
  }
  if (auto r = bridge::write_curve_key_file(out, keys.value(), force); !r) {
    std::cerr << "mdt-coresponder keys generate: " << r.error().message << "\n";
    return 1;
  }
  std::cout << keys->public_key << "\n";
  return 0;
}

}  // namespace

int keys_command(const Args& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    (args.empty() ? std::cerr : std::cout)
        << "usage: mdt-coresponder keys generate --out FILE [--force]\n";
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "generate") return generate(Args(args.begin() + 1, args.end()));
  std::cerr << "mdt-coresponder keys: unknown subcommand '" << args[0] << "'; expected generate\n";
  return 2;
}

}  // namespace mdtc::cli
