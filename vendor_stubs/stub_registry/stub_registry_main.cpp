// stub-registry: writes fictional registry export v1 files, as the county
// flag registry would publish them, for the demo and for load tests; and
// serves a directory of them over sync protocol v1, as the registry's sync
// service would.
//
//   stub-registry [--premises N] [--mode snapshot|delta] [--version V] [--seed S] [--out FILE]
//   stub-registry --serve ENDPOINT --dir DIR [--curve-secret-file F] [--chunk-bytes N]
//                 [--stop-after-chunks N] [--corrupt-chunk N] [--corrupt-always] [--identity-only]
//                 [--zstd-level N] [--corrupt-zstd] [--delta-ahead-once] [--gone-always]
//                 [--chunk-delay-ms N]
#include <boost/program_options.hpp>
#include <atomic>
#include <csignal>
#include <fstream>
#include <iostream>
#include <sstream>

#include "mdtc/bridge.h"
#include "mdtc/registry_line.h"
#include "mdtc/registry_sync.h"
#include "registry_compressor.h"
#include "registry_generator.h"
#include "registry_server.h"

namespace {

std::atomic<bool> g_stop{false};
extern "C" void on_signal(int) { g_stop = true; }

int serve_main(const std::string& endpoint, const std::string& dir, const std::string& key_file, uint32_t chunk_bytes,
               uint64_t stop_after, uint64_t corrupt, bool corrupt_always, bool identity_only, int zstd_level,
               bool corrupt_zstd, bool delta_ahead_once, bool gone_always, uint32_t chunk_delay_ms) {
  mdtc::stub_registry::ServerOptions so;
  so.endpoint = endpoint;
  so.dir = dir;
  so.chunk_bytes = chunk_bytes;
  so.stop_after_chunks = stop_after;
  so.corrupt_chunk = corrupt;
  so.corrupt_always = corrupt_always;
  so.identity_only = identity_only;
  so.zstd_level = zstd_level;
  so.corrupt_zstd = corrupt_zstd;
  so.delta_ahead_once = delta_ahead_once;
  so.gone_always = gone_always;
  so.chunk_delay_ms = chunk_delay_ms;
  if (!key_file.empty()) {
    auto keys = mdtc::bridge::read_curve_key_file(key_file, true);
    if (!keys) {
      std::cerr << "stub-registry: " << keys.error().message << "\n";
      return 2;
    }
    so.curve_secret_key = keys->secret_key;
  }
  std::signal(SIGTERM, on_signal);
  std::signal(SIGINT, on_signal);
  return mdtc::stub_registry::serve(
      so, g_stop, [] { std::cout << "stub-registry ready" << std::endl; },
      [](const std::string& line) { std::cout << "[registry] " << line << std::endl; });
}

int complete_main(const std::string& in_path, const std::string& out_path) {
  std::ifstream in(in_path, std::ios::binary);
  std::ostringstream text;
  if (!in || !(text << in.rdbuf())) {
    std::cerr << "stub-registry: cannot read " << in_path << "\n";
    return 1;
  }
  auto complete = mdtc::cache::complete_registry_file(text.str());
  if (!complete) {
    std::cerr << "stub-registry: " << in_path << ": " << complete.error().message << "\n";
    return 1;
  }
  if (out_path.empty()) {
    std::cout << *complete;
    return std::cout.flush() ? 0 : 1;
  }
  std::ofstream out(out_path, std::ios::binary | std::ios::trunc);
  if (!(out << *complete) || !out.flush()) {
    std::cerr << "stub-registry: write to " << out_path << " failed\n";
    return 1;
  }
  return 0;
}

}  // namespace

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
      "out", po::value<std::string>(&out_path), "output file (default: standard output)")(
      "complete", po::value<std::string>(),
      "write this export (header and records) again with header counts and trailer: moving a file to the "
      "complete form")(
      "serve", po::value<std::string>(), "serve --dir over sync protocol v1 on this ZeroMQ endpoint")(
      "dir", po::value<std::string>(), "directory of export files to serve (*.jsonl with a header line)")(
      "curve-secret-file", po::value<std::string>(), "CURVE server key pair file (keys generate); default: no CURVE")(
      "chunk-bytes", po::value<uint32_t>()->default_value(256 << 10), "largest chunk sent")(
      "stop-after-chunks", po::value<uint64_t>()->default_value(0), "fault: exit 3 after sending N chunks")(
      "corrupt-chunk", po::value<uint64_t>()->default_value(0), "fault: flip a byte in the Nth chunk sent")(
      "corrupt-always", "fault: flip a byte in the first chunk of every transfer (served bytes that never match "
                        "the SHA-256 offered)")(
      "identity-only", "behave as a registry from before compressed transfer: ignore accept_encoding, serve "
                       "every file as written")(
      "zstd-level", po::value<int>()->default_value(mdtc::stub_registry::kDefaultZstdLevel),
      "zstd level of the compressed copies (1-19)")(
      "corrupt-zstd", "fault: damage each zstd stream before its wire SHA-256 is taken (a broken compressor)")(
      "delta-ahead-once", "fault: once, offer a unit the delta after the one it needs (a registry that skipped one)")(
      "gone-always", "fault: answer every fetch with gone while the file goes on being offered")(
      "chunk-delay-ms", po::value<uint32_t>()->default_value(0),
      "fault: send each chunk this many milliseconds after its fetch (a slow, steady link)");
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
  if (vm.count("serve")) {
    const uint32_t chunk = vm["chunk-bytes"].as<uint32_t>();
    const int level = vm["zstd-level"].as<int>();
    if (level < 1 || level > 19) {
      std::cerr << "stub-registry: --zstd-level is 1 to 19\n";
      return 2;
    }
    if (!vm.count("dir") || chunk == 0 || chunk > mdtc::bridge::kMaxChunkBytes) {
      std::cerr << "stub-registry: --serve needs --dir; --chunk-bytes is 1 to " << mdtc::bridge::kMaxChunkBytes
                << "\n";
      return 2;
    }
    return serve_main(vm["serve"].as<std::string>(), vm["dir"].as<std::string>(),
                      vm.count("curve-secret-file") ? vm["curve-secret-file"].as<std::string>() : "", chunk,
                      vm["stop-after-chunks"].as<uint64_t>(), vm["corrupt-chunk"].as<uint64_t>(),
                      vm.count("corrupt-always") > 0, vm.count("identity-only") > 0, level, vm.count("corrupt-zstd") > 0,
                      vm.count("delta-ahead-once") > 0, vm.count("gone-always") > 0,
                      vm["chunk-delay-ms"].as<uint32_t>());
  }
  if (vm.count("complete")) return complete_main(vm["complete"].as<std::string>(), out_path);
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
