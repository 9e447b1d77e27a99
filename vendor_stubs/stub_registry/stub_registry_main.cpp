// stub-registry: writes fictional registry export v1 files, as the county
// flag registry would publish them, for the demo and for load tests.
//
//   stub-registry [--premises N] [--mode snapshot|delta] [--version V] [--seed S] [--out FILE]
#include <boost/program_options.hpp>
#include <fstream>
#include <iostream>

#include "registry_generator.h"

int main(int argc, char** argv) {
  namespace po = boost::program_options;
  mdtc::stub_registry::GeneratorOptions opt;
  std::string out_path;
  po::options_description desc("stub-registry: write a fictional flag registry export (JSON Lines)");
  desc.add_options()("help,h", "this text")(
      "premises", po::value<int64_t>(&opt.premises)->default_value(100), "premises in the snapshot numbering")(
      "mode", po::value<std::string>(&opt.mode)->default_value("snapshot"), "snapshot or delta")(
      "version", po::value<int64_t>(&opt.version)->default_value(1), "export version (header)")(
      "seed", po::value<uint64_t>(&opt.seed)->default_value(1), "random seed; same seed, same file")(
      "out", po::value<std::string>(&out_path), "output file (default: standard output)");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "stub-registry: " << e.what() << "\n" << desc;
    return 2;
  }
  if (vm.count("help")) {
    std::cout << desc;
    return 0;
  }
  if ((opt.mode != "snapshot" && opt.mode != "delta") || opt.premises < 0 || opt.version < 0) {
    std::cerr << "stub-registry: --mode must be snapshot or delta; --premises and --version >= 0\n";
    return 2;
  }
  int64_t lines = 0;
  if (out_path.empty()) {
    lines = mdtc::stub_registry::write_export(opt, std::cout);
  } else {
    std::ofstream out(out_path, std::ios::binary | std::ios::trunc);
    if (!out) {
      std::cerr << "stub-registry: cannot write " << out_path << "\n";
      return 1;
    }
    lines = mdtc::stub_registry::write_export(opt, out);
    if (!out.flush()) {
      std::cerr << "stub-registry: write to " << out_path << " failed\n";
      return 1;
    }
  }
  std::cerr << "stub-registry: wrote " << lines << " lines (" << opt.mode << " version " << opt.version << ")\n";
  return 0;
}
