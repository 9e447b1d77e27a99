// CURVE on the CAD link: keys on disk, an authenticated link that works,
// and a publisher without the gateway's secret key that gets nothing in.
#include <sys/stat.h>

#include <gtest/gtest.h>
#include <zmq.h>

#include <Poco/JSON/Parser.h>

#include <cstring>

#include "gateway_fixture.h"
#include "temp_dir.h"

using mdtc::bridge::CurveKeyPair;
using mdtc::bridge::Link;
using mdtc::test::eventually;
using mdtc::test::GatewayThread;
using mdtc::test::Inbox;
using namespace std::chrono_literals;

namespace {

CurveKeyPair keys() {
  auto k = mdtc::bridge::generate_curve_key_pair();
  EXPECT_TRUE(k) << k.error().message;
  return k.value();
}

Poco::JSON::Object::Ptr dispatch(const std::string& id) {
  Poco::JSON::Parser p;
  return p.parse(R"({"type":"dispatch","incident":{"id":")" + id +
                 R"(","location":{"address":"1 MAIN ST, SPRINGFIELD IL"}}})")
      .extract<Poco::JSON::Object::Ptr>();
}

std::string endpoint() { return "tcp://127.0.0.1:" + std::to_string(mdtc::test::free_tcp_port()); }

mdtc::bridge::LinkOptions curve_link(const std::string& pub, const std::string& router,
                                     const CurveKeyPair& server, const CurveKeyPair& client) {
  mdtc::bridge::LinkOptions o;
  o.unit_id = "2A31";
  o.subscribe_endpoint = pub;
  o.dealer_endpoint = router;
  o.server_public_key = server.public_key;
  o.client_public_key = client.public_key;
  o.client_secret_key = client.secret_key;
  return o;
}

uint64_t counter(const Link& link, const std::string& name) {
  auto c = link.counters();
  return c.count(name) ? c.at(name) : 0;
}

}  // namespace

TEST(CurveKeys, GeneratedFileIsPrivateAndReadsBack) {
  mdtc::test::TempDir dir;
  auto kp = keys();
  EXPECT_EQ(kp.public_key.size(), 40u);
  EXPECT_EQ(kp.secret_key.size(), 40u);
  const auto path = dir.file("unit.key");
  ASSERT_TRUE(mdtc::bridge::write_curve_key_file(path, kp, false));
  struct stat st{};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto back = mdtc::bridge::read_curve_key_file(path);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->public_key, kp.public_key);
  EXPECT_EQ(back->secret_key, kp.secret_key);
}

TEST(CurveKeys, ExistingFileIsKeptUnlessForced) {
  mdtc::test::TempDir dir;
  const auto path = dir.file("unit.key");
  ASSERT_TRUE(mdtc::bridge::write_curve_key_file(path, keys(), false));
  auto second = keys();
  auto r = mdtc::bridge::write_curve_key_file(path, second, false);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "keys.exists");
  ::chmod(path.c_str(), 0644);
  ASSERT_TRUE(mdtc::bridge::write_curve_key_file(path, second, true));
  struct stat st{};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u) << "--force tightens the mode too";
  EXPECT_EQ(mdtc::bridge::read_curve_key_file(path)->public_key, second.public_key);
}

TEST(CurveKeys, MalformedFilesAreRefusedWithTheLine) {
  mdtc::test::TempDir dir;
  mdtc::test::write_file(dir.file("a"), "public=short\n");
  auto r = mdtc::bridge::read_curve_key_file(dir.file("a"));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find(":1:"), std::string::npos) << r.error().message;
  mdtc::test::write_file(dir.file("b"), "public=" + keys().public_key + "\n");
  EXPECT_FALSE(mdtc::bridge::read_curve_key_file(dir.file("b")));
  EXPECT_TRUE(mdtc::bridge::read_curve_key_file(dir.file("b"), /*need_secret=*/false));
  EXPECT_FALSE(mdtc::bridge::read_curve_key_file(dir.file("missing")));
}

TEST(CurveLink, AuthenticatedLinkDeliversAndHonoursWipe) {
  auto server = keys(), client = keys();
  stub_cad::GatewayOptions g;
  g.pub_endpoint = endpoint();
  g.router_endpoint = endpoint();
  g.epoch = "e1";
  g.heartbeat_ms = 0;
  g.server_public_key = server.public_key;
  g.server_secret_key = server.secret_key;
  GatewayThread gw(g);
  Inbox inbox;
  Link link(curve_link(gw.pub(), gw.router(), server, client), inbox.message_handler(), nullptr);
  ASSERT_TRUE(link.start());
  ASSERT_TRUE(eventually([&] {
    return gw.with([](auto& x) { return x.hello_seen("2A31") && x.has_subscriber("unit.2A31"); });
  }));
  gw.with([](auto& x) {
    x.publish("unit.2A31", dispatch("I-1"));
    Poco::JSON::Object::Ptr wipe = new Poco::JSON::Object;
    wipe->set("type", "wipe");
    return x.publish("unit.2A31", wipe);
  });
  ASSERT_TRUE(inbox.wait_messages(2));
  EXPECT_EQ(inbox.messages()[0].incident_id(), "I-1");
  EXPECT_EQ(inbox.messages()[1].type(), mdtc::bridge::MessageType::wipe);
  ASSERT_TRUE(link.send("avl", R"({"lat":1,"lon":2})"));
  ASSERT_TRUE(eventually([&] { return counter(link, "acked") == 1; }));
}

TEST(CurveLink, RoguePublisherWithoutTheGatewaySecretGetsNothingAccepted) {
  auto server = keys(), client = keys(), rogue_keys = keys();
  const std::string pub = endpoint(), router = endpoint();

  // The rogue owns the gateway's address and publishes dispatches nonstop,
  // once as a CURVE server with its own key and once with no security.
  for (bool rogue_uses_curve : {true, false}) {
    SCOPED_TRACE(rogue_uses_curve ? "rogue CURVE server" : "rogue without CURVE");
    void* ctx = zmq_ctx_new();
    void* xpub = zmq_socket(ctx, ZMQ_XPUB);
    int zero = 0, one = 1;
    zmq_setsockopt(xpub, ZMQ_LINGER, &zero, sizeof zero);
    if (rogue_uses_curve) {
      zmq_setsockopt(xpub, ZMQ_CURVE_SERVER, &one, sizeof one);
      zmq_setsockopt(xpub, ZMQ_CURVE_SECRETKEY, rogue_keys.secret_key.c_str(), 40);
    }
    ASSERT_EQ(zmq_socket_monitor(xpub, "inproc://rogue-monitor",
                                 ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
                                     ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | ZMQ_EVENT_HANDSHAKE_SUCCEEDED),
              0);
    void* mon = zmq_socket(ctx, ZMQ_PAIR);
    ASSERT_EQ(zmq_connect(mon, "inproc://rogue-monitor"), 0);
    ASSERT_EQ(zmq_bind(xpub, pub.c_str()), 0);

    Inbox inbox;
    mdtc::bridge::LinkOptions opt = curve_link(pub, router, server, client);
    Link link(opt, inbox.message_handler(), nullptr);
    ASSERT_TRUE(link.start());

    int failed = 0, succeeded = 0, published = 0;
    std::string body = R"({"v":1,"type":"dispatch","seq":1,"epoch":"rogue","incident":{"id":"I-ROGUE","location":{"address":"1 FAKE ST"}}})";
    auto deadline = std::chrono::steady_clock::now() + 20s;
    // Wait until the link's handshake with the rogue has failed, publishing
    // all the while.
    while (failed < 1 && std::chrono::steady_clock::now() < deadline) {
      zmq_send(xpub, "unit.2A31", 9, ZMQ_SNDMORE);
      zmq_send(xpub, body.data(), body.size(), 0);
      ++published;
      zmq_pollitem_t item{mon, 0, ZMQ_POLLIN, 0};
      if (zmq_poll(&item, 1, 5) > 0) {
        zmq_msg_t ev, addr;
        zmq_msg_init(&ev);
        zmq_msg_init(&addr);
        zmq_msg_recv(&ev, mon, 0);
        zmq_msg_recv(&addr, mon, 0);
        uint16_t id = 0;
        std::memcpy(&id, zmq_msg_data(&ev), sizeof id);
        if (id == ZMQ_EVENT_HANDSHAKE_SUCCEEDED) ++succeeded;
        else ++failed;
        zmq_msg_close(&ev);
        zmq_msg_close(&addr);
      }
    }
    EXPECT_GE(failed, 1) << "the link never tried the rogue";
    EXPECT_EQ(succeeded, 0);
    EXPECT_GT(published, 0);
    EXPECT_TRUE(inbox.messages().empty());
    EXPECT_EQ(counter(link, "received"), 0u);
    EXPECT_EQ(counter(link, "delivered"), 0u);
    zmq_close(mon);
    zmq_close(xpub);
    zmq_ctx_term(ctx);

    // The genuine gateway comes back on the same address: the same link
    // finds it and accepts its dispatch, and only that one.
    stub_cad::GatewayOptions g;
    g.pub_endpoint = pub;
    g.router_endpoint = router;
    g.heartbeat_ms = 0;
    g.server_public_key = server.public_key;
    g.server_secret_key = server.secret_key;
    GatewayThread gw(g);
    ASSERT_TRUE(eventually([&] { return gw.with([](auto& x) { return x.has_subscriber("unit.2A31"); }); }));
    gw.with([](auto& x) { return x.publish("unit.2A31", dispatch("I-REAL")); });
    ASSERT_TRUE(inbox.wait_messages(1));
    EXPECT_EQ(inbox.messages().size(), 1u);
    EXPECT_EQ(inbox.messages()[0].incident_id(), "I-REAL");
  }
}
