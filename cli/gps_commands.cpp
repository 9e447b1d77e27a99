// `mdt-coresponder gps decode|ports|monitor`: what fleet IT runs to tell a
// dead receiver from a wrong port, a wrong baud rate or a bad cable.
#include <boost/program_options.hpp>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <mutex>

#include "commands.h"
#include "mdtc/gps.h"

namespace po = boost::program_options;

namespace mdtc::cli {

namespace {

void print_counters(std::ostream& out, const gps::NmeaCounters& c) {
  out << "sentences " << c.sentences << ", checksum errors " << c.checksum_errors << ", missing checksums "
      << c.missing_checksum << ", fragments " << c.fragments << ", overlong " << c.overlong
      << ", decode errors " << c.decode_errors << ", ignored " << c.ignored << ", noise bytes "
      << c.noise_bytes << ", fixes " << c.fixes << "\n";
}

po::variables_map parse(const Args& args, const po::options_description& opts,
                        const po::positional_options_description* pos = nullptr) {
  po::variables_map vm;
  auto parser = po::command_line_parser(args).options(opts);
  if (pos) parser.positional(*pos);
  po::store(parser.run(), vm);
  po::notify(vm);
  return vm;
}

int decode(const Args& args) {
  std::string file = "-";
  po::options_description opts("gps decode [FILE|-]: NMEA or TAIP in, one JSON fix per line out");
  opts.add_options()("help,h", "show this help")("file", po::value(&file), "NMEA or TAIP capture, - for stdin")(
      "all", "also print epochs without a position (mode 0/1)")(
      "accept-missing-checksum", "accept sentences without *hh (gpsd rejects them)")(
      "stats", "print sentence and error counts to stderr at the end");
  po::positional_options_description pos;
  pos.add("file", 1);
  const auto vm = parse(args, opts, &pos);
  if (vm.count("help")) {
    std::cout << opts;
    return 0;
  }
  std::ifstream file_in;
  std::istream* in = &std::cin;
  if (file != "-") {
    file_in.open(file, std::ios::binary);
    if (!file_in) {
      std::cerr << "mdt-coresponder gps decode: cannot read " << file << "\n";
      return 1;
    }
    in = &file_in;
  }
  const bool all = vm.count("all") > 0;
  gps::StreamOptions options;
  options.accept_missing_checksum = vm.count("accept-missing-checksum") > 0;
  gps::NmeaStream stream(options);
  std::string out;
  uint64_t printed = 0;
  auto on_fix = [&](const gps::Fix& fix) {
    if (!all && fix.mode < gps::Mode::fix_2d) return;
    ++printed;
    out += gps::to_json(fix);
    out += '\n';
  };
  char buf[65536];
  while (*in) {
    in->read(buf, sizeof buf);
    const auto n = in->gcount();
    if (n <= 0) break;
    stream.feed(std::string_view(buf, static_cast<std::size_t>(n)), 0, on_fix);
    std::cout << out;
    out.clear();
  }
  stream.finish(on_fix);
  std::cout << out << std::flush;
  if (vm.count("stats")) {
    print_counters(std::cerr, stream.counters());
    if (!stream.last_error().empty()) std::cerr << "last decode error: " << stream.last_error() << "\n";
  }
  // A script reading the output must not take "nothing" for "no fixes there".
  const std::string what = file == "-" ? std::string("standard input") : file;
  if (stream.counters().sentences == 0) {
    std::cerr << "mdt-coresponder gps decode: no NMEA sentence in " << what
              << " (wrong file, or a capture at the wrong baud rate?)\n";
    return 1;
  }
  if (printed == 0) {
    std::cerr << "mdt-coresponder gps decode: " << stream.counters().sentences << " NMEA sentences in " << what
              << " but no position fix (--all prints epochs without one)\n";
    return 1;
  }
  return 0;
}

int ports(const Args& args) {
  po::options_description opts("gps ports: serial ports with description and USB vid:pid");
  opts.add_options()("help,h", "show this help");
  const auto vm = parse(args, opts);
  if (vm.count("help")) {
    std::cout << opts;
    return 0;
  }
  auto list = gps::list_ports();
  if (!list) {
    std::cerr << "mdt-coresponder gps ports: " << list.error().message << "\n";
    return 1;
  }
  if (list->empty()) {
    std::cout << "no serial ports found\n";
    return 0;
  }
  for (const auto& p : *list) {
    char vidpid[16] = "-";
    if (p.usb_vid >= 0) std::snprintf(vidpid, sizeof vidpid, "%04x:%04x", p.usb_vid, p.usb_pid);
    std::printf("%-20s %-9s %-9s %s\n", p.name.c_str(), p.transport.c_str(), vidpid, p.description.c_str());
  }
  return 0;
}

std::mutex g_monitor_mu;
std::condition_variable g_monitor_cv;
volatile std::sig_atomic_t g_interrupted = 0;
void on_interrupt(int) {
  g_interrupted = 1;
  // notify_all is not async-signal-safe; the waiting loop polls the flag.
}

int monitor(const Args& args) {
  gps::ReaderOptions options;
  int count = 0, seconds = 0;
  po::options_description opts("gps monitor --port P [--baud N|auto]: live fixes and sentence counts");
  opts.add_options()("help,h", "show this help")("port", po::value(&options.port)->default_value("auto"),
                                                  "device path, auto, tcp://HOST:PORT or udp://[ADDR]:PORT")(
      "baud", po::value(&options.baud)->default_value("auto"), "4800 .. 115200 or auto")(
      "count", po::value(&count), "stop after N fixes with a position")(
      "seconds", po::value(&seconds), "stop after N seconds");
  const auto vm = parse(args, opts);
  if (vm.count("help")) {
    std::cout << opts;
    return 0;
  }
  int fixes = 0;
  gps::Reader reader(
      options,
      [&](const gps::Fix& fix) {
        std::lock_guard lock(g_monitor_mu);
        std::cout << gps::to_json(fix) << std::endl;
        if (fix.mode >= gps::Mode::fix_2d) ++fixes;
        g_monitor_cv.notify_all();
      },
      [&](const gps::ReaderStatus& s) {
        std::lock_guard lock(g_monitor_mu);
        // Which source and protocol are in use, so fleet IT can tell the
        // router's stream from a USB puck's.
        std::cerr << "gps: " << (s.connected ? "connected" : "not connected") << " port=" << s.port;
        if (!s.source.empty()) std::cerr << " source=\"" << s.source << '"';
        if (s.baud > 0) std::cerr << " baud=" << s.baud;
        std::cerr << " protocol=" << gps::protocol_name(s.protocol) << (s.stale ? " stale" : "") << ": " << s.detail
                  << std::endl;
      });
  if (auto started = reader.start(); !started) {
    std::cerr << "mdt-coresponder gps monitor: " << started.error().message << "\n";
    return 2;
  }
  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
  const auto start = std::chrono::steady_clock::now();
  auto last_counts = start;
  {
    std::unique_lock lock(g_monitor_mu);
    while (!g_interrupted) {
      if (count > 0 && fixes >= count) break;
      const auto now = std::chrono::steady_clock::now();
      if (seconds > 0 && now - start >= std::chrono::seconds(seconds)) break;
      if (now - last_counts >= std::chrono::seconds(5)) {
        last_counts = now;
        std::cerr << "gps: ";
        print_counters(std::cerr, reader.status().counters);
      }
      // Wakes on each fix; the timeout bounds how late a signal is seen.
      g_monitor_cv.wait_for(lock, std::chrono::milliseconds(200));
    }
  }
  reader.stop();
  std::cerr << "gps: ";
  print_counters(std::cerr, reader.status().counters);
  if (count > 0 && fixes < count) {
    std::cerr << "mdt-coresponder gps monitor: " << fixes << " of " << count << " fixes with a position"
              << (g_interrupted ? " before the interrupt" : " within " + std::to_string(seconds) + " s") << "\n";
    return 1;
  }
  return 0;
}

}  // namespace

int gps_command(const Args& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    (args.empty() ? std::cerr : std::cout)
        << "usage: mdt-coresponder gps decode [FILE|-] [--all] [--accept-missing-checksum] [--stats]\n"
           "       mdt-coresponder gps ports\n"
           "       mdt-coresponder gps monitor [--port P|auto|tcp://HOST:PORT|udp://[ADDR]:PORT] [--baud N|auto] [--count N] [--seconds N]\n"
           "  decode   exit 1 when the input holds no NMEA or no fix to print\n"
           "  monitor  exit 1 when --count fixes did not arrive\n"
           "  SUBCOMMAND --help lists each option\n";
    return args.empty() ? 2 : 0;
  }
  const Args rest(args.begin() + 1, args.end());
  try {
    if (args[0] == "decode") return decode(rest);
    if (args[0] == "ports") return ports(rest);
    if (args[0] == "monitor") return monitor(rest);
  } catch (const po::error& e) {
    std::cerr << "mdt-coresponder gps " << args[0] << ": " << e.what() << "\n";
    return 2;
  }
  std::cerr << "mdt-coresponder gps: unknown subcommand '" << args[0] << "' (decode, ports, monitor)\n";
  return 2;
}

}  // namespace mdtc::cli
