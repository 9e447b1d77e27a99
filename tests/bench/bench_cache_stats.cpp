// `cache stats` cost at N premises, beside a bare indexed SQLite point query
// on the same file in the same run: stats reads counts kept with the data,
// so it should cost a few point queries however large the cache. Counting
// the tables as stats did before schema 6 is shown as well.
//
//   bench_cache_stats [--premises N] [--calls M] [--dir PATH]
//   bench_cache_stats --registry FILE [--calls M] [--dir PATH]   (e.g. stub-registry --premises 1000000)
//   bench_cache_stats --db PATH [--calls M]                     (an existing cache; its key at PATH.key)
// The generated registry has 2 flags and 1 history row per premise; the
// default N is 20000, so `make bench` stays quick.
#include <sqlite3.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "mdtc/cache.h"
#include "mdtc/registry_line.h"
#include "temp_dir.h"

namespace {

using Clock = std::chrono::steady_clock;

double us_since(Clock::time_point t0) { return std::chrono::duration<double, std::micro>(Clock::now() - t0).count(); }

// On-CPU time of this thread, which the scheduler's other tenants do not inflate.
double thread_cpu_us() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

struct Samples {
  std::vector<double> wall, cpu;
  double p(std::vector<double> v, int pct) const {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, v.size() * static_cast<std::size_t>(pct) / 100)];
  }
  double p50() const { return p(wall, 50); }
  double p99() const { return p(wall, 99); }
  double cpu50() const { return p(cpu, 50); }
};

template <class F>
void timed(Samples& s, F&& f) {
  const auto t = Clock::now();
  const double c = thread_cpu_us();
  f();
  s.cpu.push_back(thread_cpu_us() - c);
  s.wall.push_back(us_since(t));
}

void check(int rc, sqlite3* db, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    std::fprintf(stderr, "bare %s: %s\n", what, sqlite3_errmsg(db));
    std::exit(1);
  }
}

std::string generated_registry(int64_t premises) {
  std::string text = R"({"type":"header","mode":"snapshot","version":1})" "\n";
  const char* streets[] = {"MAPLE", "OAK", "ELM", "PINE", "CEDAR", "WALNUT", "BIRCH", "ASH"};
  for (int64_t i = 0; i < premises; ++i) {
    const std::string id = std::to_string(i);
    text += R"({"type":"premise","id":"P-)" + id + R"(","address":")" + std::to_string(1 + i % 9973) + " " +
            streets[(i / 9973) % 8] + std::to_string(i / 79784) + R"( ST, SPRINGFIELD IL","lat":)" +
            std::to_string(39.7 + static_cast<double>(i % 1000) * 1e-4) + R"(,"lon":)" +
            std::to_string(-89.7 + static_cast<double>(i / 1000) * 1e-4) + "}\n";
    text += R"({"type":"flag","id":"F-)" + id + R"(-s","premise":"P-)" + id +
            R"(","kind":"safety","code":"WEAPONS","note":"Fictional note","audience":"all"})" "\n";
    text += R"({"type":"flag","id":"F-)" + id + R"(-c","premise":"P-)" + id +
            R"(","kind":"care","code":"AUTISM","note":"Fictional note","audience":"all"})" "\n";
    text += R"({"type":"history","premise":"P-)" + id + R"(","incident":"I-)" + id +
            R"(","at":"2026-03-02T10:00:00Z","call_type":"WELFARE CHECK","disposition":"RESOLVED"})" "\n";
  }
  return *mdtc::cache::complete_registry_file(text);
}

}  // namespace

int main(int argc, char** argv) {
  int64_t premises = 20000;
  int calls = 200;
  std::string dir_arg, registry, existing;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--premises")) premises = std::atoll(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--calls")) calls = std::max(1, std::atoi(argv[i + 1]));
    else if (!std::strcmp(argv[i], "--dir")) dir_arg = argv[i + 1];
    else if (!std::strcmp(argv[i], "--registry")) registry = argv[i + 1];
    else if (!std::strcmp(argv[i], "--db")) existing = argv[i + 1];
  }
  mdtc::test::TempDir tmp;
  const std::string dir = dir_arg.empty() ? tmp.path() : dir_arg;
  std::string db_path = existing;
  if (existing.empty()) {
    db_path = dir + "/bench-stats.db";
    for (const char* side : {"", "-wal", "-shm", ".key"}) std::filesystem::remove(db_path + side);
    mdtc::cache::OpenOptions o;
    o.db_path = db_path;
    auto writer = mdtc::cache::Cache::open(o);
    if (!writer) {
      std::fprintf(stderr, "%s\n", writer.error().message.c_str());
      return 1;
    }
    auto imported = registry.empty() ? writer->import_text(generated_registry(premises), "generated.jsonl")
                                     : writer->import_file(registry);
    if (!imported) {
      std::fprintf(stderr, "%s\n", imported.error().message.c_str());
      return 1;
    }
  }

  // As `cache stats` opens it.
  mdtc::cache::OpenOptions ro;
  ro.db_path = db_path;
  ro.read_only = true;
  auto cache = mdtc::cache::Cache::open(ro);
  if (!cache) {
    std::fprintf(stderr, "%s\n", cache.error().message.c_str());
    return 1;
  }
  auto first = cache->stats();
  if (!first) {
    std::fprintf(stderr, "%s\n", first.error().message.c_str());
    return 1;
  }
  premises = first->premises;
  std::printf("bench_cache_stats: %lld premises, %lld subjects, %lld flags, %lld history rows\n",
              static_cast<long long>(first->premises), static_cast<long long>(first->subjects),
              static_cast<long long>(first->flags), static_cast<long long>(first->history));

  sqlite3* bare = nullptr;
  check(sqlite3_open_v2(db_path.c_str(), &bare, SQLITE_OPEN_READONLY, nullptr), bare, "open");
  // A point query as an ad-hoc caller makes it: prepared, one primary-key
  // descent, finalized (stats prepares its few queries each call too).
  auto point_query = [&](int64_t i) {
    const std::string id = "P-" + std::to_string(i % std::max<int64_t>(premises, 1));
    sqlite3_stmt* q = nullptr;
    check(sqlite3_prepare_v2(bare, "SELECT display FROM premises WHERE id = ?1", -1, &q, nullptr), bare, "prepare");
    sqlite3_bind_text(q, 1, id.c_str(), -1, SQLITE_TRANSIENT);
    check(sqlite3_step(q), bare, "step");
    sqlite3_finalize(q);
  };
  // What stats did before schema 6: count every table, group flags by code.
  auto count_tables = [&] {
    for (const char* sql : {"SELECT count(*) FROM premises", "SELECT count(*) FROM subjects",
                            "SELECT count(*) FROM flags", "SELECT count(*) FROM history", "SELECT count(*) FROM audit",
                            "SELECT code, count(*) FROM flags GROUP BY code"}) {
      sqlite3_stmt* q = nullptr;
      check(sqlite3_prepare_v2(bare, sql, -1, &q, nullptr), bare, "prepare");
      while (sqlite3_step(q) == SQLITE_ROW) {
      }
      sqlite3_finalize(q);
    }
  };

  // By turns, so slow moments of a shared machine fall on both alike; a
  // short untimed round first warms both connections.
  Samples stats, point, opened;
  for (int i = -calls / 10; i < calls; ++i) {
    Samples& s = i < 0 ? opened : stats;  // warm-up samples are thrown away below
    Samples& b = i < 0 ? opened : point;
    if (i % 2 == 0) {
      timed(s, [&] { (void)cache->stats(); });
      timed(b, [&] { point_query(i * 7919); });
    } else {
      timed(b, [&] { point_query(i * 7919); });
      timed(s, [&] { (void)cache->stats(); });
    }
  }
  opened = {};
  // What `cache stats` pays apart from starting the process: open read-only, then stats.
  for (int i = 0; i < std::max(5, calls / 20); ++i)
    timed(opened, [&] {
      auto c = mdtc::cache::Cache::open(ro);
      if (c) (void)c->stats();
    });
  Samples counted;
  const int count_runs = premises > 200000 ? 3 : 10;
  for (int i = 0; i < count_runs; ++i) timed(counted, count_tables);
  sqlite3_close(bare);

  std::printf("%-34s %12s %12s %12s %9s\n", "", "p50", "p99", "p50 CPU", "vs point");
  auto row = [&](const char* what, const Samples& s) {
    std::printf("%-34s %9.1f us %9.1f us %9.1f us %8.1fx\n", what, s.p50(), s.p99(), s.cpu50(),
                s.p50() / point.p50());
  };
  row("bare indexed point query", point);
  row("Cache::stats() (kept counts)", stats);
  row("open read-only + stats()", opened);
  row("counting the tables (before v6)", counted);
  std::printf("stats: %d calls by turns with the point query (after %d untimed); open+stats %zu times;\n"
              "counting %d times. The point query prepares, descends the premises' primary key once and\n"
              "finalizes; stats prepares and reads schema_version, meta and the kept counts.\n",
              calls, calls / 10, opened.wall.size(), count_runs);
  return 0;
}
