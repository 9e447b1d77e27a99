// CAD publish -> show_panel latency through the real plugin (dlopen), with a
// large generated flag cache, beside a bare cppzmq PUB/SUB one-way latency
// measured in the same run on the same loopback (the floor).
//
//   bench_dispatch_to_panel [--premises N] [--dispatches N]
//
// Each dispatch goes to a flagged premise, so each pops a premise panel; the
// next is published only after the panel arrived, so the figures are
// latencies, not queueing.
#include <dlfcn.h>
#include <sys/resource.h>

#include <zmq.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench_plugin.h"
#include "mdt_host/mdt_host_api.h"
#include "mdtc/cache.h"
#include "mdtc/registry_line.h"
#include "temp_dir.h"

namespace {

using Clock = std::chrono::steady_clock;

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

struct Percentiles {
  double p50, p99, p999, max;
};

Percentiles percentiles(std::vector<double> us) {
  std::sort(us.begin(), us.end());
  auto at = [&](double q) {
    return us[std::min(us.size() - 1, static_cast<size_t>(q * static_cast<double>(us.size())))];
  };
  return {at(0.50), at(0.99), at(0.999), us.back()};
}

const char* kStreets[] = {"MAPLE", "OAK", "ELM", "WALNUT", "CHESTNUT", "LINCOLN", "WASHINGTON",
                          "JEFFERSON", "MADISON", "MONROE", "ADAMS", "JACKSON", "CEDAR", "PINE"};
const char* kTypes[] = {"ST", "AVE", "BLVD", "DR", "RD", "CT"};
const char* kDirs[] = {"N", "S", "E", "W"};

std::string address_of(size_t i) {
  // Unique per i: house number, directional, street and type all vary.
  const size_t street = i % 14, type = (i / 14) % 6, dir = (i / 84) % 4, block = i / 336;
  return std::to_string(100 + block) + " " + kDirs[dir] + " " + kStreets[street] + " " +
         kTypes[type];
}

std::string registry(size_t premises) {
  std::string out = "{\"type\":\"header\",\"mode\":\"snapshot\",\"version\":1,\"created\":\"2026-11-22T00:00:00Z\"}\n";
  out.reserve(premises * 260);
  for (size_t i = 0; i < premises; ++i) {
    const std::string id = std::to_string(i);
    out += "{\"type\":\"premise\",\"id\":\"P" + id + "\",\"address\":\"" + address_of(i) +
           ", SPRINGFIELD IL\"}\n";
    out += "{\"type\":\"flag\",\"id\":\"F" + id + "\",\"premise\":\"P" + id +
           "\",\"kind\":\"safety\",\"code\":\"WEAPONS\",\"note\":\"Fictional benchmark note " + id +
           "\",\"audience\":\"all\"}\n";
  }
  return *mdtc::cache::complete_registry_file(out);
}

struct Host {
  std::mutex mu;
  std::condition_variable cv;
  std::map<std::string, int64_t> shown_ns;  // incident id -> when its premise panel arrived
};

int32_t on_show(void* data, const char* panel_id, const char*) {
  const int64_t t = now_ns();
  auto& h = *static_cast<Host*>(data);
  if (std::strncmp(panel_id, "premise:", 8) != 0) return MDT_OK;
  std::lock_guard lock(h.mu);
  h.shown_ns[panel_id + 8] = t;
  h.cv.notify_all();
  return MDT_OK;
}

std::string body_for(uint64_t seq, const std::string& incident, const std::string& address) {
  return "{\"v\":1,\"type\":\"dispatch\",\"seq\":" + std::to_string(seq) +
         ",\"epoch\":\"bench\",\"sent_at\":\"2026-11-22T10:00:00Z\",\"incident\":{\"id\":\"" +
         incident + "\",\"call_type\":\"WELFARE CHECK\",\"priority\":2,\"units\":[\"B1\"],"
         "\"location\":{\"address\":\"" + address + ", SPRINGFIELD IL\"}}}";
}

// Bare floor: one PUB, one SUB, the same two-frame messages, one at a time.
std::vector<double> bare_zmq(int count, const std::string& endpoint) {
  zmq::context_t ctx;
  zmq::socket_t pub(ctx, zmq::socket_type::xpub);
  pub.bind(endpoint);
  zmq::socket_t sub(ctx, zmq::socket_type::sub);
  sub.set(zmq::sockopt::subscribe, "unit.B1");
  sub.connect(endpoint);
  zmq::message_t subscription;
  (void)pub.recv(subscription);  // XPUB reports the subscription: no slow-joiner loss
  std::vector<double> us;
  const std::string body = body_for(1, "I-0", address_of(0));
  for (int i = 0; i < count; ++i) {
    const int64_t t0 = now_ns();
    pub.send(zmq::buffer(std::string("unit.B1")), zmq::send_flags::sndmore);
    pub.send(zmq::buffer(body), zmq::send_flags::none);
    zmq::message_t topic, payload;
    (void)sub.recv(topic);
    (void)sub.recv(payload);
    us.push_back(static_cast<double>(now_ns() - t0) / 1000.0);
  }
  return us;
}

}  // namespace

int main(int argc, char** argv) {
  size_t premises = 1'000'000;
  int dispatches = 10'000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::string(argv[i]) == "--premises") premises = std::stoul(argv[i + 1]);
    if (std::string(argv[i]) == "--dispatches") dispatches = std::stoi(argv[i + 1]);
  }
  mdtc::test::TempDir dir;
  const std::string db = dir.file("cache.db");
  {
    auto t0 = Clock::now();
    auto cache = mdtc::cache::Cache::open({db, "", true, 24});
    if (!cache) return std::fprintf(stderr, "open: %s\n", cache.error().message.c_str()), 1;
    auto report = cache->import_text(registry(premises), "generated");
    if (!report) return std::fprintf(stderr, "import: %s\n", report.error().message.c_str()), 1;
    std::printf("cache: %zu premises, %zu flags imported in %.1f s\n", premises, premises,
                std::chrono::duration<double>(Clock::now() - t0).count());
  }

  const int pub_port = mdtc::test::free_tcp_port(), router_port = mdtc::test::free_tcp_port();
  const std::string pub_ep = "tcp://127.0.0.1:" + std::to_string(pub_port);
  const std::string router_ep = "tcp://127.0.0.1:" + std::to_string(router_port);
  mdtc::test::write_file(dir.file("bench.ini"),
                         "[unit]\nid = B1\nrole = patrol\n[cad]\nsubscribe_endpoint = " + pub_ep +
                             "\ndealer_endpoint = " + router_ep +
                             "\nheartbeat_timeout_s = 3600\n[cache]\ndb = " + db + "\n");

  zmq::context_t ctx;
  zmq::socket_t pub(ctx, zmq::socket_type::xpub);
  pub.bind(pub_ep);
  zmq::socket_t router(ctx, zmq::socket_type::router);
  router.bind(router_ep);

  Host host;
  mdt_host_callbacks cb{};
  mdtc::bench::LoadedPlugin plugin = mdtc::bench::start_plugin(dir.file("bench.ini"), cb, &host, on_show);
  if (!plugin.plugin) return 1;

  // Wait for the plugin's subscription to its own topic before publishing.
  for (;;) {
    zmq::message_t sub;
    (void)pub.recv(sub);
    if (sub.to_string() == std::string("\x01unit.B1", 8)) break;
  }
  std::mt19937_64 rng(42);
  std::vector<double> plugin_us;
  plugin_us.reserve(static_cast<size_t>(dispatches));
  for (int i = 0; i < dispatches; ++i) {
    const std::string incident = "I-" + std::to_string(i);
    const std::string body = body_for(static_cast<uint64_t>(i) + 1, incident, address_of(rng() % premises));
    const int64_t t0 = now_ns();
    pub.send(zmq::buffer(std::string("unit.B1")), zmq::send_flags::sndmore);
    pub.send(zmq::buffer(body), zmq::send_flags::none);
    std::unique_lock lock(host.mu);
    if (!host.cv.wait_for(lock, std::chrono::seconds(10), [&] { return host.shown_ns.count(incident) > 0; }))
      return std::fprintf(stderr, "dispatch %s never popped a panel\n", incident.c_str()), 1;
    plugin_us.push_back(static_cast<double>(host.shown_ns[incident] - t0) / 1000.0);
  }
  plugin.stop();

  const auto bare = percentiles(bare_zmq(dispatches, "tcp://127.0.0.1:" + std::to_string(mdtc::test::free_tcp_port())));
  const auto full = percentiles(plugin_us);
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  std::printf("dispatches: %d, CURVE off, tcp loopback\n", dispatches);
  std::printf("%-28s %9s %9s %9s %9s\n", "microseconds", "p50", "p99", "p99.9", "max");
  std::printf("%-28s %9.1f %9.1f %9.1f %9.1f\n", "bare PUB->SUB one-way", bare.p50, bare.p99, bare.p999, bare.max);
  std::printf("%-28s %9.1f %9.1f %9.1f %9.1f\n", "publish -> show_panel", full.p50, full.p99, full.p999, full.max);
  std::printf("ratio p99 plugin/bare: %.1fx (goal <= 10x); p99 %s 1 ms (goal under 1 ms)\n",
              full.p99 / bare.p99, full.p99 < 1000.0 ? "under" : "OVER");
  std::printf("peak RSS: %ld MiB\n", ru.ru_maxrss / 1024);
  return 0;
}
