// The steady time the CAD link and the registry sync decide by: request
// timeouts, retries, catch-up asks, heartbeats, liveness and backoff. As in
// gps/, where the pure stream is handed `now_ms` by its caller, the decisions
// never read a clock themselves: the thread that runs them asks its owner's
// TimeSource. A product passes nothing and gets the system's steady clock; a
// test passes time it moves forward itself, so a 3 s timeout costs no 3 s.
// Wall-clock time (the `sent_at` stamps, the saved place's age across a
// restart) is not this: it stays with the system clock.
#pragma once

#include <chrono>
#include <memory>

namespace mdtc::bridge {

class TimeSource {
 public:
  using time_point = std::chrono::steady_clock::time_point;
  using duration = std::chrono::steady_clock::duration;

  virtual ~TimeSource() = default;
  // Never goes back; may stand still. Any thread.
  virtual time_point now() const = 0;
  // How long a thread that has nothing to do before `due` may block before
  // it reads now() again. The steady clock: until `due`. Time that moves
  // only when told: a moment, so that a move is noticed at once.
  virtual duration wait_slice(time_point due) const = 0;
};

// std::chrono::steady_clock; one shared object.
std::shared_ptr<const TimeSource> steady_time();

}  // namespace mdtc::bridge
