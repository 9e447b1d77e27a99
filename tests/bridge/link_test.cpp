// The link against the gateway stub-cad runs, over real loopback sockets.
#include <gtest/gtest.h>

#include <mutex>

#include <Poco/JSON/Parser.h>

#include "gateway_fixture.h"
#include "manual_time.h"
#include "temp_dir.h"

using mdtc::bridge::Link;
using mdtc::test::eventually;
using mdtc::test::GatewayThread;
using mdtc::test::Inbox;
using Poco::JSON::Object;
using namespace std::chrono_literals;

namespace {

stub_cad::GatewayOptions gateway(const std::string& epoch = "e1", int heartbeat_ms = 0) {
  stub_cad::GatewayOptions o;
  o.pub_endpoint = "tcp://127.0.0.1:0";
  o.router_endpoint = "tcp://127.0.0.1:0";
  o.epoch = epoch;
  o.heartbeat_ms = heartbeat_ms;
  return o;
}

Object::Ptr json(const std::string& text) {
  Poco::JSON::Parser p;
  return p.parse(text).extract<Object::Ptr>();
}

Object::Ptr dispatch(const std::string& id) {
  return json(R"({"type":"dispatch","incident":{"id":")" + id +
              R"(","call_type":"WELFARE CHECK","location":{"address":"1208 N MAPLE ST, SPRINGFIELD IL"}}})");
}

uint64_t counter(const Link& link, const std::string& name) {
  auto c = link.counters();
  auto it = c.find(name);
  return it == c.end() ? 0 : it->second;
}

// Waits until the gateway has this unit's hello and SUB subscription, so a
// publish from here on reaches it.
void wait_joined(GatewayThread& gw, const std::string& unit) {
  ASSERT_TRUE(eventually([&] {
    return gw.with([&](stub_cad::CadGateway& g) {
      return g.hello_seen(unit) && g.has_subscriber("unit." + unit) && g.has_subscriber("all");
    });
  })) << "unit " << unit << " never joined";
}

std::vector<std::string> incident_ids(Inbox& inbox) {
  std::vector<std::string> ids;
  for (const auto& m : inbox.messages()) ids.push_back(m.incident_id());
  return ids;
}

}  // namespace

TEST(Link, DispatchReachesHandlerAndHelloCarriesRole) {
  GatewayThread gw(gateway());
  Inbox inbox;
  auto opt = mdtc::test::link_options("2A31", gw);
  opt.hello_json = R"({"role":"patrol","name":"2A31 Patrol"})";
  Link link(opt, inbox.message_handler(), inbox.status_handler());
  ASSERT_TRUE(link.start());
  wait_joined(gw, "2A31");
  gw.with([](auto& g) { return g.publish("unit.2A31", dispatch("I-1")); });
  ASSERT_TRUE(inbox.wait_messages(1));
  auto m = inbox.messages().at(0);
  EXPECT_EQ(m.type(), mdtc::bridge::MessageType::dispatch);
  EXPECT_EQ(m.incident_id(), "I-1");
  EXPECT_EQ(m.epoch, "e1");
  EXPECT_EQ(m.incident()->location.address, "1208 N MAPLE ST, SPRINGFIELD IL");
  auto hello = gw.with([](auto& g) { return g.inbound().at(0); });
  EXPECT_EQ(hello.type, "hello");
  EXPECT_EQ(hello.body->getValue<std::string>("role"), "patrol");
  EXPECT_EQ(hello.body->getValue<std::string>("unit"), "2A31");
  EXPECT_EQ(counter(link, "delivered"), 1u);
  EXPECT_TRUE(inbox.wait_status(true));
}

TEST(Link, DuplicateSeqIsDroppedAndCounted) {
  GatewayThread gw(gateway());
  Inbox inbox;
  Link link(mdtc::test::link_options("2A31", gw), inbox.message_handler(), nullptr);
  ASSERT_TRUE(link.start());
  wait_joined(gw, "2A31");
  gw.with([](auto& g) {
    auto first = dispatch("I-1");
    first->set("seq", 1);
    g.publish("unit.2A31", first);
    auto again = dispatch("I-1");
    again->set("seq", 1);
    again->set("sent_at", "2026-11-22T10:00:01Z");
    g.publish("unit.2A31", again);
    return g.publish("unit.2A31", dispatch("I-2"));
  });
  ASSERT_TRUE(inbox.wait_messages(2));
  ASSERT_TRUE(eventually([&] { return counter(link, "duplicates") == 1; }));
  EXPECT_EQ(incident_ids(inbox), (std::vector<std::string>{"I-1", "I-2"}));
}

TEST(Link, MalformedMessagesAreCountedDroppedAndDoNotStall) {
  GatewayThread gw(gateway());
  Inbox inbox;
  auto opt = mdtc::test::link_options("2A31", gw);
  opt.max_message_bytes = 4096;
  Link link(opt, inbox.message_handler(), nullptr);
  ASSERT_TRUE(link.start());
  wait_joined(gw, "2A31");
  gw.with([](auto& g) {
    g.publish_raw("unit.2A31", "not json {");
    g.publish("unit.2A31", json(R"({"v":2,"type":"dispatch"})"));
    g.publish("unit.2A31", json(R"({"type":"launch"})"));
    g.publish("unit.2A31", json(R"({"type":"dispatch","incident":{"id":"I-9","priority":"high","location":{"address":"x"}}})"));
    auto big = dispatch("I-big");
    big->set("pad", std::string(5000, 'x'));
    g.publish("unit.2A31", big);
    return g.publish("unit.2A31", dispatch("I-ok"));
  });
  ASSERT_TRUE(inbox.wait_messages(1));
  EXPECT_EQ(incident_ids(inbox), std::vector<std::string>{"I-ok"});
  ASSERT_TRUE(eventually([&] { return counter(link, "dropped.too_large") >= 1; }));
  EXPECT_GE(counter(link, "dropped.bad_json"), 1u);
  EXPECT_GE(counter(link, "dropped.bad_version"), 1u);
  EXPECT_GE(counter(link, "dropped.unknown_type"), 1u);
  EXPECT_GE(counter(link, "dropped.bad_type"), 1u);
  // Later messages keep flowing.
  gw.with([](auto& g) { return g.publish("unit.2A31", dispatch("I-after")); });
  ASSERT_TRUE(inbox.wait_messages(2));
  EXPECT_EQ(incident_ids(inbox).back(), "I-after");
}

// A dropped dispatch that still names its incident is told once, so the
// officer learns its flags were not checked; other dropped messages are not.
TEST(Link, AnUnreadableDispatchNamingItsIncidentIsToldOnce) {
  GatewayThread gw(gateway());
  Inbox inbox;
  std::mutex mu;
  std::vector<std::string> told;
  auto opt = mdtc::test::link_options("2A31", gw);
  opt.on_unread_dispatch = [&](const std::string& id, const std::string& why) {
    std::lock_guard lock(mu);
    told.push_back(id + ": " + why);
  };
  Link link(opt, inbox.message_handler(), nullptr);
  ASSERT_TRUE(link.start());
  wait_joined(gw, "2A31");
  gw.with([](auto& g) {
    g.publish("unit.2A31", json(R"({"type":"dispatch","incident":{"id":"I-7","call_type":"ASSAULT"}})"));
    g.publish("unit.2A31", json(R"({"type":"dispatch","incident":{"id":"I-7"}})"));
    g.publish("unit.2A31", json(R"({"type":"dispatch","incident":{"id":"I-8","priority":"high","location":{"address":"x"}}})"));
    g.publish("unit.2A31", json(R"({"type":"incident_update","incident":{"priority":"high"}})"));
    g.publish("unit.2A31", json(R"({"type":"dispatch","incident":{"call_type":"ASSAULT"}})"));
    g.publish("unit.2A31", json(R"({"type":"dispatch","eido":{"$id":"I-9","incidentComponent":[{"$id":"I-9"}]}})"));
    return g.publish("unit.2A31", dispatch("I-ok"));
  });
  ASSERT_TRUE(inbox.wait_messages(1));
  ASSERT_TRUE(eventually([&] { return counter(link, "dropped.missing_field") >= 3 && counter(link, "dropped.bad_eido") >= 1; }));
  std::lock_guard lock(mu);
  ASSERT_EQ(told.size(), 3u);
  EXPECT_EQ(told[0], "I-7: incident.location: expected at least one of address, civic, lat+lon");
  EXPECT_EQ(told[1].rfind("I-8: incident.priority", 0), 0u) << told[1];
  EXPECT_EQ(told[2].rfind("I-9: ", 0), 0u) << told[2];
}

// Nothing waits behind the gap: I-4 is delivered as it arrives and the
// caught-up messages follow (each is its own incident).
TEST(Link, LostMessageIsCaughtUpAfterTheMessagesThatOvertookIt) {
  GatewayThread gw(gateway());
  Inbox inbox;
  Link link(mdtc::test::link_options("2A31", gw), inbox.message_handler(), nullptr);
  ASSERT_TRUE(link.start());
  wait_joined(gw, "2A31");
  gw.with([](auto& g) {
    g.publish("unit.2A31", dispatch("I-1"));
    g.publish("unit.2A31", dispatch("I-2"), /*transmit=*/false);
    g.publish("unit.2A31", dispatch("I-3"), /*transmit=*/false);
    return g.publish("unit.2A31", dispatch("I-4"));
  });
  ASSERT_TRUE(inbox.wait_messages(4));
  EXPECT_EQ(incident_ids(inbox), (std::vector<std::string>{"I-1", "I-4", "I-2", "I-3"}));
  EXPECT_EQ(counter(link, "gaps"), 1u);
  EXPECT_GE(counter(link, "catchups"), 1u);
  EXPECT_EQ(counter(link, "replayed"), 2u);
}

TEST(Link, HeartbeatRevealsAMissedLastMessage) {
  GatewayThread gw(gateway("e1", 50));
  Inbox inbox;
  Link link(mdtc::test::link_options("2A31", gw), inbox.message_handler(), nullptr);
  ASSERT_TRUE(link.start());
  wait_joined(gw, "2A31");
  gw.with([](auto& g) {
    g.publish("unit.2A31", dispatch("I-1"));
    return g.publish("unit.2A31", dispatch("I-2"), /*transmit=*/false);
  });
  ASSERT_TRUE(inbox.wait_messages(2));
  EXPECT_EQ(incident_ids(inbox), (std::vector<std::string>{"I-1", "I-2"}));
  EXPECT_GE(counter(link, "heartbeats"), 1u);
}

TEST(Link, FirstMessageAfterJoiningIsNotLostEvenIfPublishedUnseen) {
  GatewayThread gw(gateway("e1", 50));
  // History before the unit signs on is not replayed...
  gw.with([](auto& g) { return g.publish("unit.2A31", dispatch("I-old")); });
  Inbox inbox;
  Link link(mdtc::test::link_options("2A31", gw), inbox.message_handler(), nullptr);
  ASSERT_TRUE(link.start());
  wait_joined(gw, "2A31");
  // ...but a dispatch after the hello is, even when its publish is lost.
  ASSERT_TRUE(eventually([&] { return counter(link, "heartbeats") >= 1; }));
  gw.with([](auto& g) { return g.publish("unit.2A31", dispatch("I-new"), false); });
  ASSERT_TRUE(inbox.wait_messages(1));
  EXPECT_EQ(incident_ids(inbox), std::vector<std::string>{"I-new"});
}

TEST(Link, GatewayRestartIsANewEpochAndSeqStartsOver) {
  auto first = std::make_unique<GatewayThread>(gateway("run-1"));
  Inbox inbox;
  Link link(mdtc::test::link_options("2A31", *first), inbox.message_handler(), nullptr);
  ASSERT_TRUE(link.start());
  wait_joined(*first, "2A31");
  first->with([](auto& g) {
    g.publish("unit.2A31", dispatch("I-1"));
    return g.publish("unit.2A31", dispatch("I-2"));
  });
  ASSERT_TRUE(inbox.wait_messages(2));
  auto opts = gateway("run-2");
  opts.pub_endpoint = first->pub();
  opts.router_endpoint = first->router();
  first->kill();
  first.reset();
  GatewayThread second(opts);
  wait_joined(second, "2A31");  // the link said hello to the new run
  second.with([](auto& g) {
    g.publish("unit.2A31", dispatch("I-3"), /*transmit=*/false);  // seq 1 of run-2, lost
    return g.publish("unit.2A31", dispatch("I-4"));
  });
  ASSERT_TRUE(inbox.wait_messages(4));
  EXPECT_EQ(incident_ids(inbox), (std::vector<std::string>{"I-1", "I-2", "I-4", "I-3"}));
  EXPECT_EQ(counter(link, "epochs"), 1u);
  EXPECT_EQ(inbox.messages().back().epoch, "run-2");
}

TEST(Link, SilentLinkIsReportedDownThenUpAgain) {
  auto gw = std::make_unique<GatewayThread>(gateway("e1", 50));
  Inbox inbox;
  auto opt = mdtc::test::link_options("2A31", *gw);
  opt.heartbeat_timeout_s = 1;
  auto time = std::make_shared<mdtc::test::ManualTime>();
  opt.time = time;
  Link link(opt, inbox.message_handler(), inbox.status_handler());
  ASSERT_TRUE(link.start());
  ASSERT_TRUE(inbox.wait_status(true));
  auto opts = gateway("e2", 50);
  opts.pub_endpoint = gw->pub();
  opts.router_endpoint = gw->router();
  gw->kill();
  gw.reset();
  // The gateway is gone: a heartbeat timeout's worth of silence passes.
  ASSERT_TRUE(mdtc::test::advance_until(*time, 1s, [&](auto settle) { return inbox.wait_status(false, settle); }));
  auto down = inbox.statuses().back();
  EXPECT_FALSE(down.up);
  EXPECT_GE(down.silent_s, 1);
  EXPECT_EQ(down.detail.rfind("CAD link down ", 0), 0u) << down.detail;
  EXPECT_EQ(down.detail.substr(down.detail.size() - 2), " s");
  GatewayThread back(opts);
  ASSERT_TRUE(inbox.wait_status(true));
}

TEST(Link, SendIsAckedAndTheGatewayActsOnItOnce) {
  GatewayThread gw(gateway());
  Inbox inbox;
  Link link(mdtc::test::link_options("2A31", gw), inbox.message_handler(), nullptr);
  ASSERT_TRUE(link.start());
  ASSERT_TRUE(link.send("avl", R"({"lat":39.8,"lon":-89.6,"unit":"spoofed"})"));
  ASSERT_TRUE(eventually([&] { return counter(link, "acked") == 1; }));
  EXPECT_EQ(counter(link, "sent"), 1u);
  auto avl = gw.with([](auto& g) {
    for (const auto& in : g.inbound()) {
      if (in.type == "avl") return in;
    }
    return stub_cad::Inbound{};
  });
  ASSERT_TRUE(avl.body);
  EXPECT_EQ(avl.from, "2A31");
  EXPECT_EQ(avl.body->getValue<std::string>("unit"), "2A31") << "the envelope wins";
  EXPECT_EQ(avl.body->getValue<int>("v"), 1);
  EXPECT_EQ(avl.body->getValue<uint64_t>("seq"), 1u);
  EXPECT_FALSE(avl.body->getValue<std::string>("key").empty());
  EXPECT_FALSE(avl.body->getValue<std::string>("sent_at").empty());
}

TEST(Link, SendBeforeAnyGatewayIsDeliveredWhenOneAppears) {
  mdtc::test::TempDir dir;
  auto opts = gateway();
  opts.pub_endpoint = "tcp://127.0.0.1:" + std::to_string(mdtc::test::free_tcp_port());
  opts.router_endpoint = "tcp://127.0.0.1:" + std::to_string(mdtc::test::free_tcp_port());
  mdtc::bridge::LinkOptions lo;
  lo.unit_id = "2A31";
  lo.subscribe_endpoint = opts.pub_endpoint;
  lo.dealer_endpoint = opts.router_endpoint;
  lo.outbox_path = dir.file("outbox.db");
  Link link(lo, nullptr, nullptr);
  ASSERT_TRUE(link.start());
  ASSERT_TRUE(link.send("coresponder_request", R"({"request_id":"R-1","incident_id":"I-1"})"));
  GatewayThread gw(opts);
  ASSERT_TRUE(eventually([&] { return counter(link, "acked") == 1; }));
  auto n = gw.with([](auto& g) {
    int count = 0;
    for (const auto& in : g.inbound()) count += in.type == "coresponder_request";
    return count;
  });
  EXPECT_EQ(n, 1);
}

TEST(Link, SubscriptionPrefixOfAnotherUnitIsNotDelivered) {
  GatewayThread gw(gateway());
  Inbox inbox;
  Link link(mdtc::test::link_options("2A3", gw), inbox.message_handler(), nullptr);
  ASSERT_TRUE(link.start());
  wait_joined(gw, "2A3");
  gw.with([](auto& g) {
    g.publish("unit.2A31", dispatch("I-other-unit"));
    return g.publish("unit.2A3", dispatch("I-mine"));
  });
  ASSERT_TRUE(inbox.wait_messages(1));
  EXPECT_EQ(incident_ids(inbox), std::vector<std::string>{"I-mine"});
  EXPECT_EQ(counter(link, "dropped.foreign_topic"), 1u);
}

TEST(Link, WipeIsIgnoredWithoutCurve) {
  GatewayThread gw(gateway());
  Inbox inbox;
  Link link(mdtc::test::link_options("2A31", gw), inbox.message_handler(), nullptr);
  ASSERT_TRUE(link.start());
  wait_joined(gw, "2A31");
  gw.with([](auto& g) {
    g.publish("unit.2A31", json(R"({"type":"wipe","reason":"lost laptop"})"));
    return g.publish("unit.2A31", dispatch("I-1"));
  });
  ASSERT_TRUE(inbox.wait_messages(1));
  EXPECT_EQ(inbox.messages().at(0).type(), mdtc::bridge::MessageType::dispatch);
  EXPECT_EQ(counter(link, "dropped.unauthenticated_wipe"), 1u);
}

TEST(Link, InvalidOptionsAreRefusedAtStart) {
  mdtc::bridge::LinkOptions bad;
  bad.unit_id = "unit with spaces";
  Link a(bad, nullptr, nullptr);
  auto r = a.start();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "bridge.config");
  mdtc::bridge::LinkOptions hello;
  hello.unit_id = "2A31";
  hello.hello_json = "[not an object";
  Link b(hello, nullptr, nullptr);
  EXPECT_FALSE(b.start());
  mdtc::bridge::LinkOptions curve;
  curve.unit_id = "2A31";
  curve.server_public_key = "short";
  Link c(curve, nullptr, nullptr);
  EXPECT_FALSE(c.start());
}

TEST(Link, StopIsSafeTwiceAndSendAfterStopStillQueues) {
  GatewayThread gw(gateway());
  Link link(mdtc::test::link_options("2A31", gw), nullptr, nullptr);
  ASSERT_TRUE(link.start());
  link.stop();
  link.stop();
  EXPECT_TRUE(link.send("avl", "{}"));
}

TEST(Link, ThrowingHandlersAreCountedAndTheLinkCarriesOn) {
  GatewayThread gw(gateway());
  Inbox inbox;
  int calls = 0;
  auto sink = inbox.message_handler();
  Link link(
      mdtc::test::link_options("2A31", gw),
      [&](mdtc::bridge::Message m) {
        if (++calls == 1) throw std::runtime_error("plugin bug");
        sink(std::move(m));
      },
      [](const mdtc::bridge::LinkStatus&) { throw std::runtime_error("status bug"); });
  ASSERT_TRUE(link.start());
  wait_joined(gw, "2A31");
  gw.with([](auto& g) {
    g.publish("unit.2A31", dispatch("I-1"));
    return g.publish("unit.2A31", dispatch("I-2"));
  });
  ASSERT_TRUE(inbox.wait_messages(1));
  EXPECT_EQ(incident_ids(inbox), std::vector<std::string>{"I-2"});
  EXPECT_GE(counter(link, "handler_errors"), 2u);
}

// The outside tester's case over the wire: a gateway publishes one message
// with seq 2^64-1 in the current epoch, and its own heartbeats say the head
// is far below that. The seq is dropped and counted, the real dispatches
// after it keep coming, and no catch-up asks for more than a gateway keeps.
TEST(Link, AbsurdSeqIsDroppedAndTheUnitsTopicDoesNotGoSilent) {
  GatewayThread gw(gateway("e1", 50));
  Inbox inbox;
  Link link(mdtc::test::link_options("2A31", gw), inbox.message_handler(), nullptr);
  ASSERT_TRUE(link.start());
  wait_joined(gw, "2A31");
  gw.with([](auto& g) {
    g.publish("unit.2A31", dispatch("I-1"));
    g.publish_raw("unit.2A31",
                  R"({"v":1,"type":"dispatch","seq":18446744073709551615,"epoch":"e1",)"
                  R"("sent_at":"2026-11-22T10:00:00Z","incident":{"id":"I-absurd",)"
                  R"("location":{"address":"1 MAIN ST, SPRINGFIELD IL"}}})");
    g.publish("unit.2A31", dispatch("I-2"));
    return g.publish("unit.2A31", dispatch("I-3"));
  });
  ASSERT_TRUE(inbox.wait_messages(3));
  EXPECT_EQ(incident_ids(inbox), (std::vector<std::string>{"I-1", "I-2", "I-3"}));
  ASSERT_TRUE(eventually([&] { return counter(link, "dropped.seq_out_of_range") == 1; }));
  // Heartbeats keep agreeing with the unit: later dispatches still arrive.
  ASSERT_TRUE(eventually([&] { return counter(link, "heartbeats") >= 2; }));
  gw.with([](auto& g) { return g.publish("unit.2A31", dispatch("I-4")); });
  ASSERT_TRUE(inbox.wait_messages(4));
  EXPECT_EQ(incident_ids(inbox).back(), "I-4");
  EXPECT_EQ(counter(link, "lost"), 0u);
  EXPECT_EQ(counter(link, "duplicates"), 0u);
  EXPECT_EQ(counter(link, "positions.reset_by_head"), 0u);
  for (const auto& in : gw.with([](auto& g) { return g.inbound(); })) {
    if (in.type != "catchup") continue;
    const auto from = in.body->getValue<uint64_t>("from_seq");
    const auto to = in.body->getValue<uint64_t>("to_seq");
    EXPECT_LE(to - from, 10'000u) << "catch-up asks a bounded range";
  }
}
