// CPU time and memory of the GPS Reader consuming a 10 Hz GGA+RMC+GSA+VTG
// stream through a pseudo-terminal, beside Debian's gpsd reading the same
// stream through a second pty in the same run.
//
//   bench_gps [--seconds N] [--runs R] [--floor]      (defaults 60 and 1)
//
// Each reader runs as its own process, so its CPU time is exactly its own:
// the scheduler's per-thread accounting for the steady state (after a 2 s
// warm-up, which leaves out dynamic linking and gpsd's set-up) and wait4()
// for the whole run. Both get the same bytes in the same 100 ms tick; which
// pty is written first alternates every epoch, so neither reader is always
// woken first. With --floor a third process, a bare epoll+read loop on a
// third pty, shows what the kernel's wake-up and read cost any reader (the
// floor under both); it is off by default because a third process woken
// every tick changes how busy the two cores are, and so the other figures.
//
// The Reader child is this program (it links every module for the other
// benchmarks), so its whole-run figure includes loading libraries the GPS
// reader never uses; the steady-state figure is the one to compare.
#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <spawn.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <dirent.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <algorithm>
#include <string>
#include <vector>

#include "mdtc/gps.h"
#include "temp_dir.h"

extern char** environ;

namespace {

std::atomic<bool> g_stop{false};
void on_term(int) { g_stop = true; }

std::string sentence(const std::string& body) {
  unsigned sum = 0;
  for (char c : body) sum ^= static_cast<unsigned char>(c);
  char tail[8];
  std::snprintf(tail, sizeof tail, "*%02X\r\n", sum);
  return "$" + body + tail;
}

// One 10 Hz cycle driving east along 39.80 N at 13 m/s.
std::string epoch(int64_t utc_ms) {
  const std::time_t secs = static_cast<std::time_t>(utc_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char t[32], d[32], lat[32], lon[32], buf[160];
  std::snprintf(t, sizeof t, "%02d%02d%02d.%02d", tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(utc_ms % 1000 / 10));
  std::snprintf(d, sizeof d, "%02d%02d%02d", tm.tm_mday, tm.tm_mon + 1, tm.tm_year % 100);
  const double lon_deg = 89.6437 - std::fmod(static_cast<double>(utc_ms) / 1000.0 * 13.0 / 85'000.0, 0.05);
  std::snprintf(lat, sizeof lat, "3948.07200,N");
  std::snprintf(lon, sizeof lon, "%03d%08.5f,W", static_cast<int>(lon_deg), (lon_deg - static_cast<int>(lon_deg)) * 60);
  std::string out;
  std::snprintf(buf, sizeof buf, "GPGGA,%s,%s,%s,1,09,0.9,180.0,M,-33.9,M,,", t, lat, lon);
  out += sentence(buf);
  out += sentence("GPGSA,A,3,02,05,07,09,13,16,20,26,30,,,,1.6,0.9,1.3");
  std::snprintf(buf, sizeof buf, "GPRMC,%s,A,%s,%s,25.27,90.0,%s,,,A", t, lat, lon, d);
  out += sentence(buf);
  out += sentence("GPVTG,90.0,T,,M,25.27,N,46.80,K,A");
  return out;
}

int64_t wall_ms() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t{ts.tv_sec} * 1000 + ts.tv_nsec / 1'000'000;
}

// Child mode: run the Reader on PORT until SIGTERM, print the fix count.
int child_reader(const char* port) {
  signal(SIGTERM, on_term);
  std::atomic<long> fixes{0};
  mdtc::gps::ReaderOptions o;
  o.port = port;
  o.baud = "9600";
  mdtc::gps::Reader reader(o, [&](const mdtc::gps::Fix& f) { fixes += f.mode >= mdtc::gps::Mode::fix_2d; }, nullptr);
  if (!reader.start()) return 1;
  // The reader thread does the work; this one only waits for the signal.
  sigset_t set;
  sigemptyset(&set);
  while (!g_stop) sigsuspend(&set);
  reader.stop();
  std::printf("%ld\n", fixes.load());
  return 0;
}

// Child mode: the least any reader can do - wait for the pty, read it,
// nothing else - until SIGTERM; prints the bytes read.
int child_floor(const char* port) {
  signal(SIGTERM, on_term);
  const int fd = open(port, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return 1;
  termios tio{};
  tcgetattr(fd, &tio);
  cfmakeraw(&tio);
  tio.c_cc[VMIN] = 0;
  tio.c_cc[VTIME] = 0;
  tcsetattr(fd, TCSANOW, &tio);
  const int ep = epoll_create1(EPOLL_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLET;
  ev.data.fd = fd;
  epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
  long total = 0;
  char buf[4096];
  while (!g_stop) {
    epoll_event e{};
    if (epoll_wait(ep, &e, 1, -1) <= 0) continue;
    for (;;) {
      const ssize_t n = read(fd, buf, sizeof buf);
      if (n <= 0) break;
      total += n;
      if (n < static_cast<ssize_t>(sizeof buf)) break;
    }
  }
  std::printf("%ld\n", total);
  return 0;
}

struct Pty {
  int master = -1, slave = -1;
  std::string path;
  Pty() {
    char name[256] = {0};
    if (openpty(&master, &slave, name, nullptr, nullptr) != 0) std::perror("openpty");
    path = name;
    termios tio{};
    tcgetattr(slave, &tio);
    cfmakeraw(&tio);
    tcsetattr(slave, TCSANOW, &tio);
    fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
    // The readers open the slave by name; they must not inherit these (a
    // reader holding another pty's master open would outlive its run).
    fcntl(master, F_SETFD, FD_CLOEXEC);
    fcntl(slave, F_SETFD, FD_CLOEXEC);
  }
  ~Pty() {
    if (master >= 0) close(master);
    if (slave >= 0) close(slave);
  }
  Pty(const Pty&) = delete;
  Pty& operator=(const Pty&) = delete;
  int pending() const {
    int n = 0;
    ioctl(slave, FIONREAD, &n);
    return n;
  }
};

// stdout_fd < 0: the child's stdout and stderr go to /dev/null (gpsd
// complains about D-Bus on every start).
pid_t spawn(const std::vector<std::string>& args, int stdout_fd) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (stdout_fd >= 0) {
    posix_spawn_file_actions_adddup2(&actions, stdout_fd, STDOUT_FILENO);
  } else {
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  }
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  if (posix_spawn(&pid, args[0].c_str(), &actions, nullptr, argv.data(), environ) != 0) pid = -1;
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

// On-CPU time of every thread of pid, in seconds, from the scheduler's
// accounting (sub-microsecond resolution, unlike rusage's ticks on some
// kernels); -1 when the kernel does not expose it.
double sched_cpu_s(pid_t pid) {
  const std::string dir = "/proc/" + std::to_string(pid) + "/task";
  DIR* d = opendir(dir.c_str());
  if (!d) return -1;
  double total_ms = 0;
  bool any = false;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] == '.') continue;
    FILE* f = std::fopen((dir + "/" + e->d_name + "/sched").c_str(), "r");
    if (!f) continue;
    char line[256];
    while (std::fgets(line, sizeof line, f)) {
      if (std::strncmp(line, "se.sum_exec_runtime", 19) == 0) {
        const char* colon = std::strchr(line, ':');
        if (colon) total_ms += std::atof(colon + 1), any = true;
      }
    }
    std::fclose(f);
  }
  closedir(d);
  return any ? total_ms / 1000.0 : -1;
}

struct Usage {
  double cpu_s = 0;
  long max_rss_kb = 0;
};

Usage finish(pid_t pid) {
  kill(pid, SIGTERM);
  int status = 0;
  rusage ru{};
  wait4(pid, &status, 0, &ru);
  Usage u;
  u.cpu_s = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
            static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  u.max_rss_kb = ru.ru_maxrss;
  return u;
}

struct Run {
  double ours_cpu = 0, ours_steady = -1, gpsd_cpu = -1, gpsd_steady = -1, floor_steady = -1;
  long ours_rss_kb = 0, gpsd_rss_kb = 0, fixes = -1;
  double steady_s = 0;
  bool gpsd_kept_up = true;
};

long read_number(int fd) {
  char text[32] = {0};
  const ssize_t n = read(fd, text, sizeof text - 1);
  return n > 0 ? std::atol(text) : -1;
}

Run run_once(int seconds, int round, bool with_floor) {
  Run r;
  Pty ours, theirs, bare;
  int out[2], floor_out[2];
  if (pipe(out) != 0 || pipe(floor_out) != 0) return r;
  const pid_t reader = spawn({"/proc/self/exe", "--child-reader", ours.path}, out[1]);
  close(out[1]);
  const pid_t floor = with_floor ? spawn({"/proc/self/exe", "--child-floor", bare.path}, floor_out[1]) : -1;
  close(floor_out[1]);
  pid_t gpsd = -1;
  if (access("/usr/sbin/gpsd", X_OK) == 0) {
    // -N foreground, -n read without waiting for a client, -b read-only
    // (never reconfigure the receiver), a private port so a system gpsd
    // does not collide.
    gpsd = spawn({"/usr/sbin/gpsd", "-N", "-n", "-b", "-S", std::to_string(mdtc::test::free_tcp_port()),
                  theirs.path},
                 -1);
  }

  const int64_t start = wall_ms() / 100 * 100 + 100;
  long epochs = 0, dropped_ours = 0, dropped_theirs = 0;
  const int warmup_epochs = seconds > 4 ? 20 : 0;
  double ours_warm = -1, theirs_warm = -1, floor_warm = -1;
  for (int64_t t = start; t < start + int64_t{seconds} * 1000; t += 100) {
    timespec ts{static_cast<time_t>(t / 1000), static_cast<long>(t % 1000) * 1'000'000};
    while (clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
    }
    const std::string bytes = epoch(t);
    auto put = [&](int fd) { return write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()); };
    if (epochs % 2 == 0) {
      dropped_ours += !put(ours.master);
      dropped_theirs += !put(theirs.master);
    } else {
      dropped_theirs += !put(theirs.master);
      dropped_ours += !put(ours.master);
    }
    if (floor > 0) put(bare.master);
    ++epochs;
    if (epochs == warmup_epochs) {
      ours_warm = sched_cpu_s(reader);
      if (floor > 0) floor_warm = sched_cpu_s(floor);
      if (gpsd > 0) theirs_warm = sched_cpu_s(gpsd);
    }
  }
  // Let the last epoch be read before the clocks are read.
  usleep(50'000);
  const double ours_end = sched_cpu_s(reader), floor_end = floor > 0 ? sched_cpu_s(floor) : -1;
  const double theirs_end = gpsd > 0 ? sched_cpu_s(gpsd) : -1;
  r.steady_s = (seconds * 1000.0 - warmup_epochs * 100.0) / 1000.0;
  const int left_ours = ours.pending(), left_theirs = theirs.pending();
  const Usage u = finish(reader);
  if (floor > 0) finish(floor);
  r.fixes = read_number(out[0]);
  const long floor_bytes = read_number(floor_out[0]);
  close(out[0]);
  close(floor_out[0]);
  r.ours_cpu = u.cpu_s;
  r.ours_rss_kb = u.max_rss_kb;
  if (warmup_epochs > 0 && ours_warm >= 0 && ours_end >= 0) r.ours_steady = ours_end - ours_warm;
  if (warmup_epochs > 0 && floor_warm >= 0 && floor_end >= 0) r.floor_steady = floor_end - floor_warm;
  const double per_epoch = 1e6 / (r.steady_s * 10.0);

  std::printf("run %d: %ld epochs (%.1f KB per reader)\n", round, epochs,
              static_cast<double>(epochs) * static_cast<double>(epoch(start).size()) / 1024.0);
  std::printf("  mdt-coresponder Reader: cpu %.3f s (%.3f%% of one core), max RSS %.1f MB, fixes %ld, "
              "unread bytes %d, dropped writes %ld\n",
              u.cpu_s, 100.0 * u.cpu_s / seconds, static_cast<double>(u.max_rss_kb) / 1024.0, r.fixes, left_ours,
              dropped_ours);
  if (r.ours_steady >= 0) {
    std::printf("  mdt-coresponder Reader steady state (%.0f s after warm-up): cpu %.4f s (%.3f%% of one core, %.1f us per epoch)\n",
                r.steady_s, r.ours_steady, 100.0 * r.ours_steady / r.steady_s, r.ours_steady * per_epoch);
  }
  if (r.floor_steady >= 0) {
    std::printf("  bare epoll+read loop, same stream (the kernel's share): cpu %.4f s (%.1f us per epoch), %ld bytes\n",
                r.floor_steady, r.floor_steady * per_epoch, floor_bytes);
  }
  if (gpsd > 0) {
    const Usage g = finish(gpsd);
    r.gpsd_cpu = g.cpu_s;
    r.gpsd_rss_kb = g.max_rss_kb;
    r.gpsd_kept_up = left_theirs <= 4096;
    std::printf("  gpsd (baseline, -N -n -b): cpu %.3f s (%.3f%% of one core), max RSS %.1f MB, "
                "unread bytes %d, dropped writes %ld%s\n",
                g.cpu_s, 100.0 * g.cpu_s / seconds, static_cast<double>(g.max_rss_kb) / 1024.0, left_theirs,
                dropped_theirs, r.gpsd_kept_up ? "" : " (gpsd did not read the stream: figures not comparable)");
    if (r.ours_steady >= 0 && theirs_warm >= 0 && theirs_end >= 0) {
      r.gpsd_steady = theirs_end - theirs_warm;
      std::printf("  gpsd steady state (%.0f s after warm-up): cpu %.4f s (%.3f%% of one core, %.1f us per epoch)\n",
                  r.steady_s, r.gpsd_steady, 100.0 * r.gpsd_steady / r.steady_s, r.gpsd_steady * per_epoch);
    }
    if (g.cpu_s > 0)
      std::printf("  cpu ratio Reader/gpsd, whole run incl. start-up: %.2f (goal <= 0.50)\n", u.cpu_s / g.cpu_s);
    if (r.gpsd_steady > 0)
      std::printf("  cpu ratio Reader/gpsd, steady state: %.2f (goal <= 0.50)\n", r.ours_steady / r.gpsd_steady);
  } else {
    std::printf("  gpsd not installed (/usr/sbin/gpsd, Debian package gpsd): no baseline this run\n");
  }
  std::fflush(stdout);
  return r;
}

void print_spread(const char* what, std::vector<double> v) {
  if (v.empty()) return;
  std::sort(v.begin(), v.end());
  std::printf("  %s: min %.2f, median %.2f, max %.2f over %zu runs (goal <= 0.50)\n", what, v.front(), v[v.size() / 2],
              v.back(), v.size());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "--child-reader") return child_reader(argv[2]);
  if (argc == 3 && std::string(argv[1]) == "--child-floor") return child_floor(argv[2]);
  int seconds = 60, runs = 1;
  bool with_floor = false;
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--seconds" && i + 1 < argc) seconds = std::atoi(argv[++i]);
    else if (std::string(argv[i]) == "--runs" && i + 1 < argc) runs = std::atoi(argv[++i]);
    else if (std::string(argv[i]) == "--floor") with_floor = true;
  }
  if (seconds <= 0 || runs <= 0) {
    std::fprintf(stderr, "usage: bench_gps [--seconds N] [--runs R] [--floor]\n");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  std::printf("bench_gps: %d s of 10 Hz GGA+RMC+GSA+VTG over a pseudo-terminal, %d run(s)\n", seconds, runs);
  std::fflush(stdout);
  std::vector<double> whole, steady;
  for (int i = 1; i <= runs; ++i) {
    const Run r = run_once(seconds, i, with_floor);
    if (r.gpsd_cpu > 0 && r.gpsd_kept_up) whole.push_back(r.ours_cpu / r.gpsd_cpu);
    if (r.gpsd_steady > 0 && r.gpsd_kept_up) steady.push_back(r.ours_steady / r.gpsd_steady);
  }
  if (runs > 1) {
    std::printf("summary:\n");
    print_spread("cpu ratio Reader/gpsd, whole run", whole);
    print_spread("cpu ratio Reader/gpsd, steady state", steady);
  }
  return 0;
}
