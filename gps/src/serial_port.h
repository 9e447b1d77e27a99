// A serial device opened for reading NMEA: raw 8N1, no flow control, no
// modem-control dependence, non-blocking, exclusive.
//
// Opened with termios directly rather than libserialport: libserialport
// 0.1.1 resolves every port through /sys/class/tty and so refuses
// pseudo-terminals (including the symlinks that test rigs, simulators and
// udev rules create), which the simulated receiver and the tests use.
// libserialport still enumerates and describes ports (port_list.cpp).
#pragma once

#include <cstddef>
#include <string>

#include "mdtc/result.h"

namespace mdtc::gps {

inline constexpr int kStandardBauds[] = {4800, 9600, 19200, 38400, 57600, 115200};

// Parses "4800".."115200" (one of kStandardBauds) or "auto" (returns 0).
Result<int> parse_baud(const std::string& text);

// What an open() errno means for fleet IT, naming the port and the fix.
Error describe_open_error(const std::string& name, int err);

class SerialPort {
 public:
  // Errors name the port and what to do: "gps.permission", "gps.busy",
  // "gps.not_found", "gps.open_failed", "gps.not_a_tty".
  static Result<SerialPort> open(const std::string& name, int baud);

  SerialPort(SerialPort&& other) noexcept;
  SerialPort& operator=(SerialPort&& other) noexcept;
  SerialPort(const SerialPort&) = delete;
  SerialPort& operator=(const SerialPort&) = delete;
  ~SerialPort();

  int fd() const noexcept { return fd_; }
  const std::string& name() const noexcept { return name_; }
  int baud() const noexcept { return baud_; }
  Status set_baud(int baud);
  // Drops whatever the kernel buffered before we were listening, so the
  // first fixes are current rather than seconds old.
  void discard_input() noexcept;
  // Reads what is available. 0 = nothing now; error "gps.device_gone" when
  // the device was unplugged or its pty master closed.
  Result<std::size_t> read_some(char* buf, std::size_t size);
  void close() noexcept;

 private:
  SerialPort(int fd, std::string name) : fd_(fd), name_(std::move(name)) {}
  int fd_ = -1;
  std::string name_;
  int baud_ = 0;
};

}  // namespace mdtc::gps
