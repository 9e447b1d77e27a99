// A fault that repeats on every write (a full disk, a read-only mount) is
// logged once a minute with how often it happened, not once per attempt:
// a loop that retries every 50 ms would otherwise fill the very log
// partition that is already full. Pure: the caller passes the time.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

namespace mdtc {

class RepeatLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  explicit RepeatLimiter(Clock::duration every = std::chrono::minutes(1)) : every_(every) {}

  // Counts one occurrence. Returns how many occurred since the last line
  // (this one included) when a line is due now, nothing when it is not.
  std::optional<uint64_t> occur(Clock::time_point now) {
    ++pending_;
    if (logged_once_ && now - last_ < every_) return std::nullopt;
    logged_once_ = true;
    last_ = now;
    const uint64_t n = pending_;
    pending_ = 0;
    return n;
  }
  // The fault has cleared: the next one is news again and is logged at once.
  void clear() {
    logged_once_ = false;
    pending_ = 0;
  }

 private:
  Clock::duration every_;
  Clock::time_point last_{};
  bool logged_once_ = false;
  uint64_t pending_ = 0;
};

}  // namespace mdtc
