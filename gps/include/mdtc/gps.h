// GPS: NMEA 0183 over serial. The framer/decoder/tracker are pure; the
// Reader is a thin loop over libserialport that feeds them.
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

struct Fix {
  std::optional<int64_t> time_ms;  // UTC, milliseconds since the Unix epoch
  Mode mode = Mode::unknown;
  std::optional<double> lat, lon, alt_m, speed_mps, course_deg, hdop;
  std::optional<int> satellites;
};

// One JSON object as `gps decode` prints it.
std::string to_json(const Fix& fix);

struct ReaderOptions {
  std::string port = "auto";  // device path, or "auto" to probe
  std::string baud = "auto";  // number, or "auto"
  int stale_after_s = 10;
};

struct ReaderStatus {
  std::string port;
  int baud = 0;
  bool connected = false;
  bool stale = true;
  std::string detail;  // "permission denied on /dev/ttyUSB0: add the user to the dialout group"
};

class Reader {
 public:
  using FixHandler = std::function<void(const Fix&)>;
  using StatusHandler = std::function<void(const ReaderStatus&)>;
  Reader(ReaderOptions options, FixHandler on_fix, StatusHandler on_status);
  ~Reader();
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;
  Status start();
  void stop();  // safe to call twice

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mdtc::gps
