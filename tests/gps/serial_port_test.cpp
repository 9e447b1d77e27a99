// How a port is opened: which backend a device gets, and the line settings
// either backend leaves. Pseudo-terminals are always here; a real serial
// port only when MDTC_TEST_SERIAL_PORT names one (a test machine's UART or
// USB adapter), since opening a real port can disturb what is on it.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "gps_test_support.h"
#include "serial_port.h"
#include "temp_dir.h"

namespace mdtc::gps {
namespace {

using test::Pty;

termios line_of(int fd) {
  termios tio{};
  tcgetattr(fd, &tio);
  return tio;
}

// A line someone else left cooked, with hardware flow control and parity
// checks: what a previous program (a terminal, a modem tool) may leave.
void make_cooked(termios& tio) {
  tio.c_lflag |= ICANON | ECHO | ISIG | IEXTEN;
  tio.c_iflag |= ICRNL | ISTRIP | IXON | IGNPAR | INPCK;
  tio.c_cflag |= CRTSCTS | PARENB;
  tio.c_cflag &= ~static_cast<tcflag_t>(CLOCAL);
  tio.c_cc[VMIN] = 5;
}

// The settings NMEA reading depends on, whichever backend opened the port.
void expect_raw_nmea_line(const termios& tio) {
  EXPECT_EQ(tio.c_lflag & (ICANON | ECHO | ISIG | IEXTEN), 0u) << "raw: no line editing or echo";
  EXPECT_EQ(tio.c_iflag & (ICRNL | ISTRIP | IXON | IXOFF), 0u) << "bytes as received, no software flow control";
  EXPECT_EQ(tio.c_iflag & (IGNPAR | INPCK), 0u) << "framing errors delivered, so a wrong rate shows as garbage";
  EXPECT_EQ(tio.c_cflag & (CRTSCTS | PARENB | CSTOPB), 0u) << "8N1 without hardware flow control";
  EXPECT_EQ(tio.c_cflag & CSIZE, static_cast<tcflag_t>(CS8));
  EXPECT_NE(tio.c_cflag & CLOCAL, 0u) << "modem lines ignored";
  EXPECT_NE(tio.c_cflag & CREAD, 0u);
  EXPECT_EQ(tio.c_cc[VMIN], 0) << "readiness means one byte";
  EXPECT_EQ(tio.c_cc[VTIME], 0);
}

TEST(SerialBackend, RealDevicesGoThroughLibserialportEverythingElseThroughTermios) {
  EXPECT_EQ(choose_backend({true, false, true}), SerialBackend::libserialport);
  EXPECT_EQ(choose_backend({true, true, false}), SerialBackend::termios) << "a pseudo-terminal";
  EXPECT_EQ(choose_backend({true, true, true}), SerialBackend::termios) << "a pty even if the library knew it";
  EXPECT_EQ(choose_backend({true, false, false}), SerialBackend::termios) << "no sysfs record (container without /sys)";
  EXPECT_EQ(choose_backend({false, false, false}), SerialBackend::termios) << "not a device: open() reports why";
}

TEST(SerialPort, APseudoTerminalOpensThroughTermiosAsARawExclusiveLine) {
  Pty pty;
  {
    int slave = ::open(pty.path().c_str(), O_RDWR | O_NOCTTY);
    ASSERT_GE(slave, 0);
    termios cooked = line_of(slave);
    make_cooked(cooked);
    ASSERT_EQ(tcsetattr(slave, TCSANOW, &cooked), 0);
    ::close(slave);
  }
  auto opened = SerialPort::open(pty.path(), 4800);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  const SerialPort& port = *opened;
  EXPECT_EQ(port.backend(), SerialBackend::termios);
  const termios tio = line_of(port.fd());
  expect_raw_nmea_line(tio);
  EXPECT_EQ(cfgetispeed(&tio), static_cast<speed_t>(B4800));
  EXPECT_NE(::fcntl(port.fd(), F_GETFD) & FD_CLOEXEC, 0) << "a program the host starts must not inherit the port";
  EXPECT_NE(::fcntl(port.fd(), F_GETFL) & O_NONBLOCK, 0);
}

TEST(SerialPort, ASymlinkToAPseudoTerminalIsStillAPseudoTerminal) {
  // udev rules and simulators give stable names as symlinks.
  Pty pty;
  mdtc::test::TempDir dir;
  const std::string link = dir.file("gps0");
  std::filesystem::create_symlink(pty.path(), link);
  auto opened = SerialPort::open(link, 9600);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  EXPECT_EQ(opened->backend(), SerialBackend::termios);
  EXPECT_EQ(opened->name(), link) << "messages keep the configured name";
}

TEST(SerialPort, ADeviceLibserialportDoesNotKnowIsOpenedWithTermiosWhichNamesTheProblem) {
  // /dev/null is a character device without a /sys/class/tty entry:
  // libserialport cannot resolve it, the termios path opens it and finds
  // it is not a tty.
  auto opened = SerialPort::open("/dev/null", 9600);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code, "gps.not_a_tty");
  EXPECT_NE(opened.error().message.find("/dev/null"), std::string::npos);
}

TEST(SerialPort, ReadSomeSaysNothingYetThenDeviceGoneWhenThePtyMasterCloses) {
  Pty pty;
  auto opened = SerialPort::open(pty.path(), 9600);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  SerialPort port = std::move(opened).value();
  char buf[64];
  auto nothing = port.read_some(buf, sizeof buf);
  ASSERT_TRUE(nothing.ok());
  EXPECT_EQ(*nothing, 0u);
  pty.write("$GPGGA\r\n");
  pollfd p{port.fd(), POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 5000), 1);
  auto some = port.read_some(buf, sizeof buf);
  ASSERT_TRUE(some.ok());
  EXPECT_EQ(std::string(buf, *some), "$GPGGA\r\n");
  pty.close_master();
  ASSERT_EQ(::poll(&p, 1, 5000), 1);
  EXPECT_NE(p.revents & POLLHUP, 0) << "the hang-up flag is what tells a closed line from a quiet one";
  auto gone = port.read_some(buf, sizeof buf);
  if (gone.ok()) {
    EXPECT_EQ(*gone, 0u);
  } else {
    EXPECT_EQ(gone.error().code, "gps.device_gone");
  }
}

// The libserialport path on real hardware. Set MDTC_TEST_SERIAL_PORT to a
// port nothing else needs (it is reconfigured, then restored).
TEST(SerialPort, ARealPortOpensThroughLibserialportAsARawExclusiveLine) {
  const char* name = std::getenv("MDTC_TEST_SERIAL_PORT");
  if (!name || !*name) GTEST_SKIP() << "set MDTC_TEST_SERIAL_PORT=/dev/ttyUSB0 (or another real port) to run";
  const int keeper = ::open(name, O_RDONLY | O_NOCTTY | O_NONBLOCK);
  ASSERT_GE(keeper, 0) << name;
  const termios original = line_of(keeper);
  termios cooked = original;
  make_cooked(cooked);
  ASSERT_EQ(tcsetattr(keeper, TCSANOW, &cooked), 0);
  {
    auto opened = SerialPort::open(name, 9600);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    SerialPort port = std::move(opened).value();
    EXPECT_EQ(port.backend(), SerialBackend::libserialport);
    expect_raw_nmea_line(line_of(port.fd()));
    const termios opened_line = line_of(port.fd());
    EXPECT_EQ(cfgetispeed(&opened_line), static_cast<speed_t>(B9600));
    ASSERT_TRUE(port.set_baud(4800).ok());
    const termios after = line_of(port.fd());
    EXPECT_EQ(cfgetispeed(&after), static_cast<speed_t>(B4800));
    expect_raw_nmea_line(after);
    EXPECT_NE(::fcntl(port.fd(), F_GETFD) & FD_CLOEXEC, 0);
    char buf[256];
    EXPECT_TRUE(port.read_some(buf, sizeof buf).ok());
    port.close();
    port.close();
  }
  tcsetattr(keeper, TCSANOW, &original);
  ::close(keeper);
}

}  // namespace
}  // namespace mdtc::gps
