// A registry snapshot fetched and applied by `mdt-coresponder cache sync`
// from a real stub-registry on loopback, beside `mdt-coresponder cache
// import` of the same file in the same run: wall time and the peak resident
// memory of each process (wait4's ru_maxrss). The sync streams the sealed
// staging file into the import and verifies the SHA-256 as it goes, so its
// memory should not grow with the file, and it should cost little more than
// the import it does.
//
// Then a delta that changes --delta-pct percent of the premises (default 1)
// is imported into the imported cache, beside it: what a delta costs against
// a new snapshot of the same cache.
//
//   bench_registry_sync [--premises N] [--rounds R] [--dir PATH] [--delta-pct P]
//   bench_registry_sync --registry FILE [--premises N] [--rounds R] [--dir PATH] [--delta-pct P]
//     (e.g. stub-registry --premises 1000000; N is then the file's premises, for the delta's size)
// Goals (issue 16): peak RSS of the syncing process <= 64 MB; sync wall /
// import wall <= 1.3; a 1 % delta of a million-premise cache applies in
// seconds. The default N is 20000, so `make bench` stays quick.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
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

void remove_db(const std::string& db) {
  for (const char* ext : {"", "-wal", "-shm", ".key", ".sync.part", ".sync.json", ".sync.key"})
    fs::remove(db + ext);
}

}  // namespace

int main(int argc, char** argv) {
  long premises = 20000;
  double delta_pct = 1;
  int rounds = 1;
  std::string registry, dir_arg;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    if (k == "--premises") premises = std::stol(argv[i + 1]);
    else if (k == "--rounds") rounds = std::stoi(argv[i + 1]);
    else if (k == "--registry") registry = argv[i + 1];
    else if (k == "--dir") dir_arg = argv[i + 1];
    else if (k == "--delta-pct") delta_pct = std::stod(argv[i + 1]);
    else {
      std::fprintf(stderr, "usage: bench_registry_sync [--premises N] [--registry FILE] [--rounds R] [--dir PATH] "
                           "[--delta-pct P]\n");
      return 2;
    }
  }
  mdtc::test::TempDir tmp;
  const std::string dir = dir_arg.empty() ? tmp.path() : dir_arg;
  const std::string served = dir + "/served";
  fs::create_directories(served);
  const std::string file = served + "/snapshot.jsonl";
  if (registry.empty()) {
    const Run gen = run({kStub, "--premises", std::to_string(premises), "--out", file}, dir + "/gen.log");
    if (gen.status != 0) {
      std::fprintf(stderr, "stub-registry --premises %ld failed (%d)\n", premises, gen.status);
      return 1;
    }
  } else {
    fs::remove(file);
    fs::create_symlink(fs::absolute(registry), file);
  }
  // stub-registry's delta touches every tenth premise of the numbering it
  // is given (an upsert of the premise, its subject and flags, a new history
  // row) and deletes a flag or subject for every fiftieth.
  const std::string delta = dir + "/delta.jsonl";
  const long delta_span = static_cast<long>(static_cast<double>(premises) * delta_pct / 10.0);
  if (delta_pct > 0) {
    const Run gen = run({kStub, "--premises", std::to_string(delta_span), "--mode", "delta", "--version", "2",
                         "--out", delta},
                        dir + "/gen-delta.log");
    if (gen.status != 0) {
      std::fprintf(stderr, "stub-registry --mode delta failed (%d)\n", gen.status);
      return 1;
    }
  }
  const double mb = static_cast<double>(fs::file_size(file)) / 1e6;
  const std::string endpoint = "tcp://127.0.0.1:" + std::to_string(free_port());
  const std::string served_log = dir + "/registry.log";
  mdtc::test::ChildProcess server({kStub, "--serve", endpoint, "--dir", served}, served_log);
  if (!mdtc::test::wait_for_line(served_log, [](const std::string& l) { return l.find("ready") != std::string::npos; },
                                 std::chrono::seconds(600))) {
    std::fprintf(stderr, "stub-registry --serve did not come up\n");
    return 1;
  }

  std::printf("registry snapshot: %.1f MB (%s)\n", mb, registry.empty() ? (std::to_string(premises) + " premises").c_str()
                                                                       : registry.c_str());
  std::printf("%-6s %-22s %10s %10s %12s\n", "round", "process", "wall s", "CPU s", "peak RSS MB");
  bool ok = true;
  double worst_ratio = 0, worst_cpu_ratio = 0, worst_rss = 0;
  for (int r = 1; r <= rounds; ++r) {
    const std::string idb = dir + "/imported.db", sdb = dir + "/synced.db";
    remove_db(idb);
    remove_db(sdb);
    const Run imp = run({kCli, "cache", "import", file, "--db", idb}, dir + "/import.log");
    const Run syn = run({kCli, "cache", "sync", "--db", sdb, "--endpoint", endpoint, "--timeout-s", "3600"},
                        dir + "/sync.log");
    if (imp.status != 0 || syn.status != 0) {
      std::fprintf(stderr, "import exited %d, sync exited %d (logs in %s)\n", imp.status, syn.status, dir.c_str());
      ok = false;
      break;
    }
    std::printf("%-6d %-22s %10.2f %10.2f %12.1f\n", r, "cache import (baseline)", imp.wall_s, imp.cpu_s, imp.peak_mb);
    std::printf("%-6d %-22s %10.2f %10.2f %12.1f\n", r, "cache sync", syn.wall_s, syn.cpu_s, syn.peak_mb);
    if (delta_pct > 0) {
      const Run del = run({kCli, "cache", "import", delta, "--db", idb}, dir + "/delta.log");
      if (del.status != 0) {
        std::fprintf(stderr, "delta import exited %d (log in %s)\n", del.status, dir.c_str());
        ok = false;
        break;
      }
      std::printf("%-6d %-22s %10.2f %10.2f %12.1f  (%ld premises, %.1f MB; %.3f of the snapshot import's time)\n",
                  r, "cache import (delta)", del.wall_s, del.cpu_s, del.peak_mb, (delta_span + 9) / 10,
                  static_cast<double>(fs::file_size(delta)) / 1e6, del.wall_s / imp.wall_s);
    }
    worst_ratio = std::max(worst_ratio, syn.wall_s / imp.wall_s);
    worst_cpu_ratio = std::max(worst_cpu_ratio, syn.cpu_s / imp.cpu_s);
    worst_rss = std::max(worst_rss, syn.peak_mb);
  }
  server.terminate();
  if (!ok) return 1;
  std::printf("sync / import wall: %.2f (goal <= 1.3), CPU: %.2f; sync peak RSS %.1f MB (goal <= 64)\n", worst_ratio,
              worst_cpu_ratio, worst_rss);
  return 0;
}
