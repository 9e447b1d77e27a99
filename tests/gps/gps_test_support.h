// Real pseudo-terminals, the real stub-gps program, and a collector that
// lets a test wait for reader events with a deadline instead of sleeping.
#pragma once

#include <fcntl.h>
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
  ~Pty() { close_master(), close_fd(slave_); }
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
  void close_master() { close_fd(master_); }
  // Bytes written but not yet read by whoever reads the slave.
  int pending() const {
    int n = 0;
    ::ioctl(slave_, FIONREAD, &n);
    return n;
  }

 private:
  static void close_fd(int& fd) {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
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
