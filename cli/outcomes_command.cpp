// `mdt-coresponder outcomes export --csv --db PATH`: the clinician unit's
// outcome records for program reporting; summary figures go to stderr so
// stdout stays a clean CSV.
#include <boost/program_options.hpp>
#include <iostream>

#include "commands.h"
#include "outcome_store.h"

namespace mdtc::cli {

int outcomes_command(const Args& args) {
  namespace po = boost::program_options;
  std::string db;
  po::options_description desc("outcomes export options");
  desc.add_options()("help,h", "show this help")("csv", "write CSV (the only format)")(
      "db", po::value(&db)->required(), "outcome store, e.g. /var/lib/mdt-coresponder/outcomes-CR7.db");
  if (args.empty() || args[0] != "export") {
    std::cerr << "usage: mdt-coresponder outcomes export --csv --db PATH\n" << desc;
    return 2;
  }
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(Args(args.begin() + 1, args.end())).options(desc).run(), vm);
    if (vm.count("help")) {
      std::cout << "usage: mdt-coresponder outcomes export --csv --db PATH\n" << desc;
      return 0;
    }
    po::notify(vm);
  } catch (const std::exception& e) {
    std::cerr << "mdt-coresponder outcomes: " << e.what() << "\n";
    return 2;
  }
  auto store = plugin::OutcomeStore::open(db);
  if (!store) {
    std::cerr << "mdt-coresponder outcomes: " << store.error().message << "\n";
    return 1;
  }
  auto all = store->all();
  if (!all) {
    std::cerr << "mdt-coresponder outcomes: " << all.error().message << "\n";
    return 1;
  }
  plugin::write_outcomes_csv(*all, std::cout);
  plugin::write_outcomes_summary(*all, std::cerr);
  return 0;
}

}  // namespace mdtc::cli
