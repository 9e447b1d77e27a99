// Wakes the link thread out of its ZeroMQ poll from another thread (a new
// message to send, stop). The one Linux-only piece of the link: an eventfd,
// which zmq_poll can wait on beside the sockets. Another platform needs
// only this pair of files (docs/portability.md).
#pragma once

#include "mdtc/result.h"

namespace mdtc::bridge {

class WakeSignal {
 public:
  // Errors: bridge.socket.
  static Result<WakeSignal> create();
  WakeSignal(WakeSignal&& other) noexcept;
  WakeSignal& operator=(WakeSignal&& other) noexcept;
  WakeSignal(const WakeSignal&) = delete;
  WakeSignal& operator=(const WakeSignal&) = delete;
  ~WakeSignal();

  // What zmq_poll waits on (a zmq_pollitem_t's fd).
  int pollable() const { return fd_; }
  // Any thread: the next (or current) poll returns. Never blocks.
  void notify() const;
  // The polling thread, after a wake-up: rearms the signal.
  void drain() const;

 private:
  explicit WakeSignal(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace mdtc::bridge
