// stub-gps: a simulated NMEA receiver on a pseudo-terminal, for the demo and
// the integration tests. It drives a route and prints GGA, GSA, RMC and VTG
// each cycle, like a USB GPS puck. With --tcp or --udp it plays the car's
// router instead (no pty), and --taip makes it send TAIP PV reports.
//
// Like a real UART it only makes sense at its own baud rate: when the
// reader sets the line to another rate, the stub sends what a receiver
// would then look like - framing garbage - so baud detection can be
// exercised on a pty, where the rate otherwise has no effect.
#include <fcntl.h>
#include <pty.h>
#include <termios.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>

#include "net_output.h"
#include "nmea_writer.h"
#include "route.h"
#include "taip_writer.h"

namespace po = boost::program_options;

namespace {

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

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

// What a UART at the wrong rate delivers: every byte mangled, with the high
// bit set so it can never frame as NMEA.
std::string garble(const std::string& text) {
  std::string out(text.size(), '\0');
  for (std::size_t i = 0; i < text.size(); ++i)
    out[i] = static_cast<char>(0x80 | ((static_cast<unsigned char>(text[i]) * 7 + i) & 0x7f));
  return out;
}

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

int main(int argc, char** argv) {
  double rate_hz = 1.0, speed_mps = 13.4;
  int baud = 9600;
  std::string link, route_file;
  int tcp_port = -1, udp_port = -1;
  po::options_description opts("stub-gps: a simulated NMEA receiver on a pseudo-terminal");
  opts.add_options()("help,h", "show this help")(
      "rate-hz", po::value(&rate_hz)->default_value(1.0), "fixes per second (0.1-20)")(
      "baud", po::value(&baud)->default_value(9600), "line rate: 4800 9600 19200 38400 57600 115200")(
      "link", po::value(&link), "create a symlink PATH -> the pty so configs can name a stable path")(
      "route", po::value(&route_file), "file of \"lat,lon\" lines (default: a loop in Springfield, IL)")(
      "speed-mps", po::value(&speed_mps)->default_value(13.4), "driving speed in m/s")(
      "taip", "send TAIP PV reports (vehicle ID CAR7) instead of NMEA")(
      "tcp", po::value(&tcp_port), "be the car's router: serve on 127.0.0.1:PORT (0 = any free port), no pty")(
      "udp", po::value(&udp_port), "be the car's router: send datagrams to 127.0.0.1:PORT, no pty");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, opts), vm);
    po::notify(vm);
  } catch (const std::exception& e) {
    std::cerr << "stub-gps: " << e.what() << "\n" << opts;
    return 2;
  }
  if (vm.count("help")) {
    std::cout << opts;
    return 0;
  }
  if (rate_hz < 0.1 || rate_hz > 20 || speed_constant(baud) == B0 || speed_mps < 0) {
    std::cerr << "stub-gps: --rate-hz must be 0.1-20, --baud one of 4800 9600 19200 38400 57600 115200, "
                 "--speed-mps >= 0\n";
    return 2;
  }
  std::vector<stub_gps::LatLon> points = stub_gps::default_route();
  if (!route_file.empty()) {
    std::ifstream in(route_file);
    if (!in) {
      std::cerr << "stub-gps: cannot read route " << route_file << "\n";
      return 2;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    auto parsed = stub_gps::parse_route(ss.str());
    if (!parsed) {
      std::cerr << "stub-gps: " << route_file << ": " << parsed.error().message << "\n";
      return 2;
    }
    points = std::move(parsed).value();
  }
  const stub_gps::Route route(points);
  const bool taip = vm.count("taip") > 0;

  std::optional<stub_gps::NetOutput> net;
  if (tcp_port >= 0 || udp_port >= 0) {
    std::string error;
    net.emplace(tcp_port >= 0 ? stub_gps::NetOutput::tcp(tcp_port, error) : stub_gps::NetOutput::udp(udp_port, error));
    if (!error.empty()) {
      std::cerr << "stub-gps: " << error << "\n";
      return 2;
    }
  }

  int master = -1, slave = -1;
  char slave_name[256] = {0};
  if (!net && openpty(&master, &slave, slave_name, nullptr, nullptr) != 0) {
    std::cerr << "stub-gps: openpty failed: " << std::strerror(errno) << "\n";
    return 1;
  }
  // The slave stays open here so the line's settings can be read back and
  // the pty survives readers coming and going.
  if (!net) {
    termios tio{};
    tcgetattr(slave, &tio);
    cfmakeraw(&tio);
    cfsetispeed(&tio, speed_constant(baud));
    cfsetospeed(&tio, speed_constant(baud));
    tcsetattr(slave, TCSANOW, &tio);
    // A receiver does not wait for anyone: when nobody reads, bytes are lost.
    fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
  }

  if (!link.empty() && !net) {
    ::unlink(link.c_str());
    if (::symlink(slave_name, link.c_str()) != 0) {
      std::cerr << "stub-gps: cannot create link " << link << ": " << std::strerror(errno) << "\n";
      return 1;
    }
  }

  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  const int64_t period_ms = static_cast<int64_t>(1000.0 / rate_hz);
  const int64_t start_ms = wall_ms() / period_ms * period_ms;
  bool announced = false;
  for (int64_t tick = 0; !g_stop; ++tick) {
    const int64_t t = start_ms + tick * period_ms;
    stub_gps::Epoch e;
    e.utc_ms = t;
    e.speed_mps = speed_mps;
    e.position = route.at(speed_mps * static_cast<double>(t - start_ms) / 1000.0);
    std::string bytes = taip ? stub_gps::taip_pv(e, "CAR7") : stub_gps::nmea_epoch(e);
    if (net) {
      net->send(bytes);
    } else {
      termios now{};
      if (tcgetattr(slave, &now) == 0 && cfgetispeed(&now) != speed_constant(baud)) bytes = garble(bytes);
      const ssize_t written = ::write(master, bytes.data(), bytes.size());
      (void)written;  // EAGAIN: nobody is reading; drop like a receiver would
    }
    if (!announced) {
      std::cout << "stub-gps ready port=" << (net ? net->url() : link.empty() ? slave_name : link) << std::endl;
      announced = true;
    }
    const int64_t next = start_ms + (tick + 1) * period_ms;
    timespec ts{static_cast<time_t>(next / 1000), static_cast<long>(next % 1000) * 1'000'000};
    while (!g_stop && clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
    }
  }
  if (!link.empty() && !net) {
    char target[256] = {0};
    const ssize_t n = ::readlink(link.c_str(), target, sizeof target - 1);
    if (n > 0 && std::strcmp(target, slave_name) == 0) ::unlink(link.c_str());
  }
  if (master >= 0) ::close(master);
  if (slave >= 0) ::close(slave);
  return 0;
}
