// A registry snapshot fetched and applied by `mdt-coresponder cache sync`
// from a real stub-registry on loopback, beside `mdt-coresponder cache
// import` of the same file in the same run: wall time and the peak resident
// memory of each process (wait4's ru_maxrss), and the bytes that crossed
// the wire. The sync streams the sealed staging file into the import and
// verifies the SHA-256 as it goes, so its memory should not grow with the
// file, and it should cost little more than the import it does. Each size is
// synced twice: from a registry serving zstd (the default) and from one
// playing a registry from before compressed transfer (--identity-only), the
// baseline for the bytes on the wire.
//
//   bench_registry_sync [--premises N[,N...]] [--rounds R] [--dir PATH]
//   bench_registry_sync --registry FILE [--rounds R] [--dir PATH]   (e.g. stub-registry --premises 1000000)
// Goals (issue 16): peak RSS of the syncing process <= 64 MB; sync wall /
// import wall <= 1.3; bytes on the wire / JSON Lines <= 0.2 with zstd. The
// default sizes are 10,000 and 100,000 premises.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "child_process.h"
#include "temp_dir.h"

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

const std::string kCli = MDTC_BINARY_DIR "/cli/mdt-coresponder";
const std::string kStub = MDTC_BINARY_DIR "/vendor_stubs/stub_registry/stub-registry";

struct Run {
  double wall_s = 0;
  double peak_mb = 0;
  int status = -1;
};

// Runs argv to completion with its output in `log`: its wall time and its
// own peak resident set (not this process's).
Run run(const std::vector<std::string>& argv, const std::string& log) {
  Run r;
  std::fflush(stdout);  // else the child writes this process's pending output too
  const auto t0 = Clock::now();
  const pid_t pid = ::fork();
  if (pid == 0) {
    std::FILE* f = std::freopen(log.c_str(), "w", stdout);
    (void)f;
    ::dup2(::fileno(stdout), 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  int status = 0;
  struct rusage ru {};
  ::wait4(pid, &status, 0, &ru);
  r.wall_s = std::chrono::duration<double>(Clock::now() - t0).count();
  r.peak_mb = static_cast<double>(ru.ru_maxrss) / 1024.0;
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

int free_port() {
  const int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t n = sizeof a;
  ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &n);
  const int port = ntohs(a.sin_port);
  ::close(s);
  return port;
}

// The counter `name` from `cache sync`'s JSON report in `log`; -1 if absent.
long long report_counter(const std::string& log, const std::string& name) {
  std::ifstream in(log);
  std::stringstream text;
  text << in.rdbuf();
  const std::string s = text.str(), key = "\"" + name + "\":";
  const auto at = s.find(key);
  return at == std::string::npos ? -1 : std::stoll(s.substr(at + key.size()));
}

void remove_db(const std::string& db) {
  for (const char* ext : {"", "-wal", "-shm", ".key", ".sync.part", ".sync.json", ".sync.key"})
    fs::remove(db + ext);
}

struct Totals {
  double worst_ratio = 0, worst_rss = 0, worst_wire = 0;
};

// One size: the file generated (or given), two registries serving it, and
// `rounds` of import, identity sync and zstd sync.
bool measure(const std::string& dir, const std::string& label, const std::string& file, int rounds, Totals& t) {
  const double raw = static_cast<double>(fs::file_size(file));
  const std::string served = fs::path(file).parent_path().string();
  struct Registry {
    std::string name, endpoint;
    std::unique_ptr<mdtc::test::ChildProcess> process;
  };
  std::vector<Registry> registries;
  for (const char* name : {"identity", "zstd"}) {
    Registry r{name, "tcp://127.0.0.1:" + std::to_string(free_port()), nullptr};
    const std::string log = dir + "/registry-" + name + ".log";
    std::vector<std::string> argv{kStub, "--serve", r.endpoint, "--dir", served};
    if (r.name == "identity") argv.push_back("--identity-only");
    r.process = std::make_unique<mdtc::test::ChildProcess>(argv, log);
    if (!mdtc::test::wait_for_line(log, [](const std::string& l) { return l.find("ready") != std::string::npos; },
                                   std::chrono::seconds(600))) {
      std::fprintf(stderr, "stub-registry --serve (%s) did not come up\n", name);
      return false;
    }
    registries.push_back(std::move(r));
  }

  std::printf("\nregistry snapshot: %.1f MB (%s)\n", raw / 1e6, label.c_str());
  std::printf("%-6s %-26s %10s %12s %14s %12s\n", "round", "process", "wall s", "peak RSS MB", "wire bytes",
              "wire / JSONL");
  bool ok = true;
  for (int r = 1; r <= rounds && ok; ++r) {
    const std::string idb = dir + "/imported.db";
    remove_db(idb);
    const Run imp = run({kCli, "cache", "import", file, "--db", idb}, dir + "/import.log");
    if (imp.status != 0) {
      std::fprintf(stderr, "import exited %d (logs in %s)\n", imp.status, dir.c_str());
      return false;
    }
    std::printf("%-6d %-26s %10.2f %12.1f %14s %12s\n", r, "cache import (baseline)", imp.wall_s, imp.peak_mb, "-",
                "-");
    for (const auto& reg : registries) {
      const std::string sdb = dir + "/synced-" + reg.name + ".db", log = dir + "/sync-" + reg.name + ".log";
      remove_db(sdb);
      const Run syn =
          run({kCli, "cache", "sync", "--db", sdb, "--endpoint", reg.endpoint, "--timeout-s", "3600"}, log);
      if (syn.status != 0) {
        std::fprintf(stderr, "sync from the %s registry exited %d (logs in %s)\n", reg.name.c_str(), syn.status,
                     dir.c_str());
        ok = false;
        break;
      }
      const long long wire = report_counter(log, "bytes_fetched");
      const double share = static_cast<double>(wire) / raw;
      const std::string what = "cache sync (" + reg.name + ")";
      std::printf("%-6d %-26s %10.2f %12.1f %14lld %12.3f\n", r, what.c_str(), syn.wall_s, syn.peak_mb, wire, share);
      t.worst_ratio = std::max(t.worst_ratio, syn.wall_s / imp.wall_s);
      t.worst_rss = std::max(t.worst_rss, syn.peak_mb);
      if (reg.name == "zstd") t.worst_wire = std::max(t.worst_wire, share);
    }
  }
  for (auto& reg : registries) reg.process->terminate();
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<long> sizes{10000, 100000};
  int rounds = 1;
  std::string registry, dir_arg;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    if (k == "--premises") {
      sizes.clear();
      std::stringstream list(argv[i + 1]);
      for (std::string n; std::getline(list, n, ',');) sizes.push_back(std::stol(n));
    } else if (k == "--rounds") rounds = std::stoi(argv[i + 1]);
    else if (k == "--registry") registry = argv[i + 1];
    else if (k == "--dir") dir_arg = argv[i + 1];
    else {
      std::fprintf(stderr,
                   "usage: bench_registry_sync [--premises N[,N...] | --registry FILE] [--rounds R] [--dir PATH]\n");
      return 2;
    }
  }
  mdtc::test::TempDir tmp;
  const std::string dir = dir_arg.empty() ? tmp.path() : dir_arg;
  Totals t;
  if (!registry.empty()) sizes = {0};
  for (long premises : sizes) {
    const std::string served = dir + "/served";
    fs::remove_all(served);
    fs::create_directories(served);
    const std::string file = served + "/snapshot.jsonl";
    std::string label = registry;
    if (registry.empty()) {
      const Run gen = run({kStub, "--premises", std::to_string(premises), "--out", file}, dir + "/gen.log");
      if (gen.status != 0) {
        std::fprintf(stderr, "stub-registry --premises %ld failed (%d)\n", premises, gen.status);
        return 1;
      }
      label = std::to_string(premises) + " premises";
    } else {
      fs::create_symlink(fs::absolute(registry), file);
    }
    if (!measure(dir, label, file, rounds, t)) return 1;
  }
  std::printf("\nsync / import wall: %.2f (goal <= 1.3); sync peak RSS %.1f MB (goal <= 64); "
              "zstd wire / JSONL %.3f (goal <= 0.2; identity 1.000)\n",
              t.worst_ratio, t.worst_rss, t.worst_wire);
  return 0;
}
