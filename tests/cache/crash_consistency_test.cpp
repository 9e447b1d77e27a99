// Fault injection where faults happen: a child process imports big snapshots
// in a loop and is SIGKILLed at varied points, mid-transaction included. After
// every kill the file must pass PRAGMA integrity_check and hold exactly one
// whole snapshot version, old or new, never a mix.
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <set>

#include "cache_fixture.h"
#include "mdtc/sqlite.h"

namespace mdtc::cache::test {
namespace {

using sql::Db;
using sql::Stmt;

constexpr int kPremises = 800;
constexpr int kKills = 50;

std::string snapshot(int64_t version) {
  std::string out = R"({"type":"header","mode":"snapshot","version":)" + std::to_string(version) + "}\n";
  const std::string v = std::to_string(version);
  for (int i = 0; i < kPremises; ++i) {
    const std::string n = std::to_string(i);
    out += R"({"type":"premise","id":"P-)" + v + "-" + n + R"(","address":")" + std::to_string(100 + i) +
           R"( N Maple St, Springfield IL","lat":39.8,"lon":-89.6})" "\n";
    out += R"({"type":"flag","id":"F-)" + v + "-" + n + R"(a","premise":"P-)" + v + "-" + n +
           R"(","kind":"safety","code":"WEAPONS","note":"version )" + v + R"(","audience":"all"})" "\n";
    out += R"({"type":"flag","id":"F-)" + v + "-" + n + R"(b","premise":"P-)" + v + "-" + n +
           R"(","kind":"care","code":"AUTISM","note":"version )" + v + R"(","audience":"all"})" "\n";
  }
  return *complete_registry_file(out);
}

// Child: import snapshots start, start+1, ... forever; 'B' before each, 'E' after.
[[noreturn]] void importer(const std::string& db, int64_t start, int out_fd) {
  OpenOptions o;
  o.db_path = db;
  auto c = Cache::open(o);
  if (!c.ok()) _exit(3);
  for (int64_t v = start;; ++v) {
    const std::string file = snapshot(v);
    if (write(out_fd, "B", 1) != 1) _exit(4);
    if (!c->import_text(file, "loop").ok()) _exit(5);
    if (write(out_fd, "E", 1) != 1) _exit(4);
  }
}

struct State {
  int64_t version = 0;
  int64_t premises = 0, flags = 0;
  std::set<std::string> versions_seen;
  std::string integrity;
};

State inspect(const std::string& path) {
  State s;
  Db db(path, SQLITE_OPEN_READWRITE);
  {
    Stmt ic(db, "PRAGMA integrity_check");
    ic.step();
    s.integrity = ic.text(0);
  }
  Stmt v(db, "SELECT value FROM meta WHERE key='registry_version'");
  if (v.step()) s.version = std::stoll(v.text(0));
  Stmt p(db, "SELECT count(*) FROM premises");
  p.step();
  s.premises = p.integer(0);
  Stmt f(db, "SELECT id FROM flags");
  while (f.step()) {
    const std::string id = f.text(0);  // F-<version>-<i><a|b>
    s.versions_seen.insert(id.substr(2, id.find('-', 2) - 2));
    ++s.flags;
  }
  return s;
}

TEST_F(CacheTest, KilledImportLeavesOneWholeVersion) {
  // One import, timed, so the kill points can be spread over its length on
  // any machine (the timing only places the faults; any outcome is checked).
  std::chrono::milliseconds import_time{};
  {
    Cache c = open();
    const auto t0 = std::chrono::steady_clock::now();
    ASSERT_TRUE(c.import_text(snapshot(1), "v1").ok());
    import_time = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
  }
  int mid_transaction = 0;
  for (int kill = 0; kill < kKills; ++kill) {
    const State before = inspect(db);
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(fds[0]);
      importer(db, before.version + 1, fds[1]);
    }
    close(fds[1]);
    // Wait (on the child's own signal, not a clock) until it has begun an
    // import, then let it run a varied extra while: the kill point is what
    // varies, and every point must leave a consistent file.
    char c = 0;
    ASSERT_EQ(read(fds[0], &c, 1), 1);
    pollfd none{-1, 0, 0};
    poll(&none, 0, static_cast<int>(import_time.count() * 3 / 2 * ((kill * 37) % kKills) / kKills));
    ::kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    char buf[4096];
    char last = c;
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof buf)) > 0) last = buf[n - 1];
    close(fds[0]);
    if (last == 'B') ++mid_transaction;

    const State after = inspect(db);
    ASSERT_EQ(after.integrity, "ok") << "kill " << kill;
    EXPECT_GE(after.version, before.version) << "kill " << kill;
    ASSERT_EQ(after.versions_seen.size(), 1u) << "kill " << kill << ": flags from several versions";
    EXPECT_EQ(*after.versions_seen.begin(), std::to_string(after.version)) << "kill " << kill;
    EXPECT_EQ(after.premises, kPremises) << "kill " << kill;
    EXPECT_EQ(after.flags, 2 * kPremises) << "kill " << kill;
  }
  std::printf("%d of %d kills landed inside an import; registry version went from 1 to %lld\n", mid_transaction,
              kKills, static_cast<long long>(inspect(db).version));
  Cache c = open();
  EXPECT_TRUE(c.verify().ok());
  EXPECT_EQ(match(c, "100 N MAPLE ST, SPRINGFIELD IL").flags.size(), 2u);
}

}  // namespace
}  // namespace mdtc::cache::test
