// The reader thread's waits: the one place in gps/ that uses epoll,
// timerfd and eventfd (Linux-only), behind a small interface, so a port to
// another system replaces this file and its .cpp and nothing else in the
// reader (docs/portability.md).
//
// Every wait also ends when wake() is called, so Reader::stop() returns as
// soon as the thread sees it, whatever the thread was doing.
#pragma once

#include <cstdint>

#include "mdtc/result.h"

namespace mdtc::gps {

// CLOCK_MONOTONIC in milliseconds.
int64_t monotonic_ms() noexcept;
// The same clock from the kernel's last tick: no hardware clock read, at
// most a tick (1-10 ms) behind. Good enough to stamp bursts for a
// staleness measured in seconds.
int64_t coarse_monotonic_ms() noexcept;

class ReaderEvents {
 public:
  ReaderEvents() = default;
  ~ReaderEvents();
  ReaderEvents(const ReaderEvents&) = delete;
  ReaderEvents& operator=(const ReaderEvents&) = delete;

  // Creates the descriptors; a second call is a no-op.
  Status open();
  // Any thread: the current or next wait returns "woken".
  void wake() noexcept;
  // Forgets an earlier wake() (before the thread is started again).
  void clear_wake() noexcept;

  enum class Ready { fd, hangup, timeout, woken };
  // Sleeps up to ms; true unless woken.
  bool sleep_ms(int ms);
  // Waits up to ms (-1: no limit) for fd to be readable, or writable when
  // for_write; hangup when its other end went away (a tty then reads 0).
  Ready wait_fd(int fd, bool for_write, int ms);

  // The read loop: one fd watched edge-triggered, one timer, the wake-up.
  // Costs one wake-up per burst of data and nothing between bursts.
  bool watch(int fd);
  void unwatch(int fd) noexcept;
  // Sets the timer to fire at the monotonic time at_ms.
  void arm_timer_at(int64_t at_ms) noexcept;
  struct Woke {
    bool stop = false, timer = false, data = false, hangup = false;
  };
  // Waits until the watched fd has data or hung up, the timer fires or
  // wake() is called; no time limit.
  Woke wait();

 private:
  int wake_fd_ = -1, timer_fd_ = -1, epoll_fd_ = -1;
};

}  // namespace mdtc::gps
