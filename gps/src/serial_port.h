// A serial device opened for reading NMEA: raw 8N1, no flow control, no
// modem-control dependence, non-blocking, exclusive, close-on-exec.
//
// Two ways in, chosen by what the device is (choose_backend):
// - libserialport for real serial devices (USB CDC-ACM and USB-serial
//   adapters, built-in UARTs, Bluetooth RFCOMM): it resolves the port
//   through sysfs, opens it, raises DTR and RTS (some receivers are powered
//   from them) and sets rate and framing.
// - termios directly for pseudo-terminals (simulators, test rigs, serial
//   multiplexers) and for ttys libserialport has no sysfs record of (a
//   container without /sys): libserialport 0.1.1 refuses both. It finds
//   ports under /sys/class/tty/<name>, which has no entry for /dev/pts/N,
//   and its sp_open asks for the modem lines (TIOCMGET), which a pty
//   answers with ENOTTY.
// Either way the same descriptor is then polled and read, so the read path
// does not depend on the backend.
#pragma once

#include <cstddef>
#include <string>

#include "mdtc/result.h"

struct sp_port;

namespace mdtc::gps {

inline constexpr int kStandardBauds[] = {4800, 9600, 19200, 38400, 57600, 115200};

// Parses "4800".."115200" (one of kStandardBauds) or "auto" (returns 0).
Result<int> parse_baud(const std::string& text);

// What an open() errno means for fleet IT, naming the port and the fix.
Error describe_open_error(const std::string& name, int err);

enum class SerialBackend { libserialport, termios };

// The facts the choice rests on, gathered by SerialPort::open.
struct DeviceFacts {
  bool char_device = false;
  bool pseudo_terminal = false;         // UNIX 98 or BSD pty slave
  bool known_to_libserialport = false;  // sp_get_port_by_name succeeded
};
SerialBackend choose_backend(const DeviceFacts& facts) noexcept;
// "libserialport" / "termios", for diagnostics.
const char* backend_name(SerialBackend backend) noexcept;

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
  SerialBackend backend() const noexcept { return sp_ ? SerialBackend::libserialport : SerialBackend::termios; }
  Status set_baud(int baud);
  // Drops whatever the kernel buffered before we were listening, so the
  // first fixes are current rather than seconds old.
  void discard_input() noexcept;
  // Reads what is available: 0 = nothing now. A tty in raw mode with
  // VMIN = 0 also returns 0 once its other end hung up, so the caller tells
  // the two apart by the poll/epoll hang-up flag. Error "gps.device_gone"
  // for EIO/ENODEV/ENXIO: an unplugged adapter or a closed pty master.
  Result<std::size_t> read_some(char* buf, std::size_t size);
  void close() noexcept;

 private:
  SerialPort(int fd, std::string name, sp_port* sp) : fd_(fd), name_(std::move(name)), sp_(sp) {}
  static Result<SerialPort> open_with_libserialport(const std::string& name, sp_port* sp, int baud);
  static Result<SerialPort> open_with_termios(const std::string& name, int baud);
  Status finish_setup(int baud);

  int fd_ = -1;
  std::string name_;
  sp_port* sp_ = nullptr;  // owned; set when libserialport opened the port
  int baud_ = 0;
};

}  // namespace mdtc::gps
