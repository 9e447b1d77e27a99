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
// Then a delta that changes --delta-pct percent of the premises (default 1)
// is imported into the imported cache, beside it: what a delta costs against
// a new snapshot of the same cache.
//
//   bench_registry_sync [--premises N[,N...]] [--rounds R] [--dir PATH] [--delta-pct P]
//   bench_registry_sync --registry FILE [--premises N] [--rounds R] [--dir PATH] [--delta-pct P]
//     (e.g. stub-registry --premises 1000000; N is then the file's premises, for the delta's size)
// Goals (issue 16): peak RSS of the syncing process <= 64 MB; sync wall /
// import wall <= 1.3; bytes on the wire / JSON Lines <= 0.2 with zstd; a 1 %
// delta of a million-premise cache applies in seconds. The default sizes are
// 10,000 and 100,000 premises.
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
  double cpu_s = 0;  // user + system, every thread: moves far less with the machine's load than wall time
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
  const auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  r.cpu_s = seconds(ru.ru_utime) + seconds(ru.ru_stime);
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
  double worst_ratio = 0, worst_cpu_ratio = 0, worst_rss = 0, worst_wire = 0;
};

// One size: the file generated (or given), two registries serving it, and
// `rounds` of import, identity sync and zstd sync, then the delta `delta`
// (if any) imported into the imported cache.
bool measure(const std::string& dir, const std::string& label, const std::string& file, int rounds,
             const std::string& delta, Totals& t) {
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
  std::printf("%-6s %-26s %10s %10s %12s %14s %12s\n", "round", "process", "wall s", "CPU s", "peak RSS MB",
              "wire bytes", "wire / JSONL");
  bool ok = true;
  for (int r = 1; r <= rounds && ok; ++r) {
    const std::string idb = dir + "/imported.db";
    remove_db(idb);
    const Run imp = run({kCli, "cache", "import", file, "--db", idb}, dir + "/import.log");
    if (imp.status != 0) {
      std::fprintf(stderr, "import exited %d (logs in %s)\n", imp.status, dir.c_str());
      return false;
    }
    std::printf("%-6d %-26s %10.2f %10.2f %12.1f %14s %12s\n", r, "cache import (baseline)", imp.wall_s, imp.cpu_s,
                imp.peak_mb, "-", "-");
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
      std::printf("%-6d %-26s %10.2f %10.2f %12.1f %14lld %12.3f\n", r, what.c_str(), syn.wall_s, syn.cpu_s,
                  syn.peak_mb, wire, share);
      t.worst_ratio = std::max(t.worst_ratio, syn.wall_s / imp.wall_s);
      t.worst_cpu_ratio = std::max(t.worst_cpu_ratio, syn.cpu_s / imp.cpu_s);
      t.worst_rss = std::max(t.worst_rss, syn.peak_mb);
      if (reg.name == "zstd") t.worst_wire = std::max(t.worst_wire, share);
    }
    if (ok && !delta.empty()) {
      const Run del = run({kCli, "cache", "import", delta, "--db", idb}, dir + "/delta.log");
      if (del.status != 0) {
        std::fprintf(stderr, "delta import exited %d (log in %s)\n", del.status, dir.c_str());
        return false;
      }
      std::printf("%-6d %-26s %10.2f %10.2f %12.1f  (%.1f MB; %.3f of the snapshot import's time)\n", r,
                  "cache import (delta)", del.wall_s, del.cpu_s, del.peak_mb,
                  static_cast<double>(fs::file_size(delta)) / 1e6, del.wall_s / imp.wall_s);
    }
  }
  for (auto& reg : registries) reg.process->terminate();
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<long> sizes{10000, 100000};
  double delta_pct = 1;
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
    else if (k == "--delta-pct") delta_pct = std::stod(argv[i + 1]);
    else {
      std::fprintf(stderr, "usage: bench_registry_sync [--premises N[,N...]] [--registry FILE] [--rounds R] "
                           "[--dir PATH] [--delta-pct P]\n");
      return 2;
    }
  }
  mdtc::test::TempDir tmp;
  const std::string dir = dir_arg.empty() ? tmp.path() : dir_arg;
  Totals t;
  if (!registry.empty()) sizes.resize(1);  // --premises then tells the file's size, for the delta
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
    // stub-registry's delta touches every tenth premise of the numbering it
    // is given (an upsert of the premise, its subject and flags, a new
    // history row) and deletes a flag or subject for every fiftieth.
    std::string delta;
    if (delta_pct > 0) {
      delta = dir + "/delta.jsonl";
      const long span = static_cast<long>(static_cast<double>(premises) * delta_pct / 10.0);
      const Run gen = run({kStub, "--premises", std::to_string(span), "--mode", "delta", "--version", "2", "--out",
                           delta},
                          dir + "/gen-delta.log");
      if (gen.status != 0) {
        std::fprintf(stderr, "stub-registry --mode delta failed (%d)\n", gen.status);
        return 1;
      }
    }
    if (!measure(dir, label, file, rounds, delta, t)) return 1;
  }
  std::printf("\nsync / import wall: %.2f (goal <= 1.3), CPU %.2f; sync peak RSS %.1f MB (goal <= 64); "
              "zstd wire / JSONL %.3f (goal <= 0.2; identity 1.000)\n",
              t.worst_ratio, t.worst_cpu_ratio, t.worst_rss, t.worst_wire);
  return 0;
}
