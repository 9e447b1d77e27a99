// Test helpers for the link: the stub-cad gateway running on its own thread
// (so it answers hellos, catch-ups and acks while a test waits), and an
// inbox that collects what the link hands its handlers, with waits that
// block on a condition variable until a deadline.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "cad_gateway.h"
#include "mdtc/bridge.h"

namespace mdtc::test {

class GatewayThread {
 public:
  explicit GatewayThread(stub_cad::GatewayOptions opt);
  ~GatewayThread();

  // Runs `f` with the gateway while its poll loop is paused.
  template <class F>
  auto with(F&& f) {
    std::lock_guard lock(mu_);
    return f(*gw_);
  }
  // Closes the sockets at once (a crash: in-flight messages are lost).
  void kill();
  const std::string& pub() const { return pub_; }
  const std::string& router() const { return router_; }

 private:
  std::mutex mu_;
  std::unique_ptr<stub_cad::CadGateway> gw_;
  std::thread thread_;
  bool stop_ = false;
  std::string pub_, router_;
};

// Polls `pred` (which may lock other objects) until true or the deadline.
bool eventually(const std::function<bool()>& pred,
                std::chrono::milliseconds timeout = std::chrono::seconds(20));

class Inbox {
 public:
  bridge::Link::MessageHandler message_handler();
  bridge::Link::StatusHandler status_handler();

  bool wait_messages(std::size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(20));
  bool wait_status(bool up, std::chrono::milliseconds timeout = std::chrono::seconds(20));
  std::vector<bridge::Message> messages();
  std::vector<bridge::LinkStatus> statuses();

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<bridge::Message> messages_;
  std::vector<bridge::LinkStatus> statuses_;
};

bridge::LinkOptions link_options(const std::string& unit, const GatewayThread& gw);

}  // namespace mdtc::test
