// The reader: one thread that finds the serial port and baud, or connects
// to the car's router over TCP or listens for it over UDP, then feeds bytes
// to the pure NmeaStream. Every wait ends on stop() (ReaderEvents), so
// stop() returns as soon as the thread sees it, whatever it was doing.
//
// The read loop costs one wake-up per receiver burst and nothing between
// bursts: it waits with no timeout; the only timer is set to the next
// moment something could change without data (the position going stale,
// the line falling silent), and it is re-armed only when that moment moves
// earlier, not on every burst. The same loop serves every transport, so
// staleness, silence and resume follow the same rules on each.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <thread>

#include "mdtc/gps.h"
#include "net_source.h"
#include "reader_events.h"
#include "serial_port.h"

namespace mdtc::gps {

namespace {

int64_t now_ms() { return monotonic_ms(); }

int64_t utc_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A router that accepts the connection but never answers the handshake
// (half-booted) must not hold the reader for long.
constexpr int kConnectTimeoutMs = 5000;

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

// How a status names the source and what it is doing.
std::string source_text(const SerialPort& port) { return "serial " + port.name(); }
std::string source_text(const NetSource& net) { return net.name(); }
bool reads_datagrams(const SerialPort&) { return false; }
bool reads_datagrams(const NetSource& net) { return net.datagrams(); }
std::string receiving_text(const SerialPort& port, Protocol protocol) {
  const std::string what = protocol == Protocol::unknown ? "NMEA" : protocol_name(protocol);
  return "receiving " + what + " at " + std::to_string(port.baud()) + " baud";
}
std::string receiving_text(const NetSource& net, Protocol protocol) {
  return protocol == Protocol::unknown ? "connected to " + net.name() + ", waiting for NMEA or TAIP"
                                       : std::string("receiving ") + protocol_name(protocol) + " from " + net.name();
}
std::string silence_text(const SerialPort& port, int64_t silent_ms) {
  return "no NMEA from " + port.name() + " at " + std::to_string(port.baud()) + " baud for " +
         std::to_string(silent_ms / 1000) + " s";
}
std::string silence_text(const NetSource& net, int64_t silent_ms) {
  return "no NMEA or TAIP from " + net.name() + " for " + std::to_string(silent_ms / 1000) + " s";
}

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

  std::optional<NetAddress> net;  // set when the port is tcp:// or udp://

  std::mutex lifecycle;  // start/stop
  std::thread thread;
  ReaderEvents events;
  std::atomic<bool> stopping{false};

  mutable std::mutex status_mu;
  ReaderStatus status;

  // Waits up to ms; false when stop() was called.
  bool wait_ms(int ms) { return events.sleep_ms(ms) && !stopping; }

  void publish(const std::function<void(ReaderStatus&)>& change) {
    ReaderStatus copy;
    bool changed = false;
    {
      std::lock_guard lock(status_mu);
      ReaderStatus before = status;
      change(status);
      changed = before.port != status.port || before.baud != status.baud ||
                before.connected != status.connected || before.stale != status.stale ||
                before.detail != status.detail || before.source != status.source ||
                before.protocol != status.protocol;
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
      const auto ready = events.wait_fd(port.fd(), false, static_cast<int>(left));
      if (stopping || ready == ReaderEvents::Ready::woken) return {kStopped, 0};
      if (ready == ReaderEvents::Ready::fd || ready == ReaderEvents::Ready::hangup) {
        auto n = port.read_some(buf, sizeof buf);
        if (!n || (*n == 0 && ready == ReaderEvents::Ready::hangup)) return {kGone, 0};
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
    // The last good rate first, then the others; rotated as a whole, so a
    // last good rate that fell silent does not stay first for ever (behind
    // an adapter that drops garbage, a receiver moved to another rate is
    // silent at the old one).
    std::vector<int> order;
    if (last_good_baud) order.push_back(last_good_baud);
    for (const int b : kProbeOrder)
      if (b != last_good_baud) order.push_back(b);
    std::rotate(order.begin(), order.begin() + static_cast<long>(memory.rotation % order.size()), order.end());
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
        memory.rotation = 0;
        return b;
      }
      if (first && got.bytes == 0) {
        memory.rotation = (memory.rotation + 1) % order.size();
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

  template <class Port>
  LoopEnd read_loop(Port& port, NmeaStream& stream) {
    if (!events.watch(port.fd())) {
      publish([&](ReaderStatus& s) {
        s.connected = false;
        s.detail = "cannot watch " + source_text(port) + "; retrying";
      });
      return LoopEnd::gone;
    }
    struct Unwatch {
      ReaderEvents& ev;
      int fd;
      ~Unwatch() { ev.unwatch(fd); }
    } unwatch{events, port.fd()};

    char buf[4096];
    uint64_t sentences_seen = stream.counters().sentences;
    bool heard = false;  // a sentence since the rate was locked
    int64_t last_sentence_at = now_ms();
    bool silence_reported = false;
    bool was_stale = true;
    Protocol protocol = stream.protocol();
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
        events.arm_timer_at(due);
        armed_at = due;
      }

      const ReaderEvents::Woke woke = events.wait();
      if (stopping || woke.stop) return LoopEnd::stopped;
      if (woke.timer) armed_at = 0;
      bool bytes_arrived = false;
      if (woke.data) {
        const int64_t t = coarse_monotonic_ms();
        // TAIP carries only a time of day: the system clock supplies the date.
        stream.set_utc_hint(utc_now_ms());
        for (;;) {
          auto got = port.read_some(buf, sizeof buf);
          if (!got || (*got == 0 && woke.hangup)) {
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
          // A short read emptied a byte stream; datagrams are read one at
          // a time, so only an empty read says none is left.
          if (*got < sizeof buf && !reads_datagrams(port)) break;
        }
      }
      // The precise clock where a timer decides (it fired at its deadline;
      // the coarse one may still read a tick earlier).
      const int64_t t = woke.timer ? now_ms() : coarse_monotonic_ms();
      const NmeaCounters c = stream.counters();
      set_counters(c);
      if (stream.protocol() != protocol) {
        protocol = stream.protocol();
        publish([&](ReaderStatus& s) {
          s.protocol = protocol;
          s.detail = receiving_text(port, protocol);
        });
      }
      if (c.sentences != sentences_seen) {
        sentences_seen = c.sentences;
        last_sentence_at = t;
        heard = true;
        if (silence_reported) {
          silence_reported = false;
          publish([&](ReaderStatus& s) { s.detail = receiving_text(port, protocol); });
        }
      } else if (t - last_sentence_at > kRebaudAfterMs) {
        // Nothing since the probe's one sentence: that may have framed by
        // chance at a wrong rate, behind an adapter that drops the rest.
        if (fixed_baud == 0 && (bytes_arrived || !heard) && !net) return LoopEnd::rebaud;
        if (!silence_reported) {
          silence_reported = true;
          publish([&](ReaderStatus& s) { s.detail = silence_text(port, kRebaudAfterMs); });
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

  // The router as source: connect (TCP) or bind (UDP), read, and on loss
  // try again, backing off while a TCP router does not answer (rebooting).
  void run_network(NmeaStream& stream) {
    int backoff = options.reconnect_ms;
    while (!stopping) {
      refresh_stale(stream);
      auto opened = NetSource::open(*net, events, kConnectTimeoutMs);
      if (!opened) {
        if (stopping) break;
        publish([&](ReaderStatus& s) {
          s.connected = false;
          s.protocol = Protocol::unknown;
          s.detail = opened.error().message + "; retrying in " + std::to_string(backoff) + " ms";
        });
        if (!wait_ms(backoff)) break;
        // At least 50 ms once failing, so reconnect_ms = 0 cannot spin.
        backoff = std::min(std::max(backoff * 2, 50), std::max(options.max_reconnect_ms, options.reconnect_ms));
        continue;
      }
      NetSource source = std::move(opened).value();
      stream.reset_framing();
      publish([&](ReaderStatus& s) {
        s.source = source.name();
        s.baud = 0;
        s.connected = true;
        s.protocol = Protocol::unknown;
        s.detail = receiving_text(source, Protocol::unknown);
      });
      const uint64_t before = stream.counters().sentences;
      const LoopEnd end = read_loop(source, stream);
      source.close();
      if (end == LoopEnd::stopped) break;
      stream.finish([&](const Fix& fix) { emit_fix(fix); });
      // Data flowed: the router was up, so the next loss starts the
      // back-off from the beginning.
      if (stream.counters().sentences != before) backoff = options.reconnect_ms;
      publish([&](ReaderStatus& s) { s.protocol = Protocol::unknown; });
      refresh_stale(stream);
      if (!wait_ms(backoff)) break;
    }
  }

  void run() {
    NmeaStream stream(StreamOptions{false, "", options.stale_after_s});
    if (net) {
      run_network(stream);
      publish([&](ReaderStatus& s) {
        s.connected = false;
        s.detail = "stopped";
      });
      return;
    }
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
        s.source = source_text(*port);
        s.connected = true;
        s.protocol = Protocol::unknown;
        s.detail = receiving_text(*port, Protocol::unknown);
      });
      const LoopEnd end = read_loop(*port, stream);
      port->close();
      if (end == LoopEnd::stopped) break;
      // Report the cycle in hand now rather than when the device is back.
      stream.finish([&](const Fix& fix) { emit_fix(fix); });
      publish([&](ReaderStatus& s) { s.protocol = Protocol::unknown; });
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
  if (o.port.empty())
    return make_error("gps.bad_port", "gps port is empty: expected a device path, auto, tcp://HOST:PORT or udp://[ADDR]:PORT");
  auto baud = parse_baud(o.baud);
  if (!baud) return baud.error();
  if (o.stale_after_s <= 0)
    return make_error("gps.bad_stale", "stale_after_s = " + std::to_string(o.stale_after_s) +
                                           ": expected a positive number of seconds");
  impl_->fixed_baud = *baud;
  impl_->net.reset();
  if (is_net_address(o.port)) {
    auto net = parse_net_address(o.port);
    if (!net) return net.error();
    impl_->net = *net;
  }
  if (auto opened = impl_->events.open(); !opened) return opened;
  impl_->events.clear_wake();  // a previous stop()'s wake-up
  impl_->stopping = false;
  impl_->thread = std::thread([impl = impl_.get()] { impl->run(); });
  return Ok{};
}

void Reader::stop() {
  std::lock_guard lock(impl_->lifecycle);
  if (!impl_->thread.joinable()) return;
  impl_->stopping = true;
  impl_->events.wake();
  impl_->thread.join();
}

ReaderStatus Reader::status() const {
  std::lock_guard lock(impl_->status_mu);
  return impl_->status;
}

}  // namespace mdtc::gps
