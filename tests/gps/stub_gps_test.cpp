// stub-gps, the simulated receiver the demo and the reader tests rely on:
// its route logic directly, and the program itself over its pty.
#include <gtest/gtest.h>
#include <poll.h>

#include <chrono>
#include <filesystem>

#include "gps_test_support.h"
#include "route.h"
#include "serial_port.h"
#include "temp_dir.h"

namespace mdtc::gps {
namespace {

using namespace std::chrono_literals;

TEST(StubRoute, ParsesLatLonLinesSkippingCommentsAndBlanks) {
  auto r = stub_gps::parse_route("# downtown\n39.8012,-89.6437\n\n39.7950,-89.6500\r\n");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 2u);
  EXPECT_DOUBLE_EQ((*r)[1].lon, -89.65);
}

TEST(StubRoute, RejectsMalformedLinesNamingTheLine) {
  auto r = stub_gps::parse_route("39.8012,-89.6437\n39.8x,-89.6\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "route.bad_line");
  EXPECT_NE(r.error().message.find("line 2"), std::string::npos);
  EXPECT_FALSE(stub_gps::parse_route("91,0\n").ok());
  EXPECT_EQ(stub_gps::parse_route("# nothing\n").error().code, "route.empty");
}

TEST(StubRoute, DrivesTheLegsInOrderAndLoops) {
  // 0.01 degrees of latitude north is ~1112 m at course 0.
  stub_gps::Route route({{39.80, -89.64}, {39.81, -89.64}});
  EXPECT_NEAR(route.length_m(), 2 * 1111.9, 2.0);
  const auto mid = route.at(556);
  EXPECT_NEAR(mid.lat, 39.805, 1e-4);
  EXPECT_NEAR(mid.course_deg, 0.0, 1e-6);
  const auto back = route.at(route.length_m() * 0.75);
  EXPECT_NEAR(back.lat, 39.805, 1e-4);
  EXPECT_NEAR(back.course_deg, 180.0, 1e-6);
  const auto looped = route.at(route.length_m() + 556);
  EXPECT_NEAR(looped.lat, mid.lat, 1e-9);
}

// Reads the stub's port until n positioned fixes decode (or the deadline).
std::vector<Fix> read_fixes(const std::string& port, std::size_t n, NmeaCounters& counters) {
  auto opened = SerialPort::open(port, 9600);
  EXPECT_TRUE(opened.ok()) << (opened.ok() ? "" : opened.error().message);
  if (!opened) return {};
  SerialPort p = std::move(opened).value();
  NmeaStream stream;
  std::vector<Fix> fixes;
  const auto deadline = std::chrono::steady_clock::now() + 15s;
  char buf[1024];
  while (fixes.size() < n && std::chrono::steady_clock::now() < deadline) {
    pollfd pfd{p.fd(), POLLIN, 0};
    if (::poll(&pfd, 1, 500) <= 0) continue;
    auto got = p.read_some(buf, sizeof buf);
    if (!got) break;
    stream.feed(std::string_view(buf, *got), 0, [&](const Fix& f) {
      if (f.mode >= Mode::fix_2d) fixes.push_back(f);
    });
  }
  counters = stream.counters();
  return fixes;
}

TEST(StubGps, WritesChecksummedNmeaForTheDefaultSpringfieldRoute) {
  test::StubGps stub({"--rate-hz", "5"});
  NmeaCounters c;
  const auto fixes = read_fixes(stub.port(), 3, c);
  ASSERT_GE(fixes.size(), 3u);
  for (const auto& f : fixes) {
    EXPECT_EQ(f.mode, Mode::fix_3d);
    EXPECT_NEAR(*f.lat, 39.80, 0.02);
    EXPECT_NEAR(*f.lon, -89.64, 0.02);
    EXPECT_NEAR(*f.speed_mps, 13.4, 0.01);
    EXPECT_TRUE(f.time_ms.has_value());
  }
  EXPECT_EQ(c.checksum_errors, 0u);
  EXPECT_EQ(c.decode_errors, 0u);
  EXPECT_EQ(c.ignored, 0u) << "GGA, GSA, RMC and VTG only";
}

TEST(StubGps, LinkPointsAtThePtyAndIsRemovedOnExit) {
  mdtc::test::TempDir dir;
  const std::string link = dir.file("gps0");
  {
    test::StubGps stub({"--link", link, "--rate-hz", "5"});
    EXPECT_EQ(stub.port(), link);
    EXPECT_TRUE(std::filesystem::is_symlink(link));
    EXPECT_EQ(stub.stop(), 0) << "exit status after SIGTERM";
  }
  EXPECT_FALSE(std::filesystem::exists(std::filesystem::symlink_status(link)));
}

TEST(StubGps, FollowsARouteFile) {
  mdtc::test::TempDir dir;
  const std::string route = dir.file("route.txt");
  mdtc::test::write_file(route, "# a short loop elsewhere in town\n39.7000,-89.5000\n39.7010,-89.5000\n");
  test::StubGps stub({"--route", route, "--rate-hz", "5", "--speed-mps", "5"});
  NmeaCounters c;
  const auto fixes = read_fixes(stub.port(), 2, c);
  ASSERT_GE(fixes.size(), 2u);
  EXPECT_NEAR(*fixes[0].lat, 39.7005, 0.001);
  EXPECT_NEAR(*fixes[0].lon, -89.5, 1e-6);
}

TEST(StubGps, RefusesABadRouteFile) {
  mdtc::test::TempDir dir;
  const std::string route = dir.file("route.txt");
  mdtc::test::write_file(route, "not a coordinate\n");
  EXPECT_THROW(test::StubGps({"--route", route}), std::runtime_error);
}

TEST(StubGps, AsTheRoutersTcpServerItFeedsTaipToTheReader) {
  test::StubGps stub({"--tcp", "0", "--taip", "--rate-hz", "5"});
  ASSERT_EQ(stub.port().rfind("tcp://127.0.0.1:", 0), 0u) << stub.port();
  test::Collector c;
  ReaderOptions o;
  o.port = stub.port();
  Reader reader(o, c.fix_handler(), c.status_handler());
  ASSERT_TRUE(reader.start().ok());
  ASSERT_TRUE(c.wait_fixes(2));
  ASSERT_TRUE(c.wait_protocol(Protocol::taip));
  const Fix f = c.fixes().back();
  EXPECT_NEAR(*f.lat, 39.80, 0.05);  // the Springfield loop
  EXPECT_TRUE(f.time_ms);
}

TEST(StubGps, AsTheRoutersUdpSenderItReachesAListeningReader) {
  test::Collector c;
  ReaderOptions o;
  o.port = "udp://127.0.0.1:0";
  Reader reader(o, c.fix_handler(), c.status_handler());
  ASSERT_TRUE(reader.start().ok());
  ASSERT_TRUE(c.wait_connected(true));
  const std::string source = reader.status().source;
  test::StubGps stub({"--udp", source.substr(source.rfind(':') + 1), "--rate-hz", "5"});
  EXPECT_EQ(stub.port(), "udp://127.0.0.1:" + source.substr(source.rfind(':') + 1));
  ASSERT_TRUE(c.wait_fixes(2));
  EXPECT_EQ(reader.status().protocol, Protocol::nmea);
}

}  // namespace
}  // namespace mdtc::gps
