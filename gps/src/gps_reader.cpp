// The serial reader: one thread that finds the port and baud, then feeds
// bytes to the pure NmeaStream. Every wait also watches an eventfd, so
// stop() returns as soon as the thread sees it, whatever the thread was
// doing.
//
// The read loop costs one wake-up per receiver burst and nothing between
// bursts: it sleeps in epoll_wait with no timeout; the only timer is a
// timerfd set to the next moment something could change without data
// (the position going stale, the line falling silent), and it is re-armed
// only when that moment moves earlier, not on every burst.
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <thread>

#include "mdtc/gps.h"
#include "serial_port.h"

namespace mdtc::gps {

namespace {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// The same clock as now_ms() (CLOCK_MONOTONIC) read from the kernel's last
// tick: no hardware clock read, at most a tick (1-10 ms) behind. Good
// enough to stamp bursts for a staleness measured in seconds.
int64_t coarse_now_ms() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return int64_t{ts.tv_sec} * 1000 + ts.tv_nsec / 1'000'000;
}

// One good checksummed sentence locks a rate: at a wrong rate a UART
// yields framing garbage, and garbage that frames as "$...*hh" with a
// matching checksum is rare (and the read loop detects the rate again if
// it ever happens: see kRebaudAfterMs).
constexpr uint64_t kSentencesToLock = 1;
// At the right rate a good sentence arrives within two line lengths (a
// cut-off one, then a whole one: at most 2 x 82 bytes, 2 x 92 for RTK
// receivers); this much input without one means the rate is wrong, without
// waiting out the window. A receiver that mixes long binary messages into
// its NMEA could trip it at its own rate: when a whole pass over the rates
// finds nothing although bytes arrived, the next pass listens out every
// window (ProbeMemory::thorough).
constexpr uint64_t kGarbageBytes = 200;
// With data arriving but no good sentence for this long, the receiver may
// have changed rate (a config tool, a firmware reset): detect again.
constexpr int64_t kRebaudAfterMs = 5000;
// Rates in the order tried: 4800 is the NMEA 0183 standard, 9600 what most
// USB receivers ship with; then the usual reconfigured rates.
constexpr int kProbeOrder[] = {9600, 4800, 38400, 115200, 19200, 57600};

enum class LoopEnd { stopped, gone, rebaud };

}  // namespace

struct Reader::Impl {
  ReaderOptions options;
  FixHandler on_fix;
  StatusHandler on_status;
  int fixed_baud = 0;  // 0 = auto
  int last_good_baud = 0;

  // What earlier probes of a port learned (see detect_baud).
  struct ProbeMemory {
    std::size_t rotation = 0;  // silent at the first rate: start one further on
    bool thorough = false;     // bytes but no NMEA: listen out every window
  };
  std::map<std::string, ProbeMemory> probe_memory;

  std::mutex lifecycle;  // start/stop
  std::thread thread;
  int wake_fd = -1;
  int timer_fd = -1;
  int epoll_fd = -1;
  std::atomic<bool> stopping{false};

  mutable std::mutex status_mu;
  ReaderStatus status;

  ~Impl() {
    for (int fd : {wake_fd, timer_fd, epoll_fd})
      if (fd >= 0) ::close(fd);
  }

  // Waits up to ms; false when stop() was called.
  bool wait_ms(int ms) {
    pollfd p{wake_fd, POLLIN, 0};
    return ::poll(&p, 1, ms) == 0 && !stopping;
  }

  void publish(const std::function<void(ReaderStatus&)>& change) {
    ReaderStatus copy;
    bool changed = false;
    {
      std::lock_guard lock(status_mu);
      ReaderStatus before = status;
      change(status);
      changed = before.port != status.port || before.baud != status.baud ||
                before.connected != status.connected || before.stale != status.stale ||
                before.detail != status.detail;
      copy = status;
    }
    if (changed && on_status) {
      try {
        on_status(copy);
      } catch (...) {
        // A handler's failure must not kill the reader thread.
      }
    }
  }

  void set_counters(const NmeaCounters& c) {
    std::lock_guard lock(status_mu);
    status.counters = c;
  }

  enum : int64_t { kStopped = -1, kGone = -2 };
  struct Heard {
    int64_t sentences = 0;  // or kStopped / kGone
    uint64_t bytes = 0;
  };

  // Listens for up to window_ms and counts good sentences; stops early at
  // the first one, or once so much input arrived without one that the rate
  // must be wrong.
  Heard listen(SerialPort& port, int window_ms, uint64_t garbage_bytes = kGarbageBytes) {
    NmeaStream probe;
    const int64_t deadline = now_ms() + window_ms;
    char buf[512];
    for (;;) {
      const int64_t left = deadline - now_ms();
      if (left <= 0) break;
      pollfd p[2] = {{port.fd(), POLLIN, 0}, {wake_fd, POLLIN, 0}};
      if (::poll(p, 2, static_cast<int>(left)) < 0) continue;
      if (stopping || (p[1].revents & POLLIN)) return {kStopped, 0};
      if (p[0].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL)) {
        auto n = port.read_some(buf, sizeof buf);
        if (!n || (*n == 0 && (p[0].revents & (POLLHUP | POLLERR | POLLNVAL)))) return {kGone, 0};
        probe.feed(std::string_view(buf, *n), 0, nullptr);
        const NmeaCounters c = probe.counters();
        if (c.sentences >= kSentencesToLock || c.bytes >= garbage_bytes) break;
      }
    }
    const NmeaCounters c = probe.counters();
    return {static_cast<int64_t>(c.sentences), c.bytes};
  }

  // Tries the standard rates (the last good one first). 0 = none spoke
  // NMEA. A line that stays silent for the whole first window is silent at
  // every rate (a receiver at another rate still shows up as framing
  // garbage, read as bytes), so the other rates are not tried this time;
  // the next attempt starts one rate further on, in case an adapter drops
  // garbage instead of passing it on.
  int detect_baud(SerialPort& port, bool& gone) {
    ProbeMemory& memory = probe_memory[port.name()];
    std::vector<int> order;
    if (last_good_baud) order.push_back(last_good_baud);
    constexpr std::size_t kRates = std::size(kProbeOrder);
    for (std::size_t i = 0; i < kRates; ++i) {
      const int b = kProbeOrder[(i + memory.rotation) % kRates];
      if (b != last_good_baud) order.push_back(b);
    }
    const uint64_t garbage_bytes = memory.thorough ? UINT64_MAX : kGarbageBytes;
    bool first = true, heard_bytes = false;
    for (int b : order) {
      if (stopping) return 0;
      if (!port.set_baud(b)) continue;
      port.discard_input();
      publish([&](ReaderStatus& s) { s.detail = "probing " + port.name() + " at " + std::to_string(b) + " baud"; });
      const Heard got = listen(port, options.probe_window_ms, garbage_bytes);
      if (got.sentences == kGone) {
        gone = true;
        return 0;
      }
      if (got.sentences == kStopped) return 0;
      if (got.sentences >= static_cast<int64_t>(kSentencesToLock)) {
        memory.thorough = false;
        return b;
      }
      if (first && got.bytes == 0) {
        memory.rotation = (memory.rotation + 1) % kRates;
        return 0;
      }
      first = false;
      heard_bytes |= got.bytes > 0;
    }
    if (heard_bytes) memory.thorough = true;
    return 0;
  }

  std::vector<std::string> candidates() {
    if (options.port != "auto") return {options.port};
    if (!options.probe_ports.empty()) return options.probe_ports;
    std::vector<std::string> names;
    if (auto ports = list_ports()) {
      for (const auto& p : *ports) names.push_back(p.name);
    }
    return names;
  }

  // Opens the configured port (or finds one) at a working baud. Reports
  // why not in the status detail.
  std::optional<SerialPort> connect() {
    const bool probing_port = options.port == "auto";
    std::string failures;
    const auto names = candidates();
    for (const auto& name : names) {
      if (stopping) return std::nullopt;
      auto opened = SerialPort::open(name, fixed_baud);
      if (!opened) {
        failures += (failures.empty() ? "" : "; ") + opened.error().message;
        continue;
      }
      SerialPort port = std::move(opened).value();
      if (fixed_baud != 0) {
        port.discard_input();
        // A named port at a fixed rate is trusted: silence is reported
        // later, and the port stays open for the receiver to start talking.
        if (!probing_port) return port;
        const Heard got = listen(port, options.probe_window_ms);
        if (got.sentences >= static_cast<int64_t>(kSentencesToLock)) return port;
        failures += (failures.empty() ? "" : "; ") + name + ": no NMEA at " + std::to_string(fixed_baud) + " baud";
        continue;
      }
      bool gone = false;
      if (const int b = detect_baud(port, gone)) {
        last_good_baud = b;
        return port;
      }
      if (!stopping) {
        failures += (failures.empty() ? "" : "; ") + name +
                    (gone ? ": went away while probing" : ": no NMEA at 4800-115200 baud (silent, or not a receiver)");
      }
    }
    if (stopping) return std::nullopt;
    if (names.empty()) failures = "no serial ports found";
    publish([&](ReaderStatus& s) {
      s.connected = false;
      s.port = probing_port ? "auto" : options.port;
      s.baud = 0;
      s.detail = failures + (probing_port ? "" : "; retrying");
    });
    return std::nullopt;
  }

  // Sets the timerfd to fire at the monotonic time at_ms.
  void arm_timer(int64_t at_ms) {
    itimerspec its{};
    its.it_value.tv_sec = static_cast<time_t>(at_ms / 1000);
    its.it_value.tv_nsec = static_cast<long>(at_ms % 1000) * 1'000'000;
    ::timerfd_settime(timer_fd, TFD_TIMER_ABSTIME, &its, nullptr);
  }

  LoopEnd read_loop(SerialPort& port, NmeaStream& stream) {
    // Edge-triggered: one event per arrival; each event's bytes are read
    // until a read comes back short, so nothing is left behind unseen.
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLET;
    ev.data.fd = port.fd();
    if (::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, port.fd(), &ev) != 0) {
      publish([&](ReaderStatus& s) {
        s.connected = false;
        s.detail = "cannot watch " + port.name() + "; retrying";
      });
      return LoopEnd::gone;
    }
    struct Unwatch {
      int ep, fd;
      ~Unwatch() { ::epoll_ctl(ep, EPOLL_CTL_DEL, fd, nullptr); }
    } unwatch{epoll_fd, port.fd()};

    char buf[4096];
    uint64_t sentences_seen = stream.counters().sentences;
    int64_t last_sentence_at = now_ms();
    bool silence_reported = false;
    bool was_stale = true;
    {
      std::lock_guard lock(status_mu);
      was_stale = status.stale;
    }
    int64_t armed_at = 0;  // when the timer fires; 0 = not armed
    auto emit = [&](const Fix& fix) { emit_fix(fix); };
    for (;;) {
      // The next moment the status could change with no byte arriving.
      int64_t due = silence_reported ? 0 : last_sentence_at + kRebaudAfterMs + 1;
      if (!was_stale) {
        if (const auto at = stream.stale_at(); at && (due == 0 || *at < due)) due = *at;
      }
      // A later deadline than the armed one needs no syscall: the timer
      // fires early, and the check below re-arms it.
      if (due != 0 && (armed_at == 0 || due < armed_at)) {
        arm_timer(due);
        armed_at = due;
      }

      epoll_event events[3];
      const int n = ::epoll_wait(epoll_fd, events, 3, -1);
      if (stopping) return LoopEnd::stopped;
      bool bytes_arrived = false, timer_fired = false;
      for (int i = 0; i < n; ++i) {
        const int fd = events[i].data.fd;
        if (fd == wake_fd) return LoopEnd::stopped;
        if (fd == timer_fd) {
          uint64_t expirations = 0;
          (void)!::read(timer_fd, &expirations, sizeof expirations);
          armed_at = 0;
          timer_fired = true;
          continue;
        }
        const bool hangup = (events[i].events & (EPOLLHUP | EPOLLERR)) != 0;
        const int64_t t = coarse_now_ms();
        for (;;) {
          auto got = port.read_some(buf, sizeof buf);
          if (!got || (*got == 0 && hangup)) {
            publish([&](ReaderStatus& s) {
              s.connected = false;
              s.detail = (got ? port.name() + " went away (hang-up)" : got.error().message) +
                         "; waiting for it to return";
            });
            return LoopEnd::gone;
          }
          if (*got == 0) break;
          bytes_arrived = true;
          stream.feed(std::string_view(buf, *got), t, emit);
          if (*got < sizeof buf) break;
        }
      }
      // The precise clock where a timer decides (it fired at its deadline;
      // the coarse one may still read a tick earlier).
      const int64_t t = timer_fired ? now_ms() : coarse_now_ms();
      const NmeaCounters c = stream.counters();
      set_counters(c);
      if (c.sentences != sentences_seen) {
        sentences_seen = c.sentences;
        last_sentence_at = t;
        if (silence_reported) {
          silence_reported = false;
          publish([&](ReaderStatus& s) { s.detail = "receiving NMEA at " + std::to_string(port.baud()) + " baud"; });
        }
      } else if (t - last_sentence_at > kRebaudAfterMs) {
        if (fixed_baud == 0 && bytes_arrived) return LoopEnd::rebaud;
        if (!silence_reported) {
          silence_reported = true;
          publish([&](ReaderStatus& s) {
            s.detail = "no NMEA from " + port.name() + " at " + std::to_string(port.baud()) + " baud for " +
                       std::to_string(kRebaudAfterMs / 1000) + " s";
          });
        }
      }
      if (const bool stale = stream.stale(t); stale != was_stale) {
        was_stale = stale;
        publish([&](ReaderStatus& s) { s.stale = stale; });
      }
    }
  }

  // Staleness keeps counting while the device is away: a position must not
  // look fresh just because nothing arrives to age it.
  void refresh_stale(const NmeaStream& stream) {
    const bool stale = stream.stale(now_ms());
    publish([&](ReaderStatus& s) { s.stale = stale; });
  }

  void emit_fix(const Fix& fix) {
    if (!on_fix) return;
    try {
      on_fix(fix);
    } catch (...) {
      // The plugin's handler failing must not stop the GPS.
    }
  }

  void run() {
    NmeaStream stream(StreamOptions{false, "", options.stale_after_s});
    while (!stopping) {
      refresh_stale(stream);
      auto port = connect();
      if (!port) {
        refresh_stale(stream);
        if (!wait_ms(options.reconnect_ms)) break;
        continue;
      }
      stream.reset_framing();
      publish([&](ReaderStatus& s) {
        s.port = port->name();
        s.baud = port->baud();
        s.connected = true;
        s.detail = "receiving NMEA at " + std::to_string(port->baud()) + " baud";
      });
      const LoopEnd end = read_loop(*port, stream);
      port->close();
      if (end == LoopEnd::stopped) break;
      // Report the cycle in hand now rather than when the device is back.
      stream.finish([&](const Fix& fix) { emit_fix(fix); });
      if (end == LoopEnd::rebaud) {
        publish([&](ReaderStatus& s) {
          s.connected = false;
          s.detail = "no good NMEA at " + std::to_string(s.baud) + " baud; detecting the rate again";
        });
        continue;
      }
      refresh_stale(stream);
      if (!wait_ms(options.reconnect_ms)) break;
    }
    publish([&](ReaderStatus& s) {
      s.connected = false;
      s.detail = "stopped";
    });
  }
};

Reader::Reader(ReaderOptions options, FixHandler on_fix, StatusHandler on_status)
    : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->on_fix = std::move(on_fix);
  impl_->on_status = std::move(on_status);
  impl_->status.port = impl_->options.port;
}

Reader::~Reader() { stop(); }

Status Reader::start() {
  std::lock_guard lock(impl_->lifecycle);
  if (impl_->thread.joinable()) return Ok{};
  const auto& o = impl_->options;
  if (o.port.empty()) return make_error("gps.bad_port", "gps port is empty: expected a device path or auto");
  auto baud = parse_baud(o.baud);
  if (!baud) return baud.error();
  if (o.stale_after_s <= 0)
    return make_error("gps.bad_stale", "stale_after_s = " + std::to_string(o.stale_after_s) +
                                           ": expected a positive number of seconds");
  impl_->fixed_baud = *baud;
  if (impl_->epoll_fd < 0) {
    impl_->wake_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    impl_->timer_fd = ::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
    impl_->epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
    bool ok = impl_->wake_fd >= 0 && impl_->timer_fd >= 0 && impl_->epoll_fd >= 0;
    for (int fd : {impl_->wake_fd, impl_->timer_fd}) {
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.fd = fd;
      ok = ok && ::epoll_ctl(impl_->epoll_fd, EPOLL_CTL_ADD, fd, &ev) == 0;
    }
    if (!ok) {
      for (int* fd : {&impl_->wake_fd, &impl_->timer_fd, &impl_->epoll_fd})
        if (*fd >= 0) ::close(*fd), *fd = -1;
      return make_error("gps.start_failed", "cannot create the reader's event descriptors");
    }
  }
  uint64_t drain = 0;
  (void)!::read(impl_->wake_fd, &drain, sizeof drain);  // a previous stop()'s wake-up
  impl_->stopping = false;
  impl_->thread = std::thread([impl = impl_.get()] { impl->run(); });
  return Ok{};
}

void Reader::stop() {
  std::lock_guard lock(impl_->lifecycle);
  if (!impl_->thread.joinable()) return;
  impl_->stopping = true;
  const uint64_t one = 1;
  (void)!::write(impl_->wake_fd, &one, sizeof one);
  impl_->thread.join();
}

ReaderStatus Reader::status() const {
  std::lock_guard lock(impl_->status_mu);
  return impl_->status;
}

}  // namespace mdtc::gps
