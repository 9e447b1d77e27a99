#include "gateway_fixture.h"

#include <stdexcept>

namespace mdtc::test {

GatewayThread::GatewayThread(stub_cad::GatewayOptions opt)
    : gw_(std::make_unique<stub_cad::CadGateway>(std::move(opt))) {
  if (auto r = gw_->bind(); !r) throw std::runtime_error(r.error().message);
  pub_ = gw_->pub_endpoint();
  router_ = gw_->router_endpoint();
  thread_ = std::thread([this] {
    while (true) {
      {
        std::lock_guard lock(mu_);
        if (stop_) return;
        gw_->poll(2);
      }
      std::this_thread::yield();  // let with() callers take the lock
    }
  });
}

GatewayThread::~GatewayThread() { kill(); }

void GatewayThread::kill() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
  if (gw_) gw_->close(0);
}

bool eventually(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));  // poll interval, not a sync
  }
  return true;
}

bridge::Link::MessageHandler Inbox::message_handler() {
  return [this](bridge::Message m) {
    std::lock_guard lock(mu_);
    messages_.push_back(std::move(m));
    cv_.notify_all();
  };
}

bridge::Link::StatusHandler Inbox::status_handler() {
  return [this](const bridge::LinkStatus& s) {
    std::lock_guard lock(mu_);
    statuses_.push_back(s);
    cv_.notify_all();
  };
}

bool Inbox::wait_messages(std::size_t n, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return messages_.size() >= n; });
}

bool Inbox::wait_status(bool up, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout,
                      [&] { return !statuses_.empty() && statuses_.back().up == up; });
}

std::vector<bridge::Message> Inbox::messages() {
  std::lock_guard lock(mu_);
  return messages_;
}

std::vector<bridge::LinkStatus> Inbox::statuses() {
  std::lock_guard lock(mu_);
  return statuses_;
}

bridge::LinkOptions link_options(const std::string& unit, const GatewayThread& gw) {
  bridge::LinkOptions o;
  o.unit_id = unit;
  o.subscribe_endpoint = gw.pub();
  o.dealer_endpoint = gw.router();
  return o;
}

}  // namespace mdtc::test
