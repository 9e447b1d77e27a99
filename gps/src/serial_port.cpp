#include "serial_port.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace mdtc::gps {

namespace {

speed_t speed_constant(int baud) {
  switch (baud) {
    case 4800: return B4800;
    case 9600: return B9600;
    case 19200: return B19200;
    case 38400: return B38400;
    case 57600: return B57600;
    case 115200: return B115200;
    default: return B0;
  }
}

}  // namespace

Error describe_open_error(const std::string& name, int err) {
  switch (err) {
    case EACCES:
    case EPERM:
      return make_error("gps.permission", "permission denied on " + name +
                                              ": add the user to the dialout group "
                                              "(usermod -aG dialout <user>, then log in again)");
    case EBUSY:
      return make_error("gps.busy", name + " is busy: another program (gpsd, ModemManager?) holds it "
                                           "open; stop that program or point gps.port at another port");
    case ENOENT:
    case ENODEV:
    case ENXIO:
      return make_error("gps.not_found", name + " does not exist: is the receiver plugged in?");
    default:
      return make_error("gps.open_failed", "cannot open " + name + ": " + std::strerror(err));
  }
}

Result<int> parse_baud(const std::string& text) {
  if (text == "auto") return 0;
  for (int b : kStandardBauds)
    if (text == std::to_string(b)) return b;
  return make_error("gps.bad_baud", "baud '" + text +
                                        "': expected one of 4800, 9600, 19200, 38400, 57600, 115200 or auto");
}

Result<SerialPort> SerialPort::open(const std::string& name, int baud) {
  // O_NONBLOCK also keeps open() from waiting for carrier detect.
  const int fd = ::open(name.c_str(), O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return describe_open_error(name, errno);
  SerialPort port(fd, name);
  if (!::isatty(fd)) return make_error("gps.not_a_tty", name + " is not a serial device");
  // Exclusive: a second reader on the same line would steal half the bytes.
  if (::ioctl(fd, TIOCEXCL) != 0 && errno == EBUSY) return describe_open_error(name, EBUSY);
  termios tio{};
  if (::tcgetattr(fd, &tio) != 0) return describe_open_error(name, errno);
  ::cfmakeraw(&tio);
  tio.c_cflag |= CLOCAL | CREAD;  // ignore modem lines: many GPS pucks leave DCD low
  tio.c_cflag &= ~static_cast<tcflag_t>(CRTSCTS | CSTOPB | PARENB);
  tio.c_iflag &= ~static_cast<tcflag_t>(IXON | IXOFF | IXANY);
  tio.c_cc[VMIN] = 0;
  tio.c_cc[VTIME] = 0;
  if (::tcsetattr(fd, TCSANOW, &tio) != 0) return describe_open_error(name, errno);
  if (baud != 0) {
    if (auto s = port.set_baud(baud); !s) return s.error();
  }
  return port;
}

SerialPort::SerialPort(SerialPort&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), name_(std::move(other.name_)), baud_(other.baud_) {}

SerialPort& SerialPort::operator=(SerialPort&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = std::exchange(other.fd_, -1);
    name_ = std::move(other.name_);
    baud_ = other.baud_;
  }
  return *this;
}

SerialPort::~SerialPort() { close(); }

void SerialPort::close() noexcept {
  if (fd_ >= 0) {
    // Exclusivity lives on the tty, not the descriptor: a device another
    // process keeps open (a pty's simulator, a multiplexer) would stay
    // locked against our own reconnect.
    ::ioctl(fd_, TIOCNXCL);
    ::close(fd_);
    fd_ = -1;
  }
}

Status SerialPort::set_baud(int baud) {
  const speed_t speed = speed_constant(baud);
  if (speed == B0) return make_error("gps.bad_baud", "baud " + std::to_string(baud) + " is not supported");
  termios tio{};
  if (::tcgetattr(fd_, &tio) != 0 || ::cfsetispeed(&tio, speed) != 0 || ::cfsetospeed(&tio, speed) != 0 ||
      ::tcsetattr(fd_, TCSANOW, &tio) != 0) {
    return make_error("gps.baud_failed", "cannot set " + name_ + " to " + std::to_string(baud) +
                                             " baud: " + std::strerror(errno));
  }
  baud_ = baud;
  return Ok{};
}

void SerialPort::discard_input() noexcept { ::tcflush(fd_, TCIFLUSH); }

Result<std::size_t> SerialPort::read_some(char* buf, std::size_t size) {
  const ssize_t n = ::read(fd_, buf, size);
  if (n > 0) return static_cast<std::size_t>(n);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return std::size_t{0};
  // read() == 0 on a non-blocking tty with VMIN=0 can mean "nothing yet",
  // but poll() said readable, so here it means hang-up; EIO/ENODEV/ENXIO
  // are what an unplugged USB adapter or a closed pty master give.
  return make_error("gps.device_gone",
                    name_ + " went away (" + (n == 0 ? std::string("hang-up") : std::strerror(errno)) + ")");
}

}  // namespace mdtc::gps
