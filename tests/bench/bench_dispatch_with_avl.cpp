// CAD publish -> show_panel latency through the real plugin (dlopen) while
// outbound AVL reports flow, beside the same latency with the GPS quiet,
// measured in the same run by turns. Each AVL report is one Link::send: a
// commit to the durable outbox (WAL, synchronous=FULL) on the thread that
// sent it, and its ack one delete on the link thread. A bare commit of the
// same kind in the same directory shows what one costs on this disk.
//
//   bench_dispatch_with_avl [--premises N] [--dispatches N] [--fix-every-ms M]
//
// The GPS is a TCP source (gps.port = tcp://...) this program serves: while
// AVL flows it writes a fix every M ms (default 50), each 400 m from the
// last, so every fix is due a report. The router acks every message with a
// key, as the gateway does. Dispatches are paced by a random gap of up to M
// ms after each panel, so they land at every phase of the AVL cycle.
#include <arpa/inet.h>
#include <dlfcn.h>
#include <netinet/in.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <zmq.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bench_plugin.h"
#include "dispatch_bench.h"
#include "mdt_host/mdt_host_api.h"
#include "mdtc/cache.h"
#include "mdtc/registry_line.h"
#include "temp_dir.h"

namespace {

using Clock = std::chrono::steady_clock;
using mdtc::bench::now_ns;

struct Percentiles {
  double p50, p90, p99, max;
  double over_2ms;  // share of samples above 2 ms: about what one fsync in front adds here
};
Percentiles percentiles(std::vector<double> us) {
  if (us.empty()) return {0, 0, 0, 0, 0};
  std::sort(us.begin(), us.end());
  auto at = [&](std::size_t pct) { return us[std::min(us.size() - 1, us.size() * pct / 100)]; };
  const auto over = static_cast<double>(us.end() - std::upper_bound(us.begin(), us.end(), 2000.0));
  return {at(50), at(90), at(99), us.back(), 100.0 * over / static_cast<double>(us.size())};
}

std::string address_of(size_t i) { return std::to_string(100 + i) + " N MAPLE ST"; }

std::string registry(size_t premises) {
  std::string out = "{\"type\":\"header\",\"mode\":\"snapshot\",\"version\":1}\n";
  for (size_t i = 0; i < premises; ++i) {
    const std::string id = std::to_string(i);
    out += "{\"type\":\"premise\",\"id\":\"P" + id + "\",\"address\":\"" + address_of(i) + ", SPRINGFIELD IL\"}\n";
    out += "{\"type\":\"flag\",\"id\":\"F" + id + "\",\"premise\":\"P" + id +
           "\",\"kind\":\"safety\",\"code\":\"WEAPONS\",\"note\":\"Fictional benchmark note\",\"audience\":\"all\"}\n";
  }
  return *mdtc::cache::complete_registry_file(out);
}

std::string nmea(const std::string& body) {
  unsigned sum = 0;
  for (char c : body) sum ^= static_cast<unsigned char>(c);
  char tail[8];
  std::snprintf(tail, sizeof tail, "*%02X\r\n", sum);
  return "$" + body + tail;
}

// One GGA+RMC epoch at the current UTC time (hundredths, so each is new),
// alternating between two points 400 m apart.
std::string fix_epoch(bool north) {
  const auto since = std::chrono::system_clock::now().time_since_epoch();
  const int64_t cs = std::chrono::duration_cast<std::chrono::milliseconds>(since).count() / 10;
  const std::time_t secs = static_cast<std::time_t>(cs / 100);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char t[48], d[48];
  std::snprintf(t, sizeof t, "%02d%02d%02d.%02d", tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(cs % 100));
  std::snprintf(d, sizeof d, "%02d%02d%02d", tm.tm_mday, tm.tm_mon + 1, tm.tm_year % 100);
  const std::string lat = north ? "3948.30000" : "3948.07200";
  return nmea("GPGGA," + std::string(t) + "," + lat + ",N,08938.62200,W,1,09,0.9,180.0,M,-33.9,M,,") +
         nmea("GPRMC," + std::string(t) + ",A," + lat + ",N,08938.62200,W,26.05,0.0," + d + ",,,A");
}

// What one outbox commit costs on this disk: WAL, synchronous=FULL, one
// insert per transaction, as Outbox::enqueue does.
std::vector<double> bare_commits(const std::string& path, int count) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; CREATE TABLE t(k TEXT, body TEXT)", nullptr,
               nullptr, nullptr);
  std::vector<double> us;
  for (int i = 0; i < count; ++i) {
    const int64_t t0 = now_ns();
    sqlite3_exec(db, "BEGIN IMMEDIATE; INSERT INTO t VALUES('key', 'a body of about a hundred bytes'); COMMIT",
                 nullptr, nullptr, nullptr);
    us.push_back(static_cast<double>(now_ns() - t0) / 1000.0);
  }
  sqlite3_close(db);
  return us;
}

}  // namespace

int main(int argc, char** argv) {
  size_t premises = 2000;
  int dispatches = 1000;
  int fix_every_ms = 50;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::string(argv[i]) == "--premises") premises = std::stoul(argv[i + 1]);
    if (std::string(argv[i]) == "--dispatches") dispatches = std::stoi(argv[i + 1]);
    if (std::string(argv[i]) == "--fix-every-ms") fix_every_ms = std::max(1, std::stoi(argv[i + 1]));
  }
  mdtc::test::TempDir dir;
  const std::string db = dir.file("cache.db");
  {
    auto cache = mdtc::cache::Cache::open({db, "", true, 24});
    if (!cache) return std::fprintf(stderr, "open: %s\n", cache.error().message.c_str()), 1;
    auto report = cache->import_text(registry(premises), "generated");
    if (!report) return std::fprintf(stderr, "import: %s\n", report.error().message.c_str()), 1;
  }

  // The GPS source the plugin connects to.
  const int gps_listen = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(gps_listen, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(gps_listen, 1) != 0 ||
      ::getsockname(gps_listen, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    return std::fprintf(stderr, "gps listen: %s\n", std::strerror(errno)), 1;
  const int gps_port = ntohs(addr.sin_port);

  const int pub_port = mdtc::test::free_tcp_port(), router_port = mdtc::test::free_tcp_port();
  const std::string pub_ep = "tcp://127.0.0.1:" + std::to_string(pub_port);
  const std::string router_ep = "tcp://127.0.0.1:" + std::to_string(router_port);
  mdtc::test::write_file(dir.file("bench.ini"),
                         "[unit]\nid = B1\nrole = patrol\n[cad]\nsubscribe_endpoint = " + pub_ep +
                             "\ndealer_endpoint = " + router_ep + "\nheartbeat_timeout_s = 3600\n[cache]\ndb = " + db +
                             "\n[gps]\nport = tcp://127.0.0.1:" + std::to_string(gps_port) + "\n");

  zmq::context_t ctx;
  zmq::socket_t pub(ctx, zmq::socket_type::xpub);
  pub.bind(pub_ep);

  // The gateway's ROUTER: acks every message that carries a key.
  std::atomic<bool> done{false};
  std::atomic<uint64_t> avl_received{0}, acks_sent{0};
  std::thread gateway([&] {
    zmq::socket_t router(ctx, zmq::socket_type::router);
    router.set(zmq::sockopt::linger, 0);
    router.bind(router_ep);
    while (!done.load()) {
      zmq::pollitem_t item{router.handle(), 0, ZMQ_POLLIN, 0};
      zmq::poll(&item, 1, std::chrono::milliseconds(20));
      if (!(item.revents & ZMQ_POLLIN)) continue;
      std::vector<zmq::message_t> frames;
      do {
        frames.emplace_back();
        (void)router.recv(frames.back());
      } while (frames.back().more());
      const std::string from = frames.front().to_string(), body = frames.back().to_string();
      if (body.find("\"type\":\"avl\"") != std::string::npos) ++avl_received;
      const auto k = body.find("\"key\":\"");
      if (k == std::string::npos) continue;
      const auto end = body.find('"', k + 7);
      const std::string ack = "{\"v\":1,\"type\":\"ack\",\"seq\":0,\"sent_at\":\"2026-11-22T10:00:00Z\","
                              "\"epoch\":\"bench\",\"key\":\"" + body.substr(k + 7, end - k - 7) + "\"}";
      router.send(zmq::buffer(from), zmq::send_flags::sndmore);
      router.send(zmq::buffer(std::string()), zmq::send_flags::sndmore);
      router.send(zmq::buffer(ack), zmq::send_flags::none);
      ++acks_sent;
    }
  });

  mdtc::bench::ShownPanels host;
  mdt_host_callbacks cb{};
  mdtc::bench::LoadedPlugin plugin =
      mdtc::bench::start_plugin(dir.file("bench.ini"), cb, &host, mdtc::bench::on_show, mdtc::bench::on_close);
  if (!plugin.plugin) return 1;

  const int gps_fd = ::accept(gps_listen, nullptr, nullptr);
  if (gps_fd < 0) return std::fprintf(stderr, "gps accept: %s\n", std::strerror(errno)), 1;
  std::atomic<bool> avl_on{false};
  std::atomic<uint64_t> fixes_written{0};
  std::thread feeder([&] {
    bool north = false;
    auto next = Clock::now();
    while (!done.load()) {
      next += std::chrono::milliseconds(fix_every_ms);
      std::this_thread::sleep_until(next);  // the fix rate, not synchronization
      if (!avl_on.load()) continue;
      const std::string epoch = fix_epoch(north = !north);
      if (::send(gps_fd, epoch.data(), epoch.size(), MSG_NOSIGNAL) < 0) return;
      ++fixes_written;
    }
  });

  for (;;) {
    zmq::message_t sub;
    (void)pub.recv(sub);
    if (sub.to_string() == std::string("\x01unit.B1", 8)) break;
  }
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<int> gap_us(0, fix_every_ms * 1000);
  std::vector<double> quiet_us, avl_us;
  uint64_t avl_before = 0;
  constexpr int kBlock = 50;
  mdtc::bench::CadFeed cad(pub);
  for (int i = 0; i < dispatches; ++i) {
    // Blocks of 50 by turns, so slow moments of a shared machine fall on both.
    const bool with_avl = (i / kBlock) % 2 == 1;
    if (with_avl != avl_on.load()) {
      avl_on = with_avl;
      // Let the reports start (or the last ones drain) before timing.
      std::this_thread::sleep_for(std::chrono::milliseconds(3 * fix_every_ms));
      if (with_avl && i == kBlock) avl_before = avl_received.load();
    }
    std::this_thread::sleep_for(std::chrono::microseconds(gap_us(rng)));
    const std::string incident = "I-" + std::to_string(i);
    const double us = host.one_call(cad, incident, address_of(rng() % premises), std::chrono::seconds(10));
    if (us < 0) return std::fprintf(stderr, "call %s never popped its panel, or never took it down\n", incident.c_str()), 1;
    (with_avl ? avl_us : quiet_us).push_back(us);
  }
  avl_on = false;
  done = true;
  feeder.join();
  plugin.stop();
  gateway.join();
  ::close(gps_fd);
  ::close(gps_listen);

  const auto q = percentiles(quiet_us), a = percentiles(avl_us);
  const auto c = percentiles(bare_commits(dir.file("bare-commit.db"), 200));
  std::printf("dispatches: %d (%zu with the GPS quiet, %zu while AVL flows), fix every %d ms, %zu premises\n",
              dispatches, quiet_us.size(), avl_us.size(), fix_every_ms, premises);
  std::printf("AVL reports received by the gateway: %llu (of %llu fixes written), acks sent: %llu\n",
              static_cast<unsigned long long>(avl_received.load() - avl_before),
              static_cast<unsigned long long>(fixes_written.load()), static_cast<unsigned long long>(acks_sent.load()));
  std::printf("%-34s %9s %9s %9s %9s %9s\n", "microseconds", "p50", "p90", "p99", "max", "> 2 ms");
  for (const auto& [what, p] : {std::pair{"publish -> show_panel, GPS quiet", q},
                                std::pair{"publish -> show_panel, AVL flowing", a},
                                std::pair{"bare WAL FULL commit, same disk", c}})
    std::printf("%-34s %9.1f %9.1f %9.1f %9.1f %8.1f%%\n", what, p.p50, p.p90, p.p99, p.max, p.over_2ms);
  std::printf("ratio p99 AVL/quiet: %.2fx\n", a.p99 / q.p99);
  return 0;
}
