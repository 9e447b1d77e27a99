// CAD publish -> show_panel latency through the real plugin (dlopen), with a
// large generated flag cache, beside a bare cppzmq PUB/SUB one-way latency
// measured in the same run on the same loopback (the floor).
//
//   bench_dispatch_to_panel [--premises N] [--dispatches N]
//
// Each dispatch goes to a flagged premise, so each pops a premise panel; the
// call is then cancelled, and the next is published only after its panel
// went, so the figures are latencies, not queueing.
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
#include "dispatch_bench.h"
#include "mdt_host/mdt_host_api.h"
#include "mdtc/cache.h"
#include "mdtc/registry_line.h"
#include "temp_dir.h"

using mdtc::bench::address_of;
using mdtc::bench::now_ns;
using Clock = std::chrono::steady_clock;

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
    auto report = cache->import_text(mdtc::bench::registry(premises), "generated");
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

  mdtc::bench::ShownPanels host;
  mdt_host_callbacks cb{};
  mdtc::bench::LoadedPlugin plugin =
      mdtc::bench::start_plugin(dir.file("bench.ini"), cb, &host, mdtc::bench::on_show, mdtc::bench::on_close);
  if (!plugin.plugin) return 1;
  mdtc::bench::await_subscription(pub);
  std::mt19937_64 rng(42);
  std::vector<double> plugin_us;
  plugin_us.reserve(static_cast<size_t>(dispatches));
  mdtc::bench::CadFeed cad(pub);
  for (int i = 0; i < dispatches; ++i) {
    const std::string incident = "I-" + std::to_string(i);
    const double us = host.one_call(cad, incident, address_of(rng() % premises), std::chrono::seconds(10));
    if (us < 0) return std::fprintf(stderr, "call %s never popped its panel, or never took it down\n", incident.c_str()), 1;
    plugin_us.push_back(us);
  }
  plugin.stop();

  const auto bare = mdtc::bench::percentiles(
      mdtc::bench::bare_zmq(dispatches, "tcp://127.0.0.1:" + std::to_string(mdtc::test::free_tcp_port())));
  const auto full = mdtc::bench::percentiles(plugin_us);
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  std::printf("dispatches: %d, CURVE off, tcp loopback\n", dispatches);
  std::printf("%-28s %9s %9s %9s %9s\n", "microseconds", "p50", "p99", "p99.9", "max");
  std::printf("%-28s %9.1f %9.1f %9.1f %9.1f\n", "bare PUB->SUB one-way", bare.p50, bare.p99, bare.p999, bare.max);
  std::printf("%-28s %9.1f %9.1f %9.1f %9.1f\n", "publish -> show_panel", full.p50, full.p99, full.p999, full.max);
  std::printf("ratio p99 plugin/bare: %.1fx (goal <= 3x); p99.9 %s 1 ms (goal under 1 ms)\n",
              full.p99 / bare.p99, full.p999 < 1000.0 ? "under" : "OVER");
  std::printf("peak RSS: %ld MiB\n", ru.ru_maxrss / 1024);
  return 0;
}
