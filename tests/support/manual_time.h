// Time for the link and registry sync tests that moves only when the test
// says: a timeout, backoff or heartbeat deadline passes when the test calls
// advance(), not after real seconds. It starts at the real steady time, so
// nothing a thread computed before the test took over looks far off.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>

#include "mdtc/time_source.h"

namespace mdtc::test {

class ManualTime final : public bridge::TimeSource {
 public:
  ManualTime() : ns_(std::chrono::steady_clock::now().time_since_epoch().count()) {}

  time_point now() const override { return time_point(duration(ns_.load())); }
  // A thread that asks is waiting on this time: counted, for await_waiter().
  // It looks again after a moment, so an advance() takes effect within a
  // few milliseconds of real time.
  duration wait_slice(time_point due) const override {
    if (due <= now()) return duration::zero();
    {
      std::lock_guard lock(mu_);
      ++waits_;
    }
    cv_.notify_all();
    return std::chrono::milliseconds(5);
  }
  void advance(duration d) {
    std::lock_guard lock(mu_);
    ns_ += d.count();
    waits_at_advance_ = waits_;
  }
  // Blocks until some thread waits on this time for a moment still ahead,
  // counting from the last advance(): its deadline is set, so a move now
  // reaches it. False after `limit` of real time.
  bool await_waiter(std::chrono::milliseconds limit) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, limit, [&] { return waits_ > waits_at_advance_; });
  }

 private:
  std::atomic<duration::rep> ns_;
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  mutable uint64_t waits_ = 0;
  uint64_t waits_at_advance_ = 0;
};

// Once a thread waits on `time`, moves it on by `step`, then gives
// `happened` up to `settle` of real time to see the event the move should
// cause (a timeout reported, a run ended); again, up to `rounds` moves (a
// thread may have been waiting for something else). True once the event
// happened.
inline bool advance_until(ManualTime& time, ManualTime::duration step,
                          const std::function<bool(std::chrono::milliseconds settle)>& happened,
                          int rounds = 20, std::chrono::milliseconds settle = std::chrono::milliseconds(250)) {
  for (int i = 0; i < rounds; ++i) {
    time.await_waiter(settle);
    time.advance(step);
    if (happened(settle)) return true;
  }
  return false;
}

}  // namespace mdtc::test
