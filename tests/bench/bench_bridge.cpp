// CAD link latency and throughput over TCP loopback, each beside a bare
// cppzmq PUB/SUB baseline measured in the same run with the same bodies:
//   latency: one dispatch at a time, publish -> handler (p50/p99/p99.9),
//            CURVE off and on;
//   throughput: a burst of dispatches, publish -> last handler call, with
//            every one delivered once (no loss).
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "mdtc/bridge.h"
#include "temp_dir.h"

using Clock = std::chrono::steady_clock;
using mdtc::bridge::CurveKeyPair;

namespace {

constexpr int kLatencySamples = 5000;
constexpr int kBurst = 20000;

std::string body(uint64_t seq) {
  return R"({"v":1,"type":"dispatch","seq":)" + std::to_string(seq) +
         R"(,"epoch":"bench","sent_at":"2026-11-22T10:00:00.000Z","incident":{"id":"I-)" +
         std::to_string(seq) +
         R"(","call_type":"WELFARE CHECK","priority":2,"narrative":"Neighbour reports shouting","units":["2A31"],"location":{"address":"1208 N MAPLE ST APT 3B, SPRINGFIELD IL","civic":{"hno":"1208","prd":"N","rd":"MAPLE","sts":"ST","unit":"3B","a3":"SPRINGFIELD","a1":"IL"},"lat":39.8012,"lon":-89.6437}}})";
}

struct Percentiles {
  double p50, p99, p999;
};

Percentiles percentiles(std::vector<double> us) {
  std::sort(us.begin(), us.end());
  auto at = [&](double q) { return us[std::min(us.size() - 1, static_cast<std::size_t>(q * static_cast<double>(us.size())))]; };
  return {at(0.50), at(0.99), at(0.999)};
}

std::string endpoint() { return "tcp://127.0.0.1:" + std::to_string(mdtc::test::free_tcp_port()); }

// A publisher that knows when a subscriber is there (XPUB).
struct Publisher {
  zmq::context_t ctx{1};
  zmq::socket_t pub{ctx, zmq::socket_type::xpub};
  explicit Publisher(const std::string& ep, const CurveKeyPair* server) {
    pub.set(zmq::sockopt::sndhwm, 0);
    pub.set(zmq::sockopt::linger, 0);
    if (server) {
      pub.set(zmq::sockopt::curve_server, 1);
      pub.set(zmq::sockopt::curve_secretkey, server->secret_key);
    }
    pub.bind(ep);
  }
  void wait_subscribers(int n) {
    for (int got = 0; got < n;) {
      zmq::message_t m;
      if (pub.recv(m) && m.size() > 0 && static_cast<const char*>(m.data())[0] == 1) ++got;
    }
  }
  void send(const std::string& topic, const std::string& text) {
    pub.send(zmq::buffer(topic), zmq::send_flags::sndmore);
    pub.send(zmq::buffer(text), zmq::send_flags::none);
  }
};

// Bare baseline: a SUB thread that only receives the two frames.
struct BareSubscriber {
  zmq::context_t ctx{1};
  zmq::socket_t sub{ctx, zmq::socket_type::sub};
  std::mutex mu;
  std::condition_variable cv;
  uint64_t received = 0;
  Clock::time_point last{};
  std::thread thread;
  std::atomic<bool> stop{false};

  BareSubscriber(const std::string& ep, const CurveKeyPair* server, const CurveKeyPair* client) {
    sub.set(zmq::sockopt::rcvhwm, 0);
    sub.set(zmq::sockopt::linger, 0);
    if (server) {
      sub.set(zmq::sockopt::curve_serverkey, server->public_key);
      sub.set(zmq::sockopt::curve_publickey, client->public_key);
      sub.set(zmq::sockopt::curve_secretkey, client->secret_key);
    }
    sub.set(zmq::sockopt::subscribe, "unit.2A31");
    sub.set(zmq::sockopt::rcvtimeo, 100);
    sub.connect(ep);
    thread = std::thread([this] {
      while (!stop) {
        zmq::message_t topic, text;
        if (!sub.recv(topic)) continue;
        (void)sub.recv(text);
        auto now = Clock::now();
        std::lock_guard lock(mu);
        ++received;
        last = now;
        cv.notify_all();
      }
    });
  }
  ~BareSubscriber() {
    stop = true;
    thread.join();
  }
  Clock::time_point wait_for(uint64_t n) {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return received >= n; });
    return last;
  }
};

// The link's handler side.
struct Sink {
  std::mutex mu;
  std::condition_variable cv;
  uint64_t received = 0;
  uint64_t last_seq = 0;
  bool in_order = true;
  Clock::time_point last{};
  mdtc::bridge::Link::MessageHandler handler() {
    return [this](mdtc::bridge::Message m) {
      auto now = Clock::now();
      std::lock_guard lock(mu);
      in_order = in_order && m.seq == last_seq + 1;
      last_seq = m.seq;
      ++received;
      last = now;
      cv.notify_all();
    };
  }
  Clock::time_point wait_for(uint64_t n) {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return received >= n; });
    return last;
  }
};

struct Result {
  Percentiles lat;
  double burst_per_s;
  bool no_loss;
};

Result run_bare(const CurveKeyPair* server, const CurveKeyPair* client) {
  auto ep = endpoint();
  Publisher pub(ep, server);
  BareSubscriber sub(ep, server, client);
  pub.wait_subscribers(1);
  std::vector<double> us;
  us.reserve(kLatencySamples);
  uint64_t seq = 0;
  for (int i = 0; i < kLatencySamples; ++i) {
    auto text = body(++seq);
    auto t0 = Clock::now();
    pub.send("unit.2A31", text);
    auto t1 = sub.wait_for(seq);
    us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
  }
  std::vector<std::string> burst;
  for (int i = 0; i < kBurst; ++i) burst.push_back(body(seq + 1 + static_cast<uint64_t>(i)));
  auto t0 = Clock::now();
  for (const auto& b : burst) pub.send("unit.2A31", b);
  auto t1 = sub.wait_for(seq + kBurst);
  bool ok = sub.received == seq + kBurst;
  return {percentiles(us), kBurst / std::chrono::duration<double>(t1 - t0).count(), ok};
}

Result run_link(const CurveKeyPair* server, const CurveKeyPair* client) {
  auto ep = endpoint();
  Publisher pub(ep, server);
  Sink sink;
  mdtc::bridge::LinkOptions lo;
  lo.unit_id = "2A31";
  lo.subscribe_endpoint = ep;
  lo.dealer_endpoint = endpoint();  // nobody there: inbound only
  if (server) {
    lo.server_public_key = server->public_key;
    lo.client_public_key = client->public_key;
    lo.client_secret_key = client->secret_key;
  }
  mdtc::bridge::Link link(lo, sink.handler(), nullptr);
  if (!link.start()) std::abort();
  pub.wait_subscribers(2);  // unit.2A31 and all
  std::vector<double> us;
  us.reserve(kLatencySamples);
  uint64_t seq = 0;
  for (int i = 0; i < kLatencySamples; ++i) {
    auto text = body(++seq);
    auto t0 = Clock::now();
    pub.send("unit.2A31", text);
    auto t1 = sink.wait_for(seq);
    us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
  }
  std::vector<std::string> burst;
  for (int i = 0; i < kBurst; ++i) burst.push_back(body(seq + 1 + static_cast<uint64_t>(i)));
  auto t0 = Clock::now();
  for (const auto& b : burst) pub.send("unit.2A31", b);
  auto t1 = sink.wait_for(seq + kBurst);
  auto c = link.counters();
  bool ok = sink.in_order && sink.received == seq + kBurst && c["gaps"] == 0 && c["duplicates"] == 0;
  link.stop();
  return {percentiles(us), kBurst / std::chrono::duration<double>(t1 - t0).count(), ok};
}

void print(const char* what, const Result& link, const Result& bare) {
  std::printf("%-26s link  p50 %7.1f us  p99 %7.1f us  p99.9 %7.1f us | baseline bare PUB/SUB p50 %7.1f  p99 %7.1f  p99.9 %7.1f us\n",
              what, link.lat.p50, link.lat.p99, link.lat.p999, bare.lat.p50, bare.lat.p99, bare.lat.p999);
  std::printf("%-26s link  %9.0f dispatches/s (%s) | baseline bare PUB/SUB %9.0f msgs/s (%s)\n", "",
              link.burst_per_s, link.no_loss ? "all delivered once, in order" : "LOSS OR DISORDER",
              bare.burst_per_s, bare.no_loss ? "all received" : "LOSS");
}

}  // namespace

int main() {
  std::printf("bench_bridge: %d latency samples (one in flight), burst of %d; body %zu bytes\n",
              kLatencySamples, kBurst, body(1).size());
  auto bare_plain = run_bare(nullptr, nullptr);
  auto link_plain = run_link(nullptr, nullptr);
  print("CURVE off", link_plain, bare_plain);
  auto server = mdtc::bridge::generate_curve_key_pair().value();
  auto client = mdtc::bridge::generate_curve_key_pair().value();
  auto bare_curve = run_bare(&server, &client);
  auto link_curve = run_link(&server, &client);
  print("CURVE on", link_curve, bare_curve);
  return link_plain.no_loss && link_curve.no_loss ? 0 : 1;
}
