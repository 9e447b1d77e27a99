// The router address forms, and a NetSource over real loopback sockets.
#include "net_source.h"

#include <gtest/gtest.h>

#include "gps_test_support.h"
#include "reader_events.h"

namespace mdtc::gps {
namespace {

NetAddress parsed(std::string_view text) {
  auto a = parse_net_address(text);
  EXPECT_TRUE(a.ok()) << text << ": " << (a.ok() ? "" : a.error().message);
  return a.ok() ? *a : NetAddress{};
}

TEST(NetAddress, TcpTakesAHostNameOrAddressAndAPort) {
  auto a = parsed("tcp://192.168.0.1:9001");
  EXPECT_EQ(a.kind, NetAddress::Kind::tcp);
  EXPECT_EQ(a.host, "192.168.0.1");
  EXPECT_EQ(a.port, 9001);
  EXPECT_EQ(parsed("tcp://router.local:5000").host, "router.local");
  EXPECT_EQ(parsed("tcp://[fe80::1]:5000").host, "fe80::1");
}

TEST(NetAddress, UdpAddressIsOptional) {
  auto any = parsed("udp://:9001");
  EXPECT_EQ(any.kind, NetAddress::Kind::udp);
  EXPECT_EQ(any.host, "");
  EXPECT_EQ(any.port, 9001);
  EXPECT_EQ(parsed("udp://[::]:9001").host, "::");
  EXPECT_EQ(parsed("udp://0.0.0.0:9001").host, "0.0.0.0");
}

TEST(NetAddress, MalformedFormsAreRefusedWithTheExpectedForms) {
  for (const char* bad : {"tcp://router", "tcp://:9001", "tcp://router:0", "tcp://router:65536", "tcp://router:90x1",
                          "udp://host:", "tcp://fe80::1:9001", "tcp://[fe80::1]9001", "tcp://a b:1", "tcp://u@h:1",
                          "serial:///dev/ttyS0"}) {
    auto a = parse_net_address(bad);
    ASSERT_FALSE(a.ok()) << bad;
    EXPECT_EQ(a.error().code, "gps.bad_port");
    EXPECT_NE(a.error().message.find("tcp://HOST:PORT or udp://[ADDR]:PORT"), std::string::npos);
  }
}

TEST(NetAddress, OnlyTheTwoSchemesAreNetworkAddresses) {
  EXPECT_TRUE(is_net_address("tcp://x:1"));
  EXPECT_TRUE(is_net_address("udp://:1"));
  EXPECT_FALSE(is_net_address("/dev/ttyUSB0"));
  EXPECT_FALSE(is_net_address("auto"));
  EXPECT_FALSE(is_net_address("http://x:1"));
}

class NetSourceTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(events.open().ok()); }
  ReaderEvents events;
};

TEST_F(NetSourceTest, TcpConnectRefusedNamesTheAddressAndTheReason) {
  int port = 0;
  {
    test::TcpRouter gone;
    port = gone.port();
  }
  auto s = NetSource::open(parsed("tcp://127.0.0.1:" + std::to_string(port)), events, 1000);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "gps.connect_failed");
  EXPECT_NE(s.error().message.find("127.0.0.1:" + std::to_string(port)), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find("refused"), std::string::npos) << s.error().message;
}

TEST_F(NetSourceTest, TcpReadsWhatTheRouterSendsAndReportsItsClose) {
  test::TcpRouter router;
  auto s = NetSource::open(parsed(router.url()), events, 1000);
  ASSERT_TRUE(s.ok()) << s.error().message;
  router.accept();
  EXPECT_FALSE(s->datagrams());
  char buf[64];
  EXPECT_EQ(*s->read_some(buf, sizeof buf), 0u) << "nothing yet is not an error";
  router.send("$GP");
  ASSERT_TRUE(test::readable(s->fd(), std::chrono::seconds(5)));
  EXPECT_EQ(*s->read_some(buf, sizeof buf), 3u);
  router.stop();
  ASSERT_TRUE(test::readable(s->fd(), std::chrono::seconds(5)));
  auto gone = s->read_some(buf, sizeof buf);
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().code, "gps.device_gone");
}

TEST_F(NetSourceTest, UdpPortZeroBindsAFreePortAndNamesIt) {
  auto s = NetSource::open(parsed("udp://127.0.0.1:0"), events, 1000);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_TRUE(s->datagrams());
  const std::string name = s->name();
  ASSERT_EQ(name.rfind("udp 127.0.0.1:", 0), 0u) << name;
  const int port = std::stoi(name.substr(name.rfind(':') + 1));
  EXPECT_GT(port, 0);
  test::UdpSender sender(port);
  sender.send("one");
  sender.send("two!");
  ASSERT_TRUE(test::readable(s->fd(), std::chrono::seconds(5)));
  char buf[64];
  EXPECT_EQ(*s->read_some(buf, sizeof buf), 3u);  // one datagram per read
  EXPECT_EQ(*s->read_some(buf, sizeof buf), 4u);
  EXPECT_EQ(*s->read_some(buf, sizeof buf), 0u);
}

TEST_F(NetSourceTest, ConnectEndsAtOnceWhenWoken) {
  events.wake();
  // A routable address that never answers would otherwise hold the wait.
  auto s = NetSource::open(parsed("tcp://192.0.2.1:9"), events, 10000);
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(s.error().code == "gps.stopped" || s.error().code == "gps.connect_failed") << s.error().code;
}

}  // namespace
}  // namespace mdtc::gps
