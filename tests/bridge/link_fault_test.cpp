// Faults where they happen: a unit killed with requests in its outbox, and
// a gateway that restarts again and again while dispatches flow.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <Poco/JSON/Parser.h>

#include <cstdio>
#include <memory>
#include <random>
#include <set>

#include "gateway_fixture.h"
#include "outbox.h"
#include "temp_dir.h"

using mdtc::bridge::Link;
using mdtc::test::eventually;
using mdtc::test::GatewayThread;
using mdtc::test::Inbox;
using namespace std::chrono_literals;

namespace {

std::string endpoint() { return "tcp://127.0.0.1:" + std::to_string(mdtc::test::free_tcp_port()); }

uint64_t counter(const Link& link, const std::string& name) {
  auto c = link.counters();
  return c.count(name) ? c.at(name) : 0;
}

int count_type(GatewayThread& gw, const std::string& type) {
  return gw.with([&](stub_cad::CadGateway& g) {
    int n = 0;
    for (const auto& in : g.inbound()) n += in.type == type;
    return n;
  });
}

}  // namespace

TEST(LinkFault, OutboxSurvivesKillNineAndTheGatewayActsOnEachRequestOnce) {
  mdtc::test::TempDir dir;
  const auto outbox = dir.file("outbox.db");
  stub_cad::GatewayOptions g;
  g.pub_endpoint = endpoint();
  g.router_endpoint = endpoint();
  g.heartbeat_ms = 0;
  mdtc::bridge::LinkOptions lo;
  lo.unit_id = "2A31";
  lo.subscribe_endpoint = g.pub_endpoint;
  lo.dealer_endpoint = g.router_endpoint;
  lo.outbox_path = outbox;

  // Fork while this process has one thread: a child forked from a process
  // with running threads may inherit a lock (malloc's, a sanitizer's) held
  // forever. The child waits for `go` until the gateway is up.
  int ready[2], go[2];
  ASSERT_EQ(::pipe(ready), 0);
  ASSERT_EQ(::pipe(go), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(ready[0]);
    ::close(go[1]);
    char start = 0;
    if (::read(go[0], &start, 1) != 1) ::_exit(1);
    Link link(lo, nullptr, nullptr);
    bool ok = static_cast<bool>(link.start());
    for (int i = 1; ok && i <= 3; ++i) {
      ok = static_cast<bool>(link.send(
          "coresponder_request",
          R"({"request_id":"R-)" + std::to_string(i) + R"(","incident_id":"I-1002"})"));
    }
    char c = ok ? 'y' : 'n';
    (void)!::write(ready[1], &c, 1);
    while (true) ::pause();  // until SIGKILL
  }
  ::close(go[0]);
  struct Reaper {  // a failed assertion below must not leave the child behind
    pid_t pid;
    ~Reaper() {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  } reaper{child};
  GatewayThread gw(g);
  gw.with([](auto& x) {
    x.set_acks(false);  // requests arrive, acks do not: the unit must retry
    return 0;
  });
  ASSERT_EQ(::write(go[1], "g", 1), 1);
  ::close(go[1]);
  ::close(ready[1]);
  char c = 0;
  ASSERT_EQ(::read(ready[0], &c, 1), 1);
  ::close(ready[0]);
  ASSERT_EQ(c, 'y');
  ASSERT_TRUE(eventually([&] { return count_type(gw, "coresponder_request") == 3; }));
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));

  // The unit restarts; this time the gateway's acks get through.
  gw.with([](auto& x) {
    x.set_acks(true);
    return 0;
  });
  {
    Link link(lo, nullptr, nullptr);
    ASSERT_TRUE(link.start());
    ASSERT_TRUE(eventually([&] { return counter(link, "acked") == 3; }));
    EXPECT_EQ(counter(link, "sent"), 3u) << "resent from the outbox on start; " << [&] {
      std::string s;
      for (const auto& [k, v] : link.counters()) if (v) s += k + "=" + std::to_string(v) + " ";
      return s;
    }();
  }
  EXPECT_EQ(count_type(gw, "coresponder_request"), 3) << "each request acted on once";
  // Each was received at least twice (before the kill and after the
  // restart): the gateway acked every copy and acted on one.
  EXPECT_GE(gw.with([](auto& x) { return x.duplicate_keys(); }), 3u);
  auto box = mdtc::bridge::Outbox::open(outbox);
  ASSERT_TRUE(box);
  EXPECT_EQ(box.value()->size(), 0u);
}

// 21 gateway runs (20 restarts) carrying 5,000 dispatches to one unit. Each
// run is killed without warning (linger 0: what is in flight is lost). As a
// CAD does with a fresh gateway, every dispatch the unit has not yet shown
// (and the last 20 it has) is published again on the next run, under a new
// epoch and new seqs. The "shown" count the CAD side uses stands in for the
// unit's own acknowledgements of its dispatches.
TEST(LinkFault, TwentyGatewayRestartsDuringFiveThousandDispatchesShowEachOnceInOrder) {
  constexpr int kTotal = 5000;
  constexpr int kRuns = 21;
  constexpr int kPerRun = (kTotal + kRuns - 1) / kRuns;
  const std::string pub = endpoint(), router = endpoint();
  auto make = [](int i) {
    Poco::JSON::Object::Ptr inc = new Poco::JSON::Object;
    char id[16];
    std::snprintf(id, sizeof id, "I-%05d", i);
    inc->set("id", std::string(id));
    inc->set("call_type", "TEST");
    Poco::JSON::Object::Ptr loc = new Poco::JSON::Object;
    loc->set("address", std::to_string(100 + i) + " MAIN ST, SPRINGFIELD IL");
    inc->set("location", loc);
    Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
    body->set("type", "dispatch");
    body->set("incident", inc);
    // The CAD's own timestamp, kept when it re-sends the dispatch.
    char at[40];
    std::snprintf(at, sizeof at, "2026-11-22T10:%02d:%02d.%03dZ", i / 60000 % 60, i / 1000 % 60, i % 1000);
    body->set("sent_at", std::string(at));
    return body;
  };

  Inbox inbox;
  mdtc::bridge::LinkOptions lo;
  lo.unit_id = "2A31";
  lo.subscribe_endpoint = pub;
  lo.dealer_endpoint = router;
  Link link(lo, inbox.message_handler(), nullptr);
  ASSERT_TRUE(link.start());

  std::mt19937 rng(20261122);
  int published_new = 0;
  std::size_t republished = 0;
  int dropped_on_wire = 0;
  for (int run = 0; run < kRuns; ++run) {
    stub_cad::GatewayOptions g;
    g.pub_endpoint = pub;
    g.router_endpoint = router;
    g.epoch = "run-" + std::to_string(run);
    g.heartbeat_ms = 20;
    GatewayThread gw(g);
    ASSERT_TRUE(eventually([&] {
      return gw.with([](auto& x) { return x.has_subscriber("unit.2A31") && x.hello_seen("2A31"); });
    })) << "run " << run;
    const auto shown = inbox.messages().size();
    const bool last = run + 1 == kRuns;
    const int upto = last ? kTotal : std::min(kTotal, published_new + kPerRun);
    // The run dies after a random number of publishes; about 2% of what it
    // does publish is lost on the wire, so catch-up is exercised too.
    std::uniform_int_distribution<int> kill_pick(0, upto - std::max(0, static_cast<int>(shown) - 20));
    const int kill_after = last ? -1 : kill_pick(rng);
    std::bernoulli_distribution lost_on_wire(0.02);
    int done = 0;
    // The CAD cannot know exactly what the unit showed: it also re-sends
    // the last 20 dispatches the unit did show, which must not show again.
    const int from = std::max(0, static_cast<int>(shown) - 20);
    for (int i = from; i < upto; ++i, ++done) {
      if (done == kill_after) break;
      if (i < published_new) ++republished;
      bool transmit = !lost_on_wire(rng);
      dropped_on_wire += !transmit;
      gw.with([&](auto& x) { return x.publish("unit.2A31", make(i), transmit); });
    }
    published_new = std::max(published_new, from + done);
    if (last) {
      ASSERT_TRUE(inbox.wait_messages(kTotal, 60s)) << inbox.messages().size() << " of " << kTotal << ": " << [&] {
        std::string s;
        for (const auto& [k, v] : link.counters()) if (v) s += k + "=" + std::to_string(v) + " ";
        return s;
      }();
      break;
    }
    gw.kill();
  }

  auto got = inbox.messages();
  ASSERT_EQ(got.size(), static_cast<std::size_t>(kTotal));
  std::set<std::string> unique;
  for (int i = 0; i < kTotal; ++i) {
    char id[16];
    std::snprintf(id, sizeof id, "I-%05d", i);
    ASSERT_EQ(got[static_cast<std::size_t>(i)].incident_id, id) << "position " << i;
    unique.insert(got[static_cast<std::size_t>(i)].incident_id);
  }
  EXPECT_EQ(unique.size(), static_cast<std::size_t>(kTotal));
  EXPECT_EQ(counter(link, "epochs"), static_cast<uint64_t>(kRuns - 1));
  std::printf("[ figures  ] %d dispatches, %d gateway restarts, %d publishes lost on the wire: "
              "delivered %llu, republished by CAD %zu, "
              "dropped as duplicates %llu (replays %llu), gaps %llu, catch-up asks %llu, "
              "replayed by gateway %llu, lost %llu\n",
              kTotal, kRuns - 1, dropped_on_wire, static_cast<unsigned long long>(counter(link, "delivered")), republished,
              static_cast<unsigned long long>(counter(link, "duplicates")),
              static_cast<unsigned long long>(counter(link, "duplicates.replayed")),
              static_cast<unsigned long long>(counter(link, "gaps")),
              static_cast<unsigned long long>(counter(link, "catchups")),
              static_cast<unsigned long long>(counter(link, "replayed")),
              static_cast<unsigned long long>(counter(link, "lost")));
}

namespace {

Poco::JSON::Object::Ptr simple_dispatch(const std::string& id) {
  Poco::JSON::Parser p;
  return p.parse(R"({"type":"dispatch","incident":{"id":")" + id +
                 R"(","location":{"address":"1 MAIN ST, SPRINGFIELD IL"}}})")
      .extract<Poco::JSON::Object::Ptr>();
}

std::vector<std::string> ids(Inbox& inbox) {
  std::vector<std::string> out;
  for (const auto& m : inbox.messages()) out.push_back(m.incident_id);
  return out;
}

}  // namespace

// A unit that saw I-1 and then went down, with its place saved in the outbox.
class UnitThatWentDown : public ::testing::Test {
 protected:
  void SetUp() override {
    g.pub_endpoint = endpoint();
    g.router_endpoint = endpoint();
    g.heartbeat_ms = 0;
    gw = std::make_unique<GatewayThread>(g);
    lo.unit_id = "2A31";
    lo.subscribe_endpoint = gw->pub();
    lo.dealer_endpoint = gw->router();
    lo.outbox_path = dir.file("outbox.db");
    Inbox inbox;
    Link link(lo, inbox.message_handler(), nullptr);
    ASSERT_TRUE(link.start());
    ASSERT_TRUE(eventually([&] { return gw->with([](auto& x) { return x.has_subscriber("unit.2A31"); }); }));
    gw->with([](auto& x) { return x.publish("unit.2A31", simple_dispatch("I-1")); });
    ASSERT_TRUE(inbox.wait_messages(1));
  }

  mdtc::test::TempDir dir;
  stub_cad::GatewayOptions g;
  std::unique_ptr<GatewayThread> gw;
  mdtc::bridge::LinkOptions lo;
};

TEST_F(UnitThatWentDown, RestartedUnitCatchesUpWhatWasPublishedWhileItWasDown) {
  auto& gateway = *gw;
  ASSERT_TRUE(eventually([&] { return gateway.with([](auto& x) { return !x.has_subscriber("unit.2A31"); }); }));
  gateway.with([](auto& x) {
    x.publish("unit.2A31", simple_dispatch("I-2"));
    return x.publish("unit.2A31", simple_dispatch("I-3"));
  });
  Inbox inbox;
  Link link(lo, inbox.message_handler(), nullptr);
  ASSERT_TRUE(link.start());
  ASSERT_TRUE(inbox.wait_messages(2));
  EXPECT_EQ(ids(inbox), (std::vector<std::string>{"I-2", "I-3"})) << "I-1 is not shown again";
  EXPECT_GE(counter(link, "positions.resumed"), 1u);
}

TEST_F(UnitThatWentDown, PlaceOlderThanTheResumeWindowIsHistoryNotNews) {
  auto& gateway = *gw;
  ASSERT_TRUE(eventually([&] { return gateway.with([](auto& x) { return !x.has_subscriber("unit.2A31"); }); }));
  gateway.with([](auto& x) { return x.publish("unit.2A31", simple_dispatch("I-2-old")); });
  lo.resume_window_s = -1;  // every saved place is too old
  Inbox inbox;
  Link link(lo, inbox.message_handler(), nullptr);
  ASSERT_TRUE(link.start());
  ASSERT_TRUE(eventually([&] {
    return gateway.with([](auto& x) { return x.has_subscriber("unit.2A31") && x.hello_seen("2A31"); });
  }));
  gateway.with([](auto& x) { return x.publish("unit.2A31", simple_dispatch("I-3-new")); });
  ASSERT_TRUE(inbox.wait_messages(1));
  EXPECT_EQ(ids(inbox), std::vector<std::string>{"I-3-new"});
  EXPECT_GE(counter(link, "positions.stale"), 1u);
  EXPECT_EQ(counter(link, "positions.resumed"), 0u);
}
