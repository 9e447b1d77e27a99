#include "reader_events.h"

#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

namespace mdtc::gps {

int64_t monotonic_ms() noexcept {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1000 + ts.tv_nsec / 1'000'000;
}

int64_t coarse_monotonic_ms() noexcept {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return int64_t{ts.tv_sec} * 1000 + ts.tv_nsec / 1'000'000;
}

ReaderEvents::~ReaderEvents() {
  for (int fd : {wake_fd_, timer_fd_, epoll_fd_})
    if (fd >= 0) ::close(fd);
}

Status ReaderEvents::open() {
  if (epoll_fd_ >= 0) return Ok{};
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  timer_fd_ = ::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  bool ok = wake_fd_ >= 0 && timer_fd_ >= 0 && epoll_fd_ >= 0;
  for (int fd : {wake_fd_, timer_fd_}) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    ok = ok && ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) == 0;
  }
  if (!ok) {
    for (int* fd : {&wake_fd_, &timer_fd_, &epoll_fd_})
      if (*fd >= 0) ::close(*fd), *fd = -1;
    return make_error("gps.start_failed", "cannot create the reader's event descriptors");
  }
  return Ok{};
}

void ReaderEvents::wake() noexcept {
  const uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof one);
}

void ReaderEvents::clear_wake() noexcept {
  uint64_t drain = 0;
  (void)!::read(wake_fd_, &drain, sizeof drain);
}

bool ReaderEvents::sleep_ms(int ms) {
  pollfd p{wake_fd_, POLLIN, 0};
  return ::poll(&p, 1, ms) == 0;
}

ReaderEvents::Ready ReaderEvents::wait_fd(int fd, bool for_write, int ms) {
  const short want = for_write ? POLLOUT : POLLIN;
  pollfd p[2] = {{fd, want, 0}, {wake_fd_, POLLIN, 0}};
  const int n = ::poll(p, 2, ms);
  if (p[1].revents & POLLIN) return Ready::woken;
  if (n > 0 && (p[0].revents & (POLLHUP | POLLERR | POLLNVAL))) return Ready::hangup;
  if (n > 0 && (p[0].revents & want)) return Ready::fd;
  return Ready::timeout;  // also EINTR: callers loop on their own deadline
}

bool ReaderEvents::watch(int fd) {
  // Edge-triggered: one event per arrival; the caller reads each event's
  // bytes until nothing is left, so nothing stays behind unseen.
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLET;
  ev.data.fd = fd;
  return ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) == 0;
}

void ReaderEvents::unwatch(int fd) noexcept { ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr); }

void ReaderEvents::arm_timer_at(int64_t at_ms) noexcept {
  itimerspec its{};
  its.it_value.tv_sec = static_cast<time_t>(at_ms / 1000);
  its.it_value.tv_nsec = static_cast<long>(at_ms % 1000) * 1'000'000;
  ::timerfd_settime(timer_fd_, TFD_TIMER_ABSTIME, &its, nullptr);
}

ReaderEvents::Woke ReaderEvents::wait() {
  Woke woke;
  epoll_event events[3];
  const int n = ::epoll_wait(epoll_fd_, events, 3, -1);
  for (int i = 0; i < n; ++i) {
    const int fd = events[i].data.fd;
    if (fd == wake_fd_) {
      woke.stop = true;
    } else if (fd == timer_fd_) {
      uint64_t expirations = 0;
      (void)!::read(timer_fd_, &expirations, sizeof expirations);
      woke.timer = true;
    } else {
      woke.data = true;
      woke.hangup |= (events[i].events & (EPOLLHUP | EPOLLERR)) != 0;
    }
  }
  return woke;
}

}  // namespace mdtc::gps
