// GPS: NMEA 0183 or TAIP, over serial or from the car's router over TCP or
// UDP. The framers/decoders/tracker are pure; the Reader is a thin loop over
// a serial tty or a socket that feeds them (libserialport lists, opens and
// configures real ports; pseudo-terminals, which it refuses, are opened with
// termios). See gps/README.md for the policies.
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

// What a source speaks, told apart by the first good message: an NMEA
// sentence starts with '$', a TAIP report with '>'.
enum class Protocol { unknown, nmea, taip };
const char* protocol_name(Protocol protocol) noexcept;  // "NMEA", "TAIP", "unknown"

// What the byte stream has carried so far; for diagnostics ("gps monitor")
// and the doctor command. Monotonic counts.
struct NmeaCounters {
  uint64_t bytes = 0;
  uint64_t sentences = 0;         // checksum good (NMEA sentences or TAIP messages)
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
// passes, used only for staleness. Decodes NMEA or TAIP: until the first
// good message both framers listen; that message decides the protocol
// until reset_framing() (a reconnect may reach a reconfigured router).
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
  // Forget a half-received sentence (the port was reopened) and the
  // protocol learned.
  void reset_framing();
  Protocol protocol() const;
  // The system's UTC time (ms since the epoch), if the caller knows it.
  // TAIP reports carry a time of day but no date; with a hint, a report's
  // date is the one that puts it nearest the hint. Without one, TAIP fixes
  // have no time until an NMEA date arrives.
  void set_utc_hint(int64_t utc_ms);
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
  // Device path, "auto" to probe serial ports, "tcp://HOST:PORT" to connect
  // to the car's router, or "udp://[ADDR]:PORT" to listen for its datagrams
  // (ADDR empty = every local address; PORT 0 = any free port, which the
  // status then names).
  std::string port = "auto";
  std::string baud = "auto";  // number, or "auto"
  int stale_after_s = 10;
  // Ports tried by port = "auto"; empty = every port list_ports() reports.
  std::vector<std::string> probe_ports;
  // Longest listen at one baud rate: a 1 Hz receiver's next burst and its
  // first sentence fit in it even at 4800 baud. A rate is left at once when
  // a good sentence arrives (found) or 200 bytes without one (wrong rate),
  // so the whole window is spent only on a silent line.
  int probe_window_ms = 1250;
  // Retry period while the device is absent, busy or forbidden. A TCP
  // source doubles it on every failed connect up to max_reconnect_ms, so a
  // router that is rebooting is not hammered, and starts over once data
  // flows again.
  int reconnect_ms = 500;
  int max_reconnect_ms = 8000;
};

struct ReaderStatus {
  std::string port;
  int baud = 0;  // serial only
  // Where bytes come from: "serial /dev/ttyUSB0", "tcp 192.168.0.1:9001",
  // "udp 0.0.0.0:9001"; empty before the first open.
  std::string source;
  Protocol protocol = Protocol::unknown;  // of the current connection
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
