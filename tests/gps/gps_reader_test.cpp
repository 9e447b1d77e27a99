// The serial reader over real pseudo-terminals and the real stub-gps.
#include <gtest/gtest.h>
#include <termios.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <thread>

#include "gps_test_support.h"
#include "mdtc/gps.h"
#include "serial_port.h"
#include "temp_dir.h"

namespace mdtc::gps {
namespace {

using namespace std::chrono_literals;
using test::Collector;
using test::Pty;
using test::StubGps;

speed_t speed_of(int baud) {
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

class ReaderAtFixedBaud : public ::testing::TestWithParam<int> {};

TEST_P(ReaderAtFixedBaud, ReadsFixesFromANamedPort) {
  Pty pty;
  Collector c;
  ReaderOptions o;
  o.port = pty.path();
  o.baud = std::to_string(GetParam());
  Reader reader(o, c.fix_handler(), c.status_handler());
  ASSERT_TRUE(reader.start().ok());
  ASSERT_TRUE(c.wait_connected(true));
  EXPECT_EQ(pty.line_speed(), speed_of(GetParam())) << "the reader sets the line rate";
  pty.write(test::epoch(100000) + test::epoch(100001) + test::epoch(100002));
  ASSERT_TRUE(c.wait_fixes(2));
  const Fix f = c.fixes().front();
  EXPECT_EQ(f.mode, Mode::fix_3d);
  EXPECT_NEAR(*f.lat, 39.8012, 1e-6);
  EXPECT_NEAR(*f.lon, -89.6437, 1e-6);
  EXPECT_EQ(format_time_utc(*f.time_ms), "2026-11-22T10:00:00.000Z");
  const ReaderStatus s = reader.status();
  EXPECT_EQ(s.port, pty.path());
  EXPECT_EQ(s.baud, GetParam());
  reader.stop();
}

INSTANTIATE_TEST_SUITE_P(Bauds, ReaderAtFixedBaud, ::testing::Values(4800, 9600, 19200, 38400, 57600, 115200));

TEST(Reader, GarbageOnTheLineIsCountedAndFixesStillArrive) {
  Pty pty;
  Collector c;
  ReaderOptions o;
  o.port = pty.path();
  o.baud = "9600";
  Reader reader(o, c.fix_handler(), c.status_handler());
  ASSERT_TRUE(reader.start().ok());
  ASSERT_TRUE(c.wait_connected(true));
  std::string bad = test::epoch(100000);
  bad[bad.find('*') + 1] = bad[bad.find('*') + 1] == '0' ? '1' : '0';  // break the first checksum
  pty.write(std::string("\0\0\xff\xfe noise $$", 14) + bad + "$GPGGA,10000" + test::epoch(100001) +
            std::string(300, 'Z') + "\r\n" + test::epoch(100002) + test::epoch(100003));
  ASSERT_TRUE(c.wait_fixes(2));
  ASSERT_TRUE(c.wait_for([&](const auto&, const auto&) { return reader.status().counters.checksum_errors >= 1; }, 5s));
  const NmeaCounters n = reader.status().counters;
  EXPECT_EQ(n.checksum_errors, 1u);
  EXPECT_GE(n.fragments, 1u);
  EXPECT_GE(n.noise_bytes, 4u);
}

TEST(Reader, StaysPutWhenTheNamedPortIsMissingAndSaysSo) {
  mdtc::test::TempDir dir;
  Collector c;
  ReaderOptions o;
  o.port = dir.file("ttyGPS");
  o.baud = "9600";
  Reader reader(o, c.fix_handler(), c.status_handler());
  ASSERT_TRUE(reader.start().ok());
  ASSERT_TRUE(c.wait_for([](const auto&, const auto& s) {
    return !s.empty() && s.back().detail.find("does not exist") != std::string::npos;
  }));
  const ReaderStatus s = reader.status();
  EXPECT_FALSE(s.connected);
  EXPECT_NE(s.detail.find(o.port), std::string::npos) << s.detail;
}

TEST(Reader, OpenErrorsNameThePortAndTheRemedy) {
  const Error perm = describe_open_error("/dev/ttyUSB0", EACCES);
  EXPECT_EQ(perm.code, "gps.permission");
  EXPECT_NE(perm.message.find("/dev/ttyUSB0"), std::string::npos);
  EXPECT_NE(perm.message.find("dialout"), std::string::npos);
  const Error busy = describe_open_error("/dev/ttyACM0", EBUSY);
  EXPECT_EQ(busy.code, "gps.busy");
  EXPECT_NE(busy.message.find("/dev/ttyACM0"), std::string::npos);
  EXPECT_NE(busy.message.find("another program"), std::string::npos);
  EXPECT_EQ(describe_open_error("/dev/ttyUSB9", ENOENT).code, "gps.not_found");
}

TEST(Reader, PermissionDeniedReachesTheStatus) {
  if (::geteuid() == 0) GTEST_SKIP() << "root bypasses file permissions";
  mdtc::test::TempDir dir;
  // A private copy of the device node cannot be made without privileges,
  // so use a file the user cannot read: open() fails the same way.
  const std::string locked = dir.file("ttyLocked");
  mdtc::test::write_file(locked, "");
  std::filesystem::permissions(locked, std::filesystem::perms::none);
  Collector c;
  ReaderOptions o;
  o.port = locked;
  o.baud = "9600";
  Reader reader(o, c.fix_handler(), c.status_handler());
  ASSERT_TRUE(reader.start().ok());
  ASSERT_TRUE(c.wait_for([](const auto&, const auto& s) {
    return !s.empty() && s.back().detail.find("dialout") != std::string::npos;
  }));
}

TEST(Reader, RejectsABadBaudAtStart) {
  ReaderOptions o;
  o.port = "/dev/null";
  o.baud = "9601";
  Reader reader(o, nullptr, nullptr);
  auto s = reader.start();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "gps.bad_baud");
  EXPECT_NE(s.error().message.find("9601"), std::string::npos);
  EXPECT_NE(s.error().message.find("115200"), std::string::npos);
}

TEST(Reader, StartAndStopAreSafeToRepeat) {
  Pty pty;
  Collector c;
  ReaderOptions o;
  o.port = pty.path();
  o.baud = "9600";
  Reader reader(o, c.fix_handler(), c.status_handler());
  ASSERT_TRUE(reader.start().ok());
  ASSERT_TRUE(reader.start().ok());
  reader.stop();
  reader.stop();
  ASSERT_TRUE(reader.start().ok());
  ASSERT_TRUE(c.wait_for([&](const auto&, const auto&) { return reader.status().connected; }));
  pty.write(test::epoch(100000) + test::epoch(100001) + test::epoch(100002));
  EXPECT_TRUE(c.wait_fixes(2));
  reader.stop();
  EXPECT_FALSE(reader.status().connected);
}

TEST(Reader, StopReturnsPromptlyWhileProbingASilentPort) {
  Pty pty;  // never writes
  Collector c;
  ReaderOptions o;
  o.port = pty.path();
  o.baud = "auto";
  o.probe_window_ms = 60'000;
  Reader reader(o, c.fix_handler(), c.status_handler());
  ASSERT_TRUE(reader.start().ok());
  ASSERT_TRUE(c.wait_for([](const auto&, const auto& s) {
    return !s.empty() && s.back().detail.find("probing") != std::string::npos;
  }));
  const auto t0 = std::chrono::steady_clock::now();
  reader.stop();
  // Far below the probe window: stop() wakes the thread, it does not wait it out.
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
}

TEST(Reader, AutoBaudFindsTheRateWhereChecksummedSentencesArrive) {
  StubGps stub({"--baud", "38400", "--rate-hz", "5"});
  Collector c;
  ReaderOptions o;
  o.port = stub.port();
  o.baud = "auto";
  o.probe_window_ms = 800;  // several 5 Hz cycles per rate
  Reader reader(o, c.fix_handler(), c.status_handler());
  ASSERT_TRUE(reader.start().ok());
  ASSERT_TRUE(c.wait_fixes(1, 30s));
  const ReaderStatus s = reader.status();
  EXPECT_EQ(s.baud, 38400);
  EXPECT_TRUE(s.connected);
  // The wrong rates were tried first and saw only garbage.
  bool probed_4800 = false;
  for (const auto& st : c.statuses()) probed_4800 |= st.detail.find("at 4800 baud") != std::string::npos;
  EXPECT_TRUE(probed_4800);
}

TEST(Reader, FixedWrongBaudReportsSilenceInsteadOfFixes) {
  StubGps stub({"--baud", "38400", "--rate-hz", "5"});
  Collector c;
  ReaderOptions o;
  o.port = stub.port();
  o.baud = "9600";
  Reader reader(o, c.fix_handler(), c.status_handler());
  ASSERT_TRUE(reader.start().ok());
  ASSERT_TRUE(c.wait_for([](const auto&, const auto& s) {
    return !s.empty() && s.back().detail.find("no NMEA") != std::string::npos;
  }));
  EXPECT_EQ(Collector::positioned(c.fixes()), 0u);
  EXPECT_GT(reader.status().counters.noise_bytes, 0u);
}

// At a fixed rate, and with the rate detected (the last good one is tried
// first when the device returns).
class ReaderHotPlug : public ::testing::TestWithParam<const char*> {};

TEST_P(ReaderHotPlug, ResumesWithoutRestartWhenTheDeviceVanishesAndReturns) {
  mdtc::test::TempDir dir;
  const std::string link = dir.file("gps0");
  Collector c;
  ReaderOptions o;
  o.port = link;
  o.baud = GetParam();
  auto stub = std::make_unique<StubGps>(std::vector<std::string>{"--link", link, "--rate-hz", "5"});
  Reader reader(o, c.fix_handler(), c.status_handler());
  ASSERT_TRUE(reader.start().ok());
  ASSERT_TRUE(c.wait_fixes(1));

  stub->stop();  // unplugged: the pty and its link are gone
  ASSERT_TRUE(c.wait_connected(false));
  // The stub stamps fixes with the wall clock: anything later is new (the
  // old stub's last cycle, flushed at the hang-up, is stamped no later).
  const int64_t unplugged_at = std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count();

  stub = std::make_unique<StubGps>(std::vector<std::string>{"--link", link, "--rate-hz", "5"});
  const auto back = std::chrono::steady_clock::now();
  ASSERT_TRUE(c.wait_for(
      [&](const auto& fixes, const auto&) {
        for (const auto& f : fixes)
          if (f.mode >= Mode::fix_2d && f.time_ms && *f.time_ms > unplugged_at) return true;
        return false;
      },
      15s));
  EXPECT_LT(std::chrono::steady_clock::now() - back, 5s) << "resume within 5 s of the device returning";
  EXPECT_TRUE(reader.status().connected) << [&] {
    std::string all;
    for (const auto& st : c.statuses()) all += (st.connected ? "up: " : "down: ") + st.detail + "\n";
    for (const auto& f : c.fixes()) all += to_json(f) + "\n";
    all += "unplugged at " + format_time_utc(unplugged_at) + "\n";
    return all;
  }();
}

INSTANTIATE_TEST_SUITE_P(Bauds, ReaderHotPlug, ::testing::Values("9600", "auto"));

TEST(Reader, AutoBaudLeavesAWrongRateAsSoonAsItsGarbageArrives) {
  // A window far longer than the test's deadline: the rate can only be
  // found in time if the wrong rates are left on their garbage, and the
  // right one on its first good sentence, rather than on the window.
  StubGps stub({"--baud", "38400", "--rate-hz", "2"});
  Collector c;
  ReaderOptions o;
  o.port = stub.port();
  o.baud = "auto";
  o.probe_window_ms = 120'000;
  Reader reader(o, c.fix_handler(), c.status_handler());
  ASSERT_TRUE(reader.start().ok());
  ASSERT_TRUE(c.wait_fixes(1, 60s));
  EXPECT_EQ(reader.status().baud, 38400);
}

TEST(Reader, ASilentPortIsProbedAtOneRateNotAll) {
  Pty silent;
  StubGps stub({"--rate-hz", "5"});
  Collector c;
  ReaderOptions o;
  o.port = "auto";
  o.baud = "auto";
  o.probe_ports = {silent.path(), stub.port()};
  o.probe_window_ms = 400;
  Reader reader(o, c.fix_handler(), c.status_handler());
  ASSERT_TRUE(reader.start().ok());
  ASSERT_TRUE(c.wait_fixes(1, 30s));
  EXPECT_EQ(reader.status().port, stub.port());
  std::size_t silent_probes = 0;
  for (const auto& st : c.statuses()) {
    if (st.connected) break;
    silent_probes += st.detail.rfind("probing " + silent.path() + " at", 0) == 0;
  }
  EXPECT_EQ(silent_probes, 1u) << "no bytes at the first rate means none at any: move on";
}

// An auto-baud reader on `pty` while a simulated receiver calls `cycle`
// with its clock every 100 ms (until `done`), until the first fix or 30 s.
// Says whether a fix came and where the reader ended; its statuses stay in `c`.
struct AutoBaudRun {
  bool found = false;
  ReaderStatus status;
};
AutoBaudRun run_auto_baud(Pty& pty, int probe_window_ms, Collector& c,
                          const std::function<void(int t, const std::atomic<bool>& done)>& cycle) {
  std::atomic<bool> done{false};
  std::thread receiver([&] {
    for (int t = 100000; !done; ++t) {
      cycle(t, done);
      std::this_thread::sleep_for(100ms);  // a 10 Hz receiver's cadence, not a synchronisation
    }
  });
  ReaderOptions o;
  o.port = pty.path();
  o.baud = "auto";
  o.probe_window_ms = probe_window_ms;
  o.reconnect_ms = 50;
  Reader reader(o, c.fix_handler(), c.status_handler());
  AutoBaudRun run;
  if (reader.start().ok()) run.found = c.wait_fixes(1, 30s);
  reader.stop();
  done = true;
  receiver.join();
  run.status = reader.status();
  return run;
}

TEST(Reader, AnAdapterThatDropsGarbageIsStillFoundAtItsRate) {
  // Some USB adapters drop bytes with framing errors instead of passing
  // them on, so at a wrong rate the line looks silent. Each attempt then
  // starts one rate further on, and the receiver's rate comes round.
  Pty pty;
  Collector c;
  const AutoBaudRun run = run_auto_baud(pty, 300, c, [&](int t, const std::atomic<bool>&) {
    if (pty.line_speed() == B38400) pty.write(test::epoch(t));
  });
  ASSERT_TRUE(run.found);
  EXPECT_EQ(run.status.baud, 38400);
}

TEST(Reader, ARateLockedOnOneStraySentenceIsProbedAgain) {
  // Behind an adapter that drops garbage, one sentence that framed by chance
  // at a wrong rate (here 9600, the first tried) locked it, and the line
  // then stayed silent there for good. Silence with nothing heard since the
  // lock probes again, and the last good rate does not stay first.
  Pty pty;
  Collector c;
  std::atomic<bool> stray_sent{false};
  const AutoBaudRun run = run_auto_baud(pty, 300, c, [&](int t, const std::atomic<bool>&) {
    const std::string epoch = test::epoch(t);
    const auto speed = pty.line_speed();
    if (speed == B9600 && !stray_sent.exchange(true)) pty.write(epoch.substr(0, epoch.find('\n') + 1));  // GGA alone
    if (speed == B38400) pty.write(epoch);
  });
  ASSERT_TRUE(run.found);
  EXPECT_EQ(run.status.baud, 38400);
  EXPECT_TRUE(stray_sent) << "the stray sentence was heard at 9600 first";
}

TEST(Reader, AReceiverThatLeadsWithLongBinaryMessagesIsFoundOnTheNextPass) {
  // u-blox and others can send binary messages before the NMEA of each
  // cycle. More of them than a wrong rate's garbage allowance gets the
  // right rate dropped early once; the next pass listens the windows out.
  Pty pty;
  Collector c;
  const std::string binary(300, '\xb5');
  const AutoBaudRun run = run_auto_baud(pty, 400, c, [&](int t, const std::atomic<bool>& done) {
    pty.write(binary);  // at any rate: binary at 9600, garbage elsewhere
    if (pty.line_speed() == B9600) {
      // The rest of the cycle only once the reader has taken the binary
      // part, so it sees the two separately, as from a slow line.
      for (int i = 0; i < 200 && pty.pending() > 0 && !done; ++i) std::this_thread::sleep_for(5ms);
      // A pty passes any rate's bytes unchanged; a real line at another
      // rate would not, so only a reader still at 9600 gets the NMEA.
      if (pty.line_speed() == B9600) pty.write(test::epoch(t));
    }
  });
  ASSERT_TRUE(run.found);
  EXPECT_EQ(run.status.baud, 9600);
  std::size_t failed_passes = 0;
  for (const auto& st : c.statuses()) {
    if (st.connected) break;
    failed_passes += st.detail.find("no NMEA at 4800-115200") != std::string::npos;
  }
  EXPECT_LE(failed_passes, 1u) << "the pass after one that heard only junk listens the windows out";
}

TEST(Reader, AutoPortPicksThePortThatSpeaksNmea) {
  Pty silent;
  StubGps stub({"--rate-hz", "5"});
  Collector c;
  ReaderOptions o;
  o.port = "auto";
  o.baud = "9600";
  o.probe_ports = {silent.path(), stub.port()};
  o.probe_window_ms = 800;
  Reader reader(o, c.fix_handler(), c.status_handler());
  ASSERT_TRUE(reader.start().ok());
  ASSERT_TRUE(c.wait_fixes(1));
  EXPECT_EQ(reader.status().port, stub.port());
}

TEST(Reader, MarksThePositionStaleWhenFixesStop) {
  Pty pty;
  Collector c;
  ReaderOptions o;
  o.port = pty.path();
  o.baud = "9600";
  o.stale_after_s = 1;
  Reader reader(o, c.fix_handler(), c.status_handler());
  ASSERT_TRUE(reader.start().ok());
  ASSERT_TRUE(c.wait_connected(true));
  pty.write(test::epoch(100000) + test::epoch(100001));
  ASSERT_TRUE(c.wait_for([](const auto&, const auto& s) { return !s.empty() && !s.back().stale; }));
  // Nothing more is written: within a second or so the status turns stale.
  ASSERT_TRUE(c.wait_for([](const auto&, const auto& s) { return !s.empty() && s.back().stale; }));
  EXPECT_TRUE(reader.status().stale);
}

TEST(Reader, PositionTurnsStaleWhileTheDeviceIsAway) {
  mdtc::test::TempDir dir;
  const std::string link = dir.file("gps0");
  Collector c;
  ReaderOptions o;
  o.port = link;
  o.baud = "9600";
  o.stale_after_s = 1;
  auto stub = std::make_unique<StubGps>(std::vector<std::string>{"--link", link, "--rate-hz", "5"});
  Reader reader(o, c.fix_handler(), c.status_handler());
  ASSERT_TRUE(reader.start().ok());
  ASSERT_TRUE(c.wait_for([](const auto&, const auto& s) { return !s.empty() && !s.back().stale; }));
  stub.reset();  // unplugged, and it stays away
  ASSERT_TRUE(c.wait_for([](const auto&, const auto& s) {
    return !s.empty() && s.back().stale && !s.back().connected;
  }));
}

// ---------------------------------------------------------------- router

bool detail_has(const std::vector<ReaderStatus>& s, const std::string& text) {
  for (const auto& st : s)
    if (st.detail.find(text) != std::string::npos) return true;
  return false;
}

TEST(Reader, TcpRouterFixesArriveAndTheStatusNamesSourceAndProtocol) {
  test::TcpRouter router;
  Collector c;
  ReaderOptions o;
  o.port = router.url();
  o.stale_after_s = 1;
  Reader reader(o, c.fix_handler(), c.status_handler());
  ASSERT_TRUE(reader.start().ok());
  router.accept();
  ASSERT_TRUE(c.wait_connected(true));
  router.send(test::epoch(100000) + test::epoch(100001));
  ASSERT_TRUE(c.wait_fixes(1));
  EXPECT_NEAR(*c.fixes().front().lat, 39.8012, 1e-6);
  ASSERT_TRUE(c.wait_protocol(Protocol::nmea));
  const ReaderStatus s = reader.status();
  EXPECT_EQ(s.source, "tcp 127.0.0.1:" + std::to_string(router.port()));
  EXPECT_EQ(s.port, router.url());
  EXPECT_NE(s.detail.find("receiving NMEA from tcp 127.0.0.1:"), std::string::npos) << s.detail;
  // The same staleness rule as serial: connected but quiet goes stale.
  ASSERT_TRUE(c.wait_went_stale());
  EXPECT_TRUE(reader.status().connected);
}

TEST(Reader, TcpReconnectsWithBackOffWhenTheRouterRestartsAndFixesResume) {
  test::TcpRouter router;
  Collector c;
  ReaderOptions o;
  o.port = router.url();
  o.reconnect_ms = 50;
  Reader reader(o, c.fix_handler(), c.status_handler());
  ASSERT_TRUE(reader.start().ok());
  router.accept();
  router.send(test::epoch(100000) + test::epoch(100001));
  ASSERT_TRUE(c.wait_fixes(1));

  router.stop();  // the router reboots
  ASSERT_TRUE(c.wait_connected(false));
  // Refused while it is down: the retry period doubles (50, 100, 200 ms).
  ASSERT_TRUE(c.wait_for([](const auto&, const auto& s) { return detail_has(s, "retrying in 200 ms"); }))
      << reader.status().detail;
  EXPECT_TRUE(detail_has(c.statuses(), "connection refused") || detail_has(c.statuses(), "Connection refused"));

  const std::size_t before = Collector::positioned(c.fixes());
  router.restart();  // back, on the same port, now speaking TAIP
  router.accept();
  router.send(test::taip_pv(36005));
  ASSERT_TRUE(c.wait_fixes(before + 1));
  ASSERT_TRUE(c.wait_protocol(Protocol::taip));
  EXPECT_TRUE(reader.status().connected);
  const Fix last = c.fixes().back();
  EXPECT_NEAR(*last.speed_mps, 26 * 0.44704, 1e-9);
  ASSERT_TRUE(last.time_ms) << "the system clock dates a TAIP time of day";
  EXPECT_EQ(format_time_utc(*last.time_ms).substr(11), "10:00:05.000Z");
}

TEST(Reader, UdpListenerDecodesTaipGoesStaleAndResumesWhenTheSenderRestarts) {
  Collector c;
  ReaderOptions o;
  o.port = "udp://127.0.0.1:0";
  o.stale_after_s = 1;
  Reader reader(o, c.fix_handler(), c.status_handler());
  ASSERT_TRUE(reader.start().ok());
  ASSERT_TRUE(c.wait_connected(true));
  const std::string source = reader.status().source;
  ASSERT_EQ(source.rfind("udp 127.0.0.1:", 0), 0u) << source;
  const int port = std::stoi(source.substr(source.rfind(':') + 1));
  {
    test::UdpSender sender(port);
    // Two reports in one datagram, then one per datagram.
    sender.send(test::taip_pv(36000) + test::taip_pv(36001));
    sender.send(test::taip_pv(36002));
    ASSERT_TRUE(c.wait_fixes(3));
  }  // the sender goes away (router restarting)
  ASSERT_TRUE(c.wait_went_stale());
  EXPECT_EQ(reader.status().protocol, Protocol::taip);
  test::UdpSender restarted(port);
  restarted.send(test::taip_pv(36010));
  ASSERT_TRUE(c.wait_fixes(4));
  ASSERT_TRUE(c.wait_for([](const auto&, const auto& s) { return !s.empty() && !s.back().stale; }));
  EXPECT_EQ(reader.status().counters.noise_bytes, 0u);
}

TEST(Reader, SerialTaipIsDecodedAndNamed) {
  Pty pty;
  Collector c;
  ReaderOptions o;
  o.port = pty.path();
  o.baud = "9600";
  Reader reader(o, c.fix_handler(), c.status_handler());
  ASSERT_TRUE(reader.start().ok());
  ASSERT_TRUE(c.wait_connected(true));
  pty.write(test::taip_pv(36000));
  ASSERT_TRUE(c.wait_fixes(1));
  ASSERT_TRUE(c.wait_protocol(Protocol::taip));
  EXPECT_EQ(reader.status().source, "serial " + pty.path());
  EXPECT_EQ(reader.status().detail, "receiving TAIP at 9600 baud");
}

TEST(Reader, MalformedNetworkPortIsRefusedAtStart) {
  for (const char* bad : {"tcp://router", "tcp://:9001", "udp://host:99999", "tcp://fe80::1:9001"}) {
    ReaderOptions o;
    o.port = bad;
    Reader reader(o, nullptr, nullptr);
    auto started = reader.start();
    ASSERT_FALSE(started.ok()) << bad;
    EXPECT_EQ(started.error().code, "gps.bad_port") << bad;
  }
}

}  // namespace
}  // namespace mdtc::gps
