#include "serial_port.h"

#include <fcntl.h>
#include <libserialport.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
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

// Pseudo-terminal slaves: UNIX 98 ptys (/dev/pts/N) have majors 136-143,
// legacy BSD ones (/dev/ttyp0) major 3 (Documentation/admin-guide/devices.txt).
bool is_pty_slave(dev_t dev) noexcept {
  const unsigned m = major(dev);
  return (m >= 136 && m <= 143) || m == 3;
}

std::string libserialport_message() {
  char* msg = sp_last_error_message();
  std::string out = msg ? msg : "unknown error";
  if (msg) sp_free_error_message(msg);
  return out;
}

// The line as NMEA needs it, whoever opened it: raw bytes (no echo, no
// CR/LF translation, no 8th-bit stripping, which would turn a wrong rate's
// garbage into plausible ASCII), 8N1, no hardware or software flow
// control, modem lines ignored (many GPS pucks leave DCD low). IGNPAR and
// INPCK off: bytes with framing errors are delivered (as NUL), so a
// receiver at another rate shows up as garbage rather than silence, which
// baud detection relies on. VMIN = VTIME = 0: readiness means one byte.
void make_raw_nmea_line(termios& tio) noexcept {
  ::cfmakeraw(&tio);
  tio.c_cflag |= CLOCAL | CREAD;
  tio.c_cflag &= ~static_cast<tcflag_t>(CRTSCTS | CSTOPB | PARENB);
  tio.c_iflag &= ~static_cast<tcflag_t>(IXON | IXOFF | IXANY | IGNPAR | INPCK);
  tio.c_cc[VMIN] = 0;
  tio.c_cc[VTIME] = 0;
}

}  // namespace

SerialBackend choose_backend(const DeviceFacts& facts) noexcept {
  return facts.char_device && !facts.pseudo_terminal && facts.known_to_libserialport ? SerialBackend::libserialport
                                                                                      : SerialBackend::termios;
}

const char* backend_name(SerialBackend backend) noexcept {
  return backend == SerialBackend::libserialport ? "libserialport" : "termios";
}

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
  DeviceFacts facts;
  sp_port* sp = nullptr;
  struct stat st {};
  if (::stat(name.c_str(), &st) == 0 && S_ISCHR(st.st_mode)) {
    facts.char_device = true;
    facts.pseudo_terminal = is_pty_slave(st.st_rdev);
    if (!facts.pseudo_terminal) {
      // libserialport looks the port up as /sys/class/tty/<name after
      // /dev/>: give it the device node behind udev's symlinks
      // (/dev/serial/by-id/..., /dev/gps0).
      char real[PATH_MAX];
      if (::realpath(name.c_str(), real) && sp_get_port_by_name(real, &sp) == SP_OK)
        facts.known_to_libserialport = true;
    }
  }
  if (choose_backend(facts) == SerialBackend::libserialport) return open_with_libserialport(name, sp, baud);
  if (sp) sp_free_port(sp);
  // Anything else, including names that do not exist or are not devices:
  // open() itself then says why (not found, permission, not a tty).
  return open_with_termios(name, baud);
}

Result<SerialPort> SerialPort::open_with_libserialport(const std::string& name, sp_port* sp, int baud) {
  if (sp_open(sp, SP_MODE_READ) != SP_OK) {
    const int err = sp_last_error_code();
    sp_free_port(sp);
    return describe_open_error(name, err);
  }
  int fd = -1;
  sp_get_port_handle(sp, &fd);
  SerialPort port(fd, name, sp);
  // 8N1 without software flow control, and DTR up. RTS/CTS are left to
  // make_raw_nmea_line: 0.1.1 refuses to set RTS or CTS alone while
  // CRTSCTS is on (SP_ERR_SUPP), and a full config leaves CRTSCTS set.
  sp_port_config* config = nullptr;
  if (sp_new_config(&config) != SP_OK) return make_error("gps.open_failed", "cannot configure " + name + ": out of memory");
  sp_set_config_bits(config, 8);
  sp_set_config_parity(config, SP_PARITY_NONE);
  sp_set_config_stopbits(config, 1);
  sp_set_config_xon_xoff(config, SP_XONXOFF_DISABLED);
  sp_set_config_dtr(config, SP_DTR_ON);
  const sp_return set = sp_set_config(sp, config);
  sp_free_config(config);
  if (set != SP_OK) return make_error("gps.open_failed", "cannot configure " + name + ": " + libserialport_message());
  if (auto s = port.finish_setup(baud); !s) return s.error();
  return port;
}

Result<SerialPort> SerialPort::open_with_termios(const std::string& name, int baud) {
  // O_NONBLOCK also keeps open() from waiting for carrier detect.
  const int fd = ::open(name.c_str(), O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return describe_open_error(name, errno);
  SerialPort port(fd, name, nullptr);
  if (!::isatty(fd)) return make_error("gps.not_a_tty", name + " is not a serial device");
  if (auto s = port.finish_setup(baud); !s) return s.error();
  return port;
}

// What both backends need after the open: close-on-exec, exclusivity and
// the raw line. libserialport 0.1.1 opens without O_CLOEXEC, so a program
// the host starts would inherit the port; set here, that leaves only the
// moment between its open() and this call.
Status SerialPort::finish_setup(int baud) {
  ::fcntl(fd_, F_SETFD, ::fcntl(fd_, F_GETFD) | FD_CLOEXEC);
  // Exclusive: a second reader on the same line would steal half the bytes.
  if (::ioctl(fd_, TIOCEXCL) != 0 && errno == EBUSY) return describe_open_error(name_, EBUSY);
  termios tio{};
  if (::tcgetattr(fd_, &tio) != 0) return describe_open_error(name_, errno);
  make_raw_nmea_line(tio);
  if (::tcsetattr(fd_, TCSANOW, &tio) != 0) return describe_open_error(name_, errno);
  if (baud != 0) return set_baud(baud);
  return Ok{};
}

SerialPort::SerialPort(SerialPort&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      name_(std::move(other.name_)),
      sp_(std::exchange(other.sp_, nullptr)),
      baud_(other.baud_) {}

SerialPort& SerialPort::operator=(SerialPort&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = std::exchange(other.fd_, -1);
    name_ = std::move(other.name_);
    sp_ = std::exchange(other.sp_, nullptr);
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
    if (sp_) {
      sp_close(sp_);  // closes fd_
    } else {
      ::close(fd_);
    }
    fd_ = -1;
  }
  if (sp_) sp_free_port(std::exchange(sp_, nullptr));
}

Status SerialPort::set_baud(int baud) {
  const speed_t speed = speed_constant(baud);
  if (speed == B0) return make_error("gps.bad_baud", "baud " + std::to_string(baud) + " is not supported");
  if (sp_) {
    if (sp_set_baudrate(sp_, baud) != SP_OK) {
      return make_error("gps.baud_failed",
                        "cannot set " + name_ + " to " + std::to_string(baud) + " baud: " + libserialport_message());
    }
  } else {
    termios tio{};
    if (::tcgetattr(fd_, &tio) != 0 || ::cfsetispeed(&tio, speed) != 0 || ::cfsetospeed(&tio, speed) != 0 ||
        ::tcsetattr(fd_, TCSANOW, &tio) != 0) {
      return make_error("gps.baud_failed", "cannot set " + name_ + " to " + std::to_string(baud) +
                                               " baud: " + std::strerror(errno));
    }
  }
  baud_ = baud;
  return Ok{};
}

void SerialPort::discard_input() noexcept {
  if (sp_) {
    sp_flush(sp_, SP_BUF_INPUT);
  } else {
    ::tcflush(fd_, TCIFLUSH);
  }
}

// The descriptor is read directly on both backends: the reader waits on
// it in one epoll set with its stop and timer descriptors anyway, and
// sp_nonblocking_read would only wrap the same read() (its 0 also means
// both "nothing yet" and "hung up").
Result<std::size_t> SerialPort::read_some(char* buf, std::size_t size) {
  const ssize_t n = ::read(fd_, buf, size);
  if (n >= 0) return static_cast<std::size_t>(n);
  if (errno == EAGAIN || errno == EINTR) return std::size_t{0};
  return make_error("gps.device_gone", name_ + " went away (" + std::strerror(errno) + ")");
}

}  // namespace mdtc::gps
