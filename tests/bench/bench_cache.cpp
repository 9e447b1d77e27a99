// Flag cache benchmark: import a generated registry and look addresses up,
// each beside a bare SQLite baseline measured in the same run on the same
// rows (one transaction of prepared inserts; an indexed point query).
//
//   bench_cache [--premises N] [--lookups M] [--dir PATH]
// Flags are 2N and history rows 5N. The default N is 100000; the issue's
// full size is --premises 1000000.
#include <sqlite3.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "mdtc/cache.h"
#include "mdtc/registry_line.h"
#include "temp_dir.h"

namespace {

using Clock = std::chrono::steady_clock;

// On-CPU time of this thread: unlike wall time it does not count the slices
// the scheduler gives to other processes on a shared machine.
double thread_cpu_us() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

// CPU time of every thread of the process (the import parses on a second one).
double process_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

const char* kStreets[] = {"MAPLE", "OAK", "ELM", "PINE", "CEDAR", "WALNUT", "BIRCH", "ASH", "SPRUCE", "WILLOW"};
const char* kTypes[] = {"ST", "AVE", "BLVD", "CT", "DR", "LN", "RD", "WAY"};
const char* kDirs[] = {"N", "S", "E", "W"};

// Premise i has a unique address: house number, directional, street, type.
std::string address(int64_t i) {
  const int64_t hno = 1 + i % 9973;
  const int64_t rest = i / 9973;
  return std::to_string(hno) + " " + kDirs[rest % 4] + " " + kStreets[(rest / 4) % 10] +
         std::to_string(rest / 320) + " " + kTypes[(rest / 40) % 8] + ", SPRINGFIELD IL";
}

struct Row {
  std::string id, address;
  double lat, lon;
};

long rss_kb(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(field, 0) == 0) return std::atol(line.c_str() + std::strlen(field));
  return -1;
}

uint64_t file_bytes(const std::string& path) {
  uint64_t total = 0;
  std::error_code ec;
  for (const char* side : {"", "-wal", "-shm"}) {
    auto n = std::filesystem::file_size(path + side, ec);
    if (!ec) total += n;
  }
  return total;
}

struct Percentiles {
  double p50, p99;
};
Percentiles percentiles(std::vector<double> us) {
  std::sort(us.begin(), us.end());
  return {us[us.size() / 2], us[us.size() * 99 / 100]};
}

void warm_page_cache(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> buf(1 << 20);
  while (in.read(buf.data(), static_cast<std::streamsize>(buf.size())) || in.gcount() > 0) {
  }
}

void check(int rc, sqlite3* db, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    std::fprintf(stderr, "baseline %s: %s\n", what, sqlite3_errmsg(db));
    std::exit(1);
  }
}


// One transaction of prepared inserts. With `indexes_after` the tables are
// loaded with only their primary keys and the secondary indexes and the
// R*Tree (filled in coordinate order) are built before the commit; otherwise
// they exist from the start and every insert keeps them in step.
struct LoadTime {
  double wall_ms, cpu_ms;
  double rtree_ms = 0;  // filling the R*Tree, when it is filled after the rows
};
LoadTime bare_load(const std::string& path, const std::vector<Row>& rows, int64_t flags, int64_t history,
                 bool indexes_after) {
  const int64_t premises = static_cast<int64_t>(rows.size());
  sqlite3* db = nullptr;
  check(sqlite3_open(path.c_str(), &db), db, "open");
  const char* tables =
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
      "CREATE TABLE premises(id TEXT PRIMARY KEY, address TEXT, lat REAL, lon REAL);"
      "CREATE TABLE flags(id TEXT PRIMARY KEY, premise_id TEXT, subject_id TEXT, kind TEXT, code TEXT, note TEXT);"
      "CREATE TABLE history(premise_id TEXT, incident TEXT, at TEXT, call_type TEXT, disposition TEXT,"
      " PRIMARY KEY(premise_id, incident));";
  const char* indexes =
      "CREATE INDEX premises_address ON premises(address);"
      "CREATE INDEX flags_premise ON flags(premise_id);"
      "CREATE INDEX flags_subject ON flags(subject_id) WHERE subject_id IS NOT NULL;"
      "CREATE VIRTUAL TABLE premise_geo USING rtree(rid, min_lat, max_lat, min_lon, max_lon);";
  check(sqlite3_exec(db, tables, nullptr, nullptr, nullptr), db, "schema");
  if (!indexes_after) check(sqlite3_exec(db, indexes, nullptr, nullptr, nullptr), db, "indexes");
  auto t0 = Clock::now();
  const double cpu0 = process_cpu_ms();
  double rtree_ms = 0;
  check(sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr), db, "begin");
  sqlite3_stmt *p = nullptr, *g = nullptr, *f = nullptr, *h = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO premises VALUES(?,?,?,?)", -1, &p, nullptr);
  if (!indexes_after) sqlite3_prepare_v2(db, "INSERT INTO premise_geo VALUES(?,?,?,?,?)", -1, &g, nullptr);
  sqlite3_prepare_v2(db, "INSERT INTO flags VALUES(?,?,NULL,?,?,?)", -1, &f, nullptr);
  sqlite3_prepare_v2(db, "INSERT INTO history VALUES(?,?,?,?,?)", -1, &h, nullptr);
  for (const Row& r : rows) {
    sqlite3_bind_text(p, 1, r.id.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(p, 2, r.address.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_double(p, 3, r.lat);
    sqlite3_bind_double(p, 4, r.lon);
    check(sqlite3_step(p), db, "premise");
    sqlite3_reset(p);
    if (g) {
      sqlite3_bind_int64(g, 1, sqlite3_last_insert_rowid(db));
      sqlite3_bind_double(g, 2, r.lat);
      sqlite3_bind_double(g, 3, r.lat);
      sqlite3_bind_double(g, 4, r.lon);
      sqlite3_bind_double(g, 5, r.lon);
      check(sqlite3_step(g), db, "premise_geo");
      sqlite3_reset(g);
    }
  }
  for (int64_t i = 0; i < flags; ++i) {
    const std::string id = "F-" + std::to_string(i), prem = "P-" + std::to_string(i % premises);
    const std::string note = "Fictional benchmark note number " + std::to_string(i);
    sqlite3_bind_text(f, 1, id.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(f, 2, prem.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(f, 3, i % 2 ? "care" : "safety", -1, SQLITE_STATIC);
    sqlite3_bind_text(f, 4, i % 2 ? "AUTISM" : "WEAPONS", -1, SQLITE_STATIC);
    sqlite3_bind_text(f, 5, note.c_str(), -1, SQLITE_TRANSIENT);
    check(sqlite3_step(f), db, "flag");
    sqlite3_reset(f);
  }
  for (int64_t i = 0; i < history; ++i) {
    const std::string prem = "P-" + std::to_string(i % premises), inc = "I-" + std::to_string(i);
    sqlite3_bind_text(h, 1, prem.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(h, 2, inc.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(h, 3, "2026-03-02T10:00:00Z", -1, SQLITE_STATIC);
    sqlite3_bind_text(h, 4, "WELFARE CHECK", -1, SQLITE_STATIC);
    sqlite3_bind_text(h, 5, "RESOLVED", -1, SQLITE_STATIC);
    check(sqlite3_step(h), db, "history");
    sqlite3_reset(h);
  }
  if (indexes_after) {
    check(sqlite3_exec(db, indexes, nullptr, nullptr, nullptr), db, "indexes");
    const auto rtree0 = Clock::now();
    check(sqlite3_exec(db,
                       "INSERT INTO premise_geo SELECT rowid, lat, lat, lon, lon FROM premises ORDER BY lon, lat",
                       nullptr, nullptr, nullptr),
          db, "premise_geo");
    rtree_ms = ms_since(rtree0);
  }
  check(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), db, "commit");
  const LoadTime took{ms_since(t0), process_cpu_ms() - cpu0, rtree_ms};
  sqlite3_finalize(p);
  sqlite3_finalize(g);
  sqlite3_finalize(f);
  sqlite3_finalize(h);
  sqlite3_close(db);
  return took;
}

}  // namespace

int main(int argc, char** argv) {
  int64_t premises = 100000;
  int lookups = 20000;
  std::string dir_arg;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--premises")) premises = std::atoll(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--lookups")) lookups = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--dir")) dir_arg = argv[i + 1];
  }
  mdtc::test::TempDir tmp;
  const std::string dir = dir_arg.empty() ? tmp.path() : dir_arg;
  const int64_t flags = 2 * premises, history = 5 * premises;
  for (const char* name : {"/bench-cache.db", "/bench-bare.db"})
    for (const char* side : {"", "-wal", "-shm", ".key", ".audit", ".audit-wal", ".audit-shm"})
      std::filesystem::remove(dir + name + side);

  // The registry file, generated once; both loads use exactly these rows.
  std::string text = R"({"type":"header","mode":"snapshot","version":1})" "\n";
  text.reserve(static_cast<std::size_t>(premises) * 700);
  std::vector<Row> rows;
  rows.reserve(static_cast<std::size_t>(premises));
  for (int64_t i = 0; i < premises; ++i) {
    Row r{"P-" + std::to_string(i), address(i), 39.70 + static_cast<double>(i % 1000) * 1e-4,
          -89.70 + static_cast<double>(i / 1000) * 1e-4};
    char ll[64];
    std::snprintf(ll, sizeof ll, "%.6f,\"lon\":%.6f", r.lat, r.lon);
    text += R"({"type":"premise","id":")" + r.id + R"(","address":")" + r.address + R"(","lat":)" + ll + "}\n";
    rows.push_back(std::move(r));
  }
  for (int64_t i = 0; i < flags; ++i)
    text += R"({"type":"flag","id":"F-)" + std::to_string(i) + R"(","premise":"P-)" + std::to_string(i % premises) +
            R"(","kind":")" + (i % 2 ? "care" : "safety") + R"(","code":")" + (i % 2 ? "AUTISM" : "WEAPONS") +
            R"(","note":"Fictional benchmark note number )" + std::to_string(i) + R"(","audience":"all"})" "\n";
  for (int64_t i = 0; i < history; ++i)
    text += R"({"type":"history","premise":"P-)" + std::to_string(i % premises) + R"(","incident":"I-)" +
            std::to_string(i) + R"(","at":"2026-03-02T10:00:00Z","call_type":"WELFARE CHECK","disposition":"RESOLVED"})" "\n";
  std::printf("bench_cache: %lld premises, %lld flags, %lld history rows (%.1f MB of JSON Lines)\n",
              static_cast<long long>(premises), static_cast<long long>(flags), static_cast<long long>(history),
              static_cast<double>(text.size()) / 1e6);

  // --- imports --------------------------------------------------------------
  const std::string db_path = dir + "/bench-cache.db";
  mdtc::cache::OpenOptions o;
  o.db_path = db_path;
  auto cache = mdtc::cache::Cache::open(o);
  if (!cache) {
    std::fprintf(stderr, "%s\n", cache.error().message.c_str());
    return 1;
  }
  text = *mdtc::cache::complete_registry_file(text);  // as a registry writes it: counts and trailer
  const auto t0 = Clock::now();
  const double cpu0 = process_cpu_ms(), writer0 = thread_cpu_us();
  auto imported = cache->import_text(text, "bench.jsonl");
  const double cache_import_ms = ms_since(t0);
  const double cache_import_cpu_ms = process_cpu_ms() - cpu0;
  const double cache_writer_cpu_ms = (thread_cpu_us() - writer0) / 1000;
  if (!imported) {
    std::fprintf(stderr, "%s\n", imported.error().message.c_str());
    return 1;
  }
  text = {};
  const uint64_t cache_bytes = file_bytes(db_path);

  // The same rows in plain tables (notes in clear), one transaction of
  // prepared inserts, and the same final indexes as the cache: an address
  // index, an R*Tree over the coordinates, flags by id, premise and subject,
  // history by (premise, incident). The cache builds its address index and
  // R*Tree after a snapshot's rows are in; a bare load may too, so the
  // baseline is measured both ways and the faster one is the reference.
  LoadTime bare_ms[2] = {};
  const std::string base_path = dir + "/bench-bare.db";
  for (int after = 0; after < 2; ++after) {
    for (const char* side : {"", "-wal", "-shm"}) std::filesystem::remove(base_path + side);
    bare_ms[after] = bare_load(base_path, rows, flags, history, after == 1);
  }
  const LoadTime& bare_best = bare_ms[0].wall_ms < bare_ms[1].wall_ms ? bare_ms[0] : bare_ms[1];
  const double bare_import_ms = bare_best.wall_ms;

  // --- lookups ----------------------------------------------------------------
  // Both files start in the OS page cache, whichever was written last.
  warm_page_cache(db_path);
  warm_page_cache(base_path);
  // Interleaved in blocks: 100 addresses in one file, the same 100 in the
  // other, the order alternating, so slow and busy moments of the machine
  // fall on both alike. A short untimed round first fills both
  // connections' page caches alike.
  sqlite3* bare = nullptr;
  check(sqlite3_open(base_path.c_str(), &bare), bare, "open");
  sqlite3_stmt *qp = nullptr, *qf = nullptr;
  sqlite3_prepare_v2(bare, "SELECT id FROM premises WHERE address=?", -1, &qp, nullptr);
  sqlite3_prepare_v2(bare, "SELECT id, kind, code, note FROM flags WHERE premise_id=?", -1, &qf, nullptr);
  auto bare_lookup = [&](const Row& r) {
    sqlite3_bind_text(qp, 1, r.address.c_str(), -1, SQLITE_TRANSIENT);
    while (sqlite3_step(qp) == SQLITE_ROW) {
      sqlite3_bind_text(qf, 1, reinterpret_cast<const char*>(sqlite3_column_text(qp, 0)), -1, SQLITE_TRANSIENT);
      while (sqlite3_step(qf) == SQLITE_ROW) {
      }
      sqlite3_reset(qf);
    }
    sqlite3_reset(qp);
  };
  std::size_t found = 0;
  auto cache_lookup = [&](const Row& r) {
    mdtc::cache::AddressQuery q;
    q.address = r.address;
    auto m = cache->match(q);
    found += m.level == mdtc::cache::MatchLevel::exact && !m.flags.empty();
  };
  // The plugin writes an audit record for each panel that shows flags: the
  // third turn writes one (untimed) before each lookup, as a dispatch after
  // a panel meets the cache.
  const mdtc::cache::AuditEntry audit_entry{"2A31", "bench", "I-BENCH", {"F-1", "F-2"}};
  std::vector<double> cache_us, cache_cpu_us, bare_us, bare_cpu_us, audited_us;
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<int64_t> pick(0, premises - 1);
  constexpr int kBlock = 100;
  const int warm = std::max(kBlock, lookups / 10 / kBlock * kBlock);
  std::vector<const Row*> block;
  for (int done = -warm, n = 0; done < lookups; done += kBlock, ++n) {
    block.clear();
    for (int i = 0; i < kBlock; ++i) block.push_back(&rows[static_cast<std::size_t>(pick(rng))]);
    for (int side = 0; side < 3; ++side) {
      const int turn = (n + side) % 3;  // 0 cache, 1 bare, 2 cache after an audit record
      for (const Row* r : block) {
        if (turn == 2 && !cache->audit(audit_entry)) {
          std::fprintf(stderr, "audit record not written\n");
          return 1;
        }
        const auto t = Clock::now();
        const double c0 = thread_cpu_us();
        if (turn == 1) bare_lookup(*r);
        else cache_lookup(*r);
        if (done < 0) continue;
        const double cpu = thread_cpu_us() - c0, wall = ms_since(t) * 1000;
        if (turn == 0) {
          cache_cpu_us.push_back(cpu);
          cache_us.push_back(wall);
        } else if (turn == 1) {
          bare_cpu_us.push_back(cpu);
          bare_us.push_back(wall);
        } else {
          audited_us.push_back(wall);
        }
      }
    }
  }
  const std::size_t cache_lookups = cache_us.size() + audited_us.size() + 2 * static_cast<std::size_t>(warm);
  if (found != cache_lookups) std::fprintf(stderr, "warning: %zu of %zu lookups matched\n", found, cache_lookups);
  sqlite3_finalize(qp);
  sqlite3_finalize(qf);
  sqlite3_close(bare);
  const uint64_t bare_bytes = file_bytes(base_path);

  const auto c = percentiles(cache_us), b = percentiles(bare_us), a = percentiles(audited_us);
  const auto cc = percentiles(cache_cpu_us), bc = percentiles(bare_cpu_us);
  if (std::getenv("BENCH_DEBUG")) {
    for (std::size_t i = 0; i < cache_us.size(); ++i)
      if (cache_us[i] > 1000) std::printf("slow lookup %zu: %.0f us\n", i, cache_us[i]);
  }
  std::printf("%-30s %14s %14s %9s %6s\n", "", "flag cache", "bare SQLite", "ratio", "goal");
  std::printf("%-30s %12.0f ms %12.0f ms %8.2fx %5s\n", "import (one transaction)", cache_import_ms, bare_import_ms,
              cache_import_ms / bare_import_ms, "1.5x");
  std::printf("%-30s %15s %12.0f ms\n", "  bare, indexes before load", "", bare_ms[0].wall_ms);
  std::printf("%-30s %15s %12.0f ms\n", "  bare, indexes after load", "", bare_ms[1].wall_ms);
  // The cache packs its R*Tree in one pass; the baseline inserts point by
  // point, which is most of its index build. Shown so the ratio can be read
  // without it.
  std::printf("%-30s %15s %12.0f ms\n", "    of which the R*Tree", "", bare_ms[1].rtree_ms);
  std::printf("%-30s %12.0f ms %12.0f ms %8.2fx\n", "import CPU time, all threads", cache_import_cpu_ms,
              bare_best.cpu_ms, cache_import_cpu_ms / bare_best.cpu_ms);
  std::printf("%-30s %12.0f ms %12.0f ms %8.2fx\n", "  of which the SQLite thread", cache_writer_cpu_ms,
              bare_best.cpu_ms, cache_writer_cpu_ms / bare_best.cpu_ms);
  std::printf("%-30s %12.0f ms\n", "  of which parsing/sealing", cache_import_cpu_ms - cache_writer_cpu_ms);
  std::printf("%-30s %12.1f us %12.1f us %8.2fx %5s\n", "lookup p50", c.p50, b.p50, c.p50 / b.p50, "1.5x");
  std::printf("%-30s %12.1f us %12.1f us %8.2fx %5s\n", "lookup p99", c.p99, b.p99, c.p99 / b.p99, "2x");
  std::printf("%-30s %12.1f us %12.1f us %8.2fx\n", "  after an audit record, p50", a.p50, b.p50, a.p50 / b.p50);
  std::printf("%-30s %12.1f us %12.1f us %8.2fx\n", "  after an audit record, p99", a.p99, b.p99, a.p99 / b.p99);
  std::printf("%-30s %12.1f us %12.1f us %8.2fx\n", "lookup p50 (thread CPU)", cc.p50, bc.p50, cc.p50 / bc.p50);
  std::printf("%-30s %12.1f us %12.1f us %8.2fx\n", "lookup p99 (thread CPU)", cc.p99, bc.p99, cc.p99 / bc.p99);
  std::printf("%-30s %12.1f MB %12.1f MB\n", "database size", static_cast<double>(cache_bytes) / 1e6,
              static_cast<double>(bare_bytes) / 1e6);
  std::printf("%-30s %12ld kB (peak %ld kB, includes the generated file)\n", "process RSS", rss_kb("VmRSS:"),
              rss_kb("VmHWM:"));
  std::printf("import: the cache parses JSON Lines, normalizes addresses, encrypts notes and history and checks\n"
              "references; the baseline inserts ready-made rows. Both end with the same indexes.\n"
              "lookups: %d random existing addresses, in both files by turns of 100 (after %d untimed);\n"
              "a third turn writes an audit record before each cache lookup, as the plugin does per panel;\n"
              "cache lookups normalize free text, match, decrypt notes, subjects and history; the baseline is an\n"
              "exact-string indexed query plus its flags.\n",
              static_cast<int>(cache_us.size()), warm);
  return 0;
}
