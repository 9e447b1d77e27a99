// CPU time and memory of the GPS Reader consuming a 10 Hz GGA+RMC+GSA+VTG
// stream through a pseudo-terminal, beside Debian's gpsd reading the same
// stream through a second pty in the same run.
//
//   bench_gps [--seconds N]      (default 60)
//
// Each reader runs as its own process so wait4() gives its exact CPU time
// and peak RSS; this program only writes the stream.
#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <spawn.h>
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
  }
  int pending() const {
    int n = 0;
    ioctl(slave, FIONREAD, &n);
    return n;
  }
};

pid_t spawn(const std::vector<std::string>& args, int stdout_fd) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (stdout_fd >= 0) posix_spawn_file_actions_adddup2(&actions, stdout_fd, STDOUT_FILENO);
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

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "--child-reader") return child_reader(argv[2]);
  int seconds = 60;
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--seconds" && i + 1 < argc) seconds = std::atoi(argv[++i]);
  }
  if (seconds <= 0) {
    std::fprintf(stderr, "usage: bench_gps [--seconds N]\n");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  Pty ours, theirs;
  int out[2];
  if (pipe(out) != 0) return 1;
  const pid_t reader = spawn({"/proc/self/exe", "--child-reader", ours.path}, out[1]);
  close(out[1]);
  const bool have_gpsd = access("/usr/sbin/gpsd", X_OK) == 0;
  pid_t gpsd = -1;
  if (have_gpsd) {
    // -N foreground, -n read without waiting for a client, -b read-only
    // (never reconfigure the receiver), a private port so a system gpsd
    // does not collide.
    gpsd = spawn({"/usr/sbin/gpsd", "-N", "-n", "-b", "-S", std::to_string(mdtc::test::free_tcp_port()),
                  theirs.path},
                 -1);
  }
  std::printf("bench_gps: %d s of 10 Hz GGA+RMC+GSA+VTG over a pseudo-terminal\n", seconds);
  std::fflush(stdout);

  const int64_t start = wall_ms() / 100 * 100 + 100;
  long epochs = 0, dropped_ours = 0, dropped_theirs = 0;
  // Steady state: CPU between the end of a 2 s warm-up and the last epoch,
  // so process start-up (dynamic linking, gpsd's set-up) is left out.
  const int warmup_epochs = seconds > 4 ? 20 : 0;
  double ours_warm = -1, theirs_warm = -1;
  for (int64_t t = start; t < start + int64_t{seconds} * 1000; t += 100) {
    timespec ts{static_cast<time_t>(t / 1000), static_cast<long>(t % 1000) * 1'000'000};
    while (clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
    }
    const std::string bytes = epoch(t);
    if (write(ours.master, bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size())) ++dropped_ours;
    if (write(theirs.master, bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size())) ++dropped_theirs;
    ++epochs;
    if (epochs == warmup_epochs) {
      ours_warm = sched_cpu_s(reader);
      if (gpsd > 0) theirs_warm = sched_cpu_s(gpsd);
    }
  }
  const double ours_end = sched_cpu_s(reader);
  const double theirs_end = gpsd > 0 ? sched_cpu_s(gpsd) : -1;
  const double steady_s = (seconds * 1000.0 - warmup_epochs * 100.0) / 1000.0;
  // Unread bytes left in each pty show whether the reader kept up at all.
  const int left_ours = ours.pending(), left_theirs = theirs.pending();
  const Usage u = finish(reader);
  char fixes_text[32] = {0};
  const ssize_t n = read(out[0], fixes_text, sizeof fixes_text - 1);
  const long fixes = n > 0 ? std::atol(fixes_text) : -1;

  std::printf("  epochs written: %ld (%.1f KB per reader)\n", epochs, static_cast<double>(epochs) * static_cast<double>(epoch(start).size()) / 1024.0);
  std::printf("  mdt-coresponder Reader: cpu %.3f s (%.3f%% of one core), max RSS %.1f MB, fixes %ld, "
              "unread bytes %d, dropped writes %ld\n",
              u.cpu_s, 100.0 * u.cpu_s / seconds, static_cast<double>(u.max_rss_kb) / 1024.0, fixes, left_ours, dropped_ours);
  const bool steady = ours_warm >= 0 && ours_end >= 0 && warmup_epochs > 0;
  if (steady) {
    std::printf("  mdt-coresponder Reader steady state (%.0f s after warm-up): cpu %.4f s (%.3f%% of one core)\n",
                steady_s, ours_end - ours_warm, 100.0 * (ours_end - ours_warm) / steady_s);
  }
  if (gpsd > 0) {
    const Usage g = finish(gpsd);
    std::printf("  gpsd (baseline, -N -n -b): cpu %.3f s (%.3f%% of one core), max RSS %.1f MB, "
                "unread bytes %d, dropped writes %ld%s\n",
                g.cpu_s, 100.0 * g.cpu_s / seconds, static_cast<double>(g.max_rss_kb) / 1024.0, left_theirs, dropped_theirs,
                left_theirs > 4096 ? " (gpsd did not read the stream: figures not comparable)" : "");
    const bool g_steady = steady && theirs_warm >= 0 && theirs_end >= 0;
    if (g_steady) {
      std::printf("  gpsd steady state (%.0f s after warm-up): cpu %.4f s (%.3f%% of one core)\n", steady_s,
                  theirs_end - theirs_warm, 100.0 * (theirs_end - theirs_warm) / steady_s);
    }
    if (g.cpu_s > 0)
      std::printf("  cpu ratio Reader/gpsd, whole run incl. start-up: %.2f (goal <= 0.50)\n", u.cpu_s / g.cpu_s);
    if (g_steady && theirs_end - theirs_warm > 0)
      std::printf("  cpu ratio Reader/gpsd, steady state: %.2f (goal <= 0.50)\n",
                  (ours_end - ours_warm) / (theirs_end - theirs_warm));
  } else {
    std::printf("  gpsd not installed (/usr/sbin/gpsd, Debian package gpsd): no baseline this run\n");
  }
  return 0;
}
