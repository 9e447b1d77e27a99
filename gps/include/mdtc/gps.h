// GPS: NMEA 0183 over serial. The framer/decoder/tracker are pure; the
// Reader is a thin loop over a serial tty that feeds them (libserialport
// lists, opens and configures real ports; pseudo-terminals, which it
// refuses, are opened with termios). See gps/README.md for the policies.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mdtc/result.h"

namespace mdtc::gps {

// gpsd TPV mode numbering.
enum class Mode : int { unknown = 0, no_fix = 1, fix_2d = 2, fix_3d = 3 };

// One receiver cycle ("epoch"). Reported once when the cycle completes, and
// again only if more of the same cycle arrives afterwards. lat/lon are set
// exactly when mode is fix_2d or fix_3d; alt_m only with fix_3d.
struct Fix {
  std::optional<int64_t> time_ms;  // UTC, milliseconds since the Unix epoch; absent until a date is known
  Mode mode = Mode::unknown;
  std::optional<double> lat, lon, alt_m, speed_mps, course_deg, hdop;
  std::optional<int> satellites;
};

// One JSON object as `gps decode` prints it: {"time":"2026-11-22T10:00:00.000Z",
// "lat":..,"lon":..,"mode":..,"speed_mps":..,"course_deg":..,"alt_m":..}, each
// field only when known (mode always).
std::string to_json(const Fix& fix);

// RFC 3339 UTC with milliseconds: "2026-11-22T10:00:00.000Z".
std::string format_time_utc(int64_t time_ms);

// What the byte stream has carried so far; for diagnostics ("gps monitor")
// and the doctor command. Monotonic counts.
struct NmeaCounters {
  uint64_t bytes = 0;
  uint64_t sentences = 0;         // checksum good
  uint64_t checksum_errors = 0;   // checksum wrong or malformed
  uint64_t missing_checksum = 0;  // rejected: no checksum at all
  uint64_t overlong = 0;          // longer than any real sentence: dropped
  uint64_t fragments = 0;         // cut short by noise or a new '$'
  uint64_t noise_bytes = 0;       // outside any sentence
  uint64_t decode_errors = 0;     // checksum good but a field malformed
  uint64_t ignored = 0;           // types not used for fixes (GSV, $P...)
  uint64_t fixes = 0;             // Fix values emitted (any mode)
};

struct StreamOptions {
  bool accept_missing_checksum = false;  // gpsd's policy: reject them
  std::string end_of_cycle;              // "RMC", "VTG"...; empty = learn it
  int stale_after_s = 10;
};

// The pure pipeline: bytes in (any chunking), fixes out. framer -> decoder
// -> tracker, no I/O, no clock: now_ms is any monotonic time the caller
// passes, used only for staleness.
class NmeaStream {
 public:
  using FixSink = std::function<void(const Fix&)>;
  explicit NmeaStream(StreamOptions options = {});
  ~NmeaStream();
  NmeaStream(NmeaStream&&) noexcept;
  NmeaStream& operator=(NmeaStream&&) noexcept;

  void feed(std::string_view bytes, int64_t now_ms, const FixSink& on_fix);
  // End of input: emits the last epoch if it is still open.
  void finish(const FixSink& on_fix);
  // Forget a half-received sentence (the port was reopened).
  void reset_framing();
  bool stale(int64_t now_ms) const;
  // The first now_ms at which stale() is true; nullopt before any valid
  // position. Lets a caller sleep until then instead of polling.
  std::optional<int64_t> stale_at() const;
  NmeaCounters counters() const;
  // Last decode error ("nmea.bad_field: RMC latitude '99x' is malformed").
  const std::string& last_error() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Serial ports the system knows (USB, built-in, Bluetooth), for `gps ports`
// and for port auto-detection.
struct PortInfo {
  std::string name;         // "/dev/ttyUSB0"
  std::string description;  // "u-blox 7 - GPS/GNSS Receiver"
  std::string transport;    // "usb", "native", "bluetooth"
  int usb_vid = -1, usb_pid = -1;
};
Result<std::vector<PortInfo>> list_ports();

struct ReaderOptions {
  std::string port = "auto";  // device path, or "auto" to probe
  std::string baud = "auto";  // number, or "auto"
  int stale_after_s = 10;
  // Ports tried by port = "auto"; empty = every port list_ports() reports.
  std::vector<std::string> probe_ports;
  // Longest listen at one baud rate: a 1 Hz receiver's next burst and its
  // first sentence fit in it even at 4800 baud. A rate is left at once when
  // a good sentence arrives (found) or 200 bytes without one (wrong rate),
  // so the whole window is spent only on a silent line.
  int probe_window_ms = 1250;
  // Retry period while the device is absent, busy or forbidden.
  int reconnect_ms = 500;
};

struct ReaderStatus {
  std::string port;
  int baud = 0;
  bool connected = false;
  bool stale = true;
  std::string detail;  // "permission denied on /dev/ttyUSB0: add the user to the dialout group"
  NmeaCounters counters;  // since start()
};

class Reader {
 public:
  using FixHandler = std::function<void(const Fix&)>;
  using StatusHandler = std::function<void(const ReaderStatus&)>;
  Reader(ReaderOptions options, FixHandler on_fix, StatusHandler on_status);
  ~Reader();
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;
  // Validates the options and starts the reader thread. The handlers are
  // called on that thread; they must not call stop(). Calling start() on a
  // running reader is a no-op.
  Status start();
  void stop();  // safe to call twice; returns within a few milliseconds
  ReaderStatus status() const;  // snapshot, any thread

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mdtc::gps
