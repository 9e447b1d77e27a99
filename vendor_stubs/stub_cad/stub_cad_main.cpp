// stub-cad: the CAD gateway stand-in the demo and the integration tests run.
// Its command line and scenario format are a contract (docs/protocol.md).
#include <boost/program_options.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cad_gateway.h"
#include "mdtc/bridge.h"
#include "scenario.h"

namespace po = boost::program_options;
using Clock = std::chrono::steady_clock;

namespace {

std::atomic<bool> g_stop{false};
extern "C" void on_signal(int) { g_stop = true; }

bool step_done(const stub_cad::Step& s, const stub_cad::CadGateway& gw, std::size_t& cursor) {
  using K = stub_cad::Step::Kind;
  switch (s.kind) {
    case K::wait_subscriber: return gw.has_subscriber(s.topic);
    case K::wait_hello: return gw.hello_seen(s.unit);
    case K::wait_message: {
      const auto& in = gw.inbound();
      for (std::size_t i = cursor; i < in.size(); ++i) {
        if (in[i].type == s.type && (s.from.empty() || in[i].from == s.from)) {
          cursor = i + 1;
          return true;
        }
      }
      return false;
    }
    default: return true;
  }
}

}  // namespace

int main(int argc, char** argv) {
  stub_cad::GatewayOptions opt;
  std::string scenario_path, key_file;
  bool exit_when_done = false;
  bool no_catchup = false;
  po::options_description desc("stub-cad: CAD gateway stand-in (wire protocol v1)");
  desc.add_options()("help,h", "this text")
      ("pub", po::value(&opt.pub_endpoint)->default_value(opt.pub_endpoint), "XPUB endpoint to bind")
      ("router", po::value(&opt.router_endpoint)->default_value(opt.router_endpoint), "ROUTER endpoint to bind")
      ("scenario", po::value(&scenario_path), "JSON Lines scenario to play")
      ("record", po::value(&opt.record_path), "write every message in/out as JSON Lines")
      ("epoch", po::value(&opt.epoch), "run id (default: random)")
      ("heartbeat-ms", po::value(&opt.heartbeat_ms)->default_value(1000), "heartbeat period, 0 = none")
      ("exit-when-done", po::bool_switch(&exit_when_done), "exit 0 when the scenario completes, 1 on a timeout")
      ("no-catchup", po::bool_switch(&no_catchup), "never answer catch-up asks (fault injection)")
      ("server-key-file", po::value(&key_file), "CURVE server key pair file: run CURVE on both sockets")
      ("coresponder", po::value(&opt.coresponders)->composing(), "unit on co-responder duty from the start (repeatable)");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "stub-cad: " << e.what() << "\n" << desc;
    return 2;
  }
  if (vm.count("help")) {
    std::cout << desc;
    return 0;
  }
  std::vector<stub_cad::Step> steps;
  if (!scenario_path.empty()) {
    std::ifstream in(scenario_path);
    if (!in) {
      std::cerr << "stub-cad: cannot read scenario " << scenario_path << "\n";
      return 2;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    auto parsed = stub_cad::parse_scenario(ss.str());
    if (!parsed) {
      std::cerr << "stub-cad: " << scenario_path << ": " << parsed.error().message << "\n";
      return 2;
    }
    steps = std::move(parsed.value());
  }
  if (!key_file.empty()) {
    auto kp = mdtc::bridge::read_curve_key_file(key_file);
    if (!kp) {
      std::cerr << "stub-cad: " << kp.error().message << "\n";
      return 2;
    }
    opt.server_public_key = kp->public_key;
    opt.server_secret_key = kp->secret_key;
  }

  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  stub_cad::CadGateway gw(opt);
  gw.set_catchup_answers(!no_catchup);
  if (auto r = gw.bind(); !r) {
    std::cerr << r.error().message << "\n";
    return 1;
  }
  std::cout << "stub-cad ready" << std::endl;

  std::size_t idx = 0, cursor = 0;
  bool step_started = false;
  Clock::time_point deadline{};
  int rc = 0;
  bool scenario_over = steps.empty();
  while (!g_stop) {
    gw.poll(10);
    while (!scenario_over && idx < steps.size()) {
      const auto& s = steps[idx];
      auto now = Clock::now();
      using K = stub_cad::Step::Kind;
      if (!step_started) {
        step_started = true;
        auto ms = s.kind == K::pause ? s.pause_ms : static_cast<int>(s.timeout_s * 1000);
        deadline = now + std::chrono::milliseconds(ms);
      }
      bool done = false;
      switch (s.kind) {
        case K::say: std::cout << "[cad] " << s.text << std::endl; done = true; break;
        case K::publish: gw.publish(s.topic, s.body); done = true; break;
        case K::publish_raw: gw.publish_raw(s.topic, s.text); done = true; break;
        case K::dispatch_request: gw.dispatch_request(s.unit, s.body); done = true; break;
        case K::pause: done = now >= deadline; break;
        default:
          done = step_done(s, gw, cursor);
          if (!done && now >= deadline) {
            std::cerr << "stub-cad: timed out waiting for " << stub_cad::describe(s)
                      << " (scenario line " << s.line << ")" << std::endl;
            rc = 1;
            scenario_over = true;
          }
      }
      if (scenario_over || !done) break;
      ++idx;
      step_started = false;
    }
    if (idx >= steps.size()) scenario_over = true;
    if (scenario_over && exit_when_done) break;
  }
  // Linger so the last publishes and acks leave before the sockets close.
  gw.close(1000);
  return rc;
}
