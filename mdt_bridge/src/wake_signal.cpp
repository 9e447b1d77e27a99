#include "wake_signal.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <utility>

namespace mdtc::bridge {

Result<WakeSignal> WakeSignal::create() {
  const int fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (fd < 0) return make_error("bridge.socket", std::string("eventfd failed: ") + std::strerror(errno));
  return WakeSignal(fd);
}

WakeSignal::WakeSignal(WakeSignal&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

WakeSignal& WakeSignal::operator=(WakeSignal&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

WakeSignal::~WakeSignal() {
  if (fd_ >= 0) ::close(fd_);
}

void WakeSignal::notify() const {
  const uint64_t one = 1;
  (void)!::write(fd_, &one, sizeof one);  // a full counter is still a wake-up
}

void WakeSignal::drain() const {
  uint64_t n = 0;
  (void)!::read(fd_, &n, sizeof n);  // nonblocking: nothing pending is fine
}

}  // namespace mdtc::bridge
