// Real pseudo-terminals, real loopback sockets standing in for the car's
// router, the real stub-gps program, and a collector that lets a test wait
// for reader events with a deadline instead of sleeping.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <spawn.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "mdtc/gps.h"

extern char** environ;

namespace mdtc::gps::test {

inline std::string with_checksum(const std::string& body) {
  unsigned sum = 0;
  for (char c : body) sum ^= static_cast<unsigned char>(c);
  char tail[8];
  std::snprintf(tail, sizeof tail, "*%02X\r\n", sum);
  return "$" + body + tail;
}

// One GGA+RMC cycle at hhmmss, 22 Nov 2026, in Springfield.
inline std::string epoch(int hhmmss) {
  char t[16];
  std::snprintf(t, sizeof t, "%06d", hhmmss);
  return with_checksum(std::string("GPGGA,") + t + ",3948.07200,N,08938.62200,W,1,09,0.9,180.0,M,-33.9,M,,") +
         with_checksum(std::string("GPRMC,") + t + ",A,3948.07200,N,08938.62200,W,26.05,270.0,221126,,,A");
}

// A TAIP PV report at hhmmss (seconds of the day), fresh 3D fix in
// Springfield at 26 mph heading 270, with a vehicle ID and a checksum as a
// router sends it.
inline std::string taip_pv(int seconds_of_day) {
  char body[64];
  std::snprintf(body, sizeof body, ">RPV%05d+3980120-0896437002627012;ID=CAR7;*", seconds_of_day);
  unsigned sum = 0;
  for (const char* p = body; *p; ++p) sum ^= static_cast<unsigned char>(*p);
  char tail[8];
  std::snprintf(tail, sizeof tail, "%02X<\r\n", sum);
  return std::string(body) + tail;
}

inline void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// Waits up to timeout for fd to be readable; false on timeout.
inline bool readable(int fd, std::chrono::milliseconds timeout) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, static_cast<int>(timeout.count())) == 1;
}

// The router's TCP NMEA/TAIP server on 127.0.0.1, on a port the system
// picks; it can go down and come back on the same port, as a rebooting
// router does.
class TcpRouter {
 public:
  TcpRouter() { listen_on(0); }
  ~TcpRouter() { stop(); }
  TcpRouter(const TcpRouter&) = delete;
  TcpRouter& operator=(const TcpRouter&) = delete;
  int port() const { return port_; }
  std::string url() const { return "tcp://127.0.0.1:" + std::to_string(port_); }
  // Waits for the reader to connect.
  void accept(std::chrono::milliseconds timeout = std::chrono::seconds(15)) {
    if (!readable(listener_, timeout)) throw std::runtime_error("no connection to the router");
    close_fd(client_);
    client_ = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client_ < 0) throw std::runtime_error("accept failed");
  }
  void send(const std::string& bytes) {
    if (::send(client_, bytes.data(), bytes.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(bytes.size()))
      throw std::runtime_error("router send failed");
  }
  // Down: the connection and the listening socket close.
  void stop() { close_fd(client_), close_fd(listener_); }
  // Back up on the same port.
  void restart() { listen_on(port_); }

 private:
  void listen_on(int port) {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int one = 1;
    ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<uint16_t>(port));
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(listener_, 4) != 0)
      throw std::runtime_error("router cannot listen");
    socklen_t len = sizeof a;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  int listener_ = -1, client_ = -1, port_ = 0;
};

// The router sending datagrams from its own (new, each time) socket.
class UdpSender {
 public:
  explicit UdpSender(int port) : fd_(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) {
    to_.sin_family = AF_INET;
    to_.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    to_.sin_port = htons(static_cast<uint16_t>(port));
  }
  ~UdpSender() { close_fd(fd_); }
  UdpSender(const UdpSender&) = delete;
  UdpSender& operator=(const UdpSender&) = delete;
  void send(const std::string& datagram) {
    if (::sendto(fd_, datagram.data(), datagram.size(), 0, reinterpret_cast<const sockaddr*>(&to_), sizeof to_) !=
        static_cast<ssize_t>(datagram.size()))
      throw std::runtime_error("sendto failed");
  }

 private:
  int fd_;
  sockaddr_in to_{};
};

// A pty pair held open on both sides (as a receiver's USB serial device
// would stay present); the test writes receiver output to the master.
class Pty {
 public:
  Pty() {
    char name[256] = {0};
    if (openpty(&master_, &slave_, name, nullptr, nullptr) != 0) throw std::runtime_error("openpty failed");
    path_ = name;
    termios tio{};
    tcgetattr(slave_, &tio);
    cfmakeraw(&tio);
    tcsetattr(slave_, TCSANOW, &tio);
  }
  ~Pty() { close_master(), test::close_fd(slave_); }
  Pty(const Pty&) = delete;
  Pty& operator=(const Pty&) = delete;
  const std::string& path() const { return path_; }
  void write(const std::string& bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t n = ::write(master_, bytes.data() + done, bytes.size() - done);
      if (n <= 0) throw std::runtime_error("pty write failed");
      done += static_cast<std::size_t>(n);
    }
  }
  speed_t line_speed() const {
    termios tio{};
    tcgetattr(slave_, &tio);
    return cfgetispeed(&tio);
  }
  void close_master() { test::close_fd(master_); }
  // Bytes written but not yet read by whoever reads the slave.
  int pending() const {
    int n = 0;
    ::ioctl(slave_, FIONREAD, &n);
    return n;
  }

 private:
  int master_ = -1, slave_ = -1;
  std::string path_;
};

// The stub-gps program, started with arguments; waits for its ready line.
class StubGps {
 public:
  explicit StubGps(std::vector<std::string> args) {
    int out[2];
    if (::pipe(out) != 0) throw std::runtime_error("pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    const std::string exe = MDTC_BINARY_DIR "/vendor_stubs/stub_gps/stub-gps";
    args.insert(args.begin(), exe);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int rc = posix_spawn(&pid_, exe.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    if (rc != 0) {
      ::close(out[0]);
      throw std::runtime_error("cannot start " + exe);
    }
    out_ = out[0];
    try {
      await_ready();
    } catch (...) {
      stop();  // reap it: a failed start must not leave a process behind
      throw;
    }
  }
  ~StubGps() { stop(); }
  StubGps(const StubGps&) = delete;
  StubGps& operator=(const StubGps&) = delete;
  const std::string& port() const { return port_; }
  // SIGTERM and reap: the device is gone when this returns.
  int stop() {
    int status = -1;
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, &status, 0);
      pid_ = -1;
    }
    if (out_ >= 0) ::close(out_), out_ = -1;
    return status;
  }

 private:
  void await_ready() {
    // The ready line, with a deadline: a stub that never gets ready fails the test.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    std::string line;
    while (line.find('\n') == std::string::npos) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      pollfd p{out_, POLLIN, 0};
      if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) throw std::runtime_error("stub-gps not ready");
      char c[256];
      const ssize_t n = ::read(out_, c, sizeof c);
      if (n <= 0) throw std::runtime_error("stub-gps exited before ready");
      line.append(c, static_cast<std::size_t>(n));
    }
    const auto at = line.find("port=");
    if (line.rfind("stub-gps ready", 0) != 0 || at == std::string::npos) throw std::runtime_error("bad ready line: " + line);
    port_ = line.substr(at + 5, line.find('\n') - at - 5);
  }

  pid_t pid_ = -1;
  int out_ = -1;
  std::string port_;
};

// Collects what a Reader reports; tests wait on predicates with deadlines.
class Collector {
 public:
  Reader::FixHandler fix_handler() {
    return [this](const Fix& f) {
      std::lock_guard lock(mu_);
      fixes_.push_back(f);
      cv_.notify_all();
    };
  }
  Reader::StatusHandler status_handler() {
    return [this](const ReaderStatus& s) {
      std::lock_guard lock(mu_);
      statuses_.push_back(s);
      cv_.notify_all();
    };
  }
  // Waits until pred(fixes, statuses) holds or the deadline passes.
  bool wait_for(const std::function<bool(const std::vector<Fix>&, const std::vector<ReaderStatus>&)>& pred,
                std::chrono::milliseconds timeout = std::chrono::seconds(15)) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return pred(fixes_, statuses_); });
  }
  bool wait_fixes(std::size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(15)) {
    return wait_for([n](const auto& f, const auto&) { return positioned(f) >= n; }, timeout);
  }
  bool wait_connected(bool connected, std::chrono::milliseconds timeout = std::chrono::seconds(15)) {
    return wait_for([connected](const auto&, const auto& s) { return !s.empty() && s.back().connected == connected; },
                    timeout);
  }
  bool wait_protocol(Protocol protocol, std::chrono::milliseconds timeout = std::chrono::seconds(15)) {
    return wait_for([protocol](const auto&, const auto& s) { return !s.empty() && s.back().protocol == protocol; },
                    timeout);
  }
  // The position was fresh at some point and is stale now.
  bool wait_went_stale(std::chrono::milliseconds timeout = std::chrono::seconds(15)) {
    return wait_for(
        [](const auto&, const auto& s) {
          bool fresh = false;
          for (const auto& st : s) fresh |= !st.stale;
          return fresh && !s.empty() && s.back().stale;
        },
        timeout);
  }
  std::vector<Fix> fixes() {
    std::lock_guard lock(mu_);
    return fixes_;
  }
  std::vector<ReaderStatus> statuses() {
    std::lock_guard lock(mu_);
    return statuses_;
  }
  static std::size_t positioned(const std::vector<Fix>& f) {
    std::size_t n = 0;
    for (const auto& x : f) n += x.mode >= Mode::fix_2d ? 1 : 0;
    return n;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Fix> fixes_;
  std::vector<ReaderStatus> statuses_;
};

}  // namespace mdtc::gps::test
