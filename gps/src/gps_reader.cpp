// The serial reader: one thread that finds the port and baud, then feeds
// bytes to the pure NmeaStream. Every wait polls an eventfd too, so stop()
// returns as soon as the thread sees it, whatever the thread was doing.
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
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

// Sentences with good checksums that prove a baud rate right: at a wrong
// rate a UART yields framing garbage, and a random byte run that frames as
// "$...*hh" with a matching checksum twice is vanishingly rare.
constexpr uint64_t kSentencesToLock = 2;
// With data arriving but no good sentence for this long, the receiver may
// have changed rate (a config tool, a firmware reset): detect again.
constexpr int64_t kRebaudAfterMs = 5000;
// Wake-ups without data, for staleness and silence checks (both have
// one-second resolution anyway).
constexpr int kPollMs = 1000;

enum class LoopEnd { stopped, gone, rebaud };

}  // namespace

struct Reader::Impl {
  ReaderOptions options;
  FixHandler on_fix;
  StatusHandler on_status;
  int fixed_baud = 0;  // 0 = auto
  int last_good_baud = 0;

  std::mutex lifecycle;  // start/stop
  std::thread thread;
  int wake_fd = -1;
  std::atomic<bool> stopping{false};

  mutable std::mutex status_mu;
  ReaderStatus status;

  ~Impl() {
    if (wake_fd >= 0) ::close(wake_fd);
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

  // Listens for up to window_ms and counts good sentences; stops early once
  // kSentencesToLock arrived. Returns -1 when stop() was called, -2 when the
  // device went away.
  int64_t listen(SerialPort& port, int window_ms) {
    NmeaStream probe;
    const int64_t deadline = now_ms() + window_ms;
    char buf[512];
    for (;;) {
      const int64_t left = deadline - now_ms();
      if (left <= 0) break;
      pollfd p[2] = {{port.fd(), POLLIN, 0}, {wake_fd, POLLIN, 0}};
      if (::poll(p, 2, static_cast<int>(left)) < 0) continue;
      if (stopping || (p[1].revents & POLLIN)) return -1;
      if (p[0].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL)) {
        auto n = port.read_some(buf, sizeof buf);
        if (!n) return -2;
        probe.feed(std::string_view(buf, *n), 0, nullptr);
        if (probe.counters().sentences >= kSentencesToLock) break;
      }
    }
    return static_cast<int64_t>(probe.counters().sentences);
  }

  // Tries each standard rate (the last good one first). 0 = none spoke NMEA.
  int detect_baud(SerialPort& port, bool& gone) {
    std::vector<int> order;
    if (last_good_baud) order.push_back(last_good_baud);
    for (int b : kStandardBauds)
      if (b != last_good_baud) order.push_back(b);
    for (int b : order) {
      if (stopping) return 0;
      if (!port.set_baud(b)) continue;
      port.discard_input();
      publish([&](ReaderStatus& s) { s.detail = "probing " + port.name() + " at " + std::to_string(b) + " baud"; });
      const int64_t got = listen(port, options.probe_window_ms);
      if (got == -2) {
        gone = true;
        return 0;
      }
      if (got >= static_cast<int64_t>(kSentencesToLock)) return b;
    }
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
        const int64_t got = listen(port, options.probe_window_ms);
        if (got >= static_cast<int64_t>(kSentencesToLock)) return port;
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
                    (gone ? ": went away while probing" : ": no NMEA at 4800-115200 baud");
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

  LoopEnd read_loop(SerialPort& port, NmeaStream& stream) {
    char buf[4096];
    uint64_t sentences_seen = stream.counters().sentences;
    int64_t last_sentence_at = now_ms();
    bool silence_reported = false;
    bool was_stale = true;
    {
      std::lock_guard lock(status_mu);
      was_stale = status.stale;
    }
    auto emit = [&](const Fix& fix) { emit_fix(fix); };
    for (;;) {
      pollfd p[2] = {{port.fd(), POLLIN, 0}, {wake_fd, POLLIN, 0}};
      const int rc = ::poll(p, 2, kPollMs);
      if (stopping || (rc > 0 && (p[1].revents & POLLIN))) return LoopEnd::stopped;
      bool bytes_arrived = false;
      const int64_t t = now_ms();
      if (rc > 0 && (p[0].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL))) {
        auto n = port.read_some(buf, sizeof buf);
        if (!n) {
          publish([&](ReaderStatus& s) {
            s.connected = false;
            s.detail = n.error().message + "; waiting for it to return";
          });
          return LoopEnd::gone;
        }
        bytes_arrived = *n > 0;
        stream.feed(std::string_view(buf, *n), t, emit);
      }
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
  if (impl_->wake_fd < 0) {
    impl_->wake_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (impl_->wake_fd < 0) return make_error("gps.start_failed", "eventfd failed");
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
