// Faults where they happen: a unit killed with requests in its outbox, and
// a gateway that restarts again and again while dispatches flow.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <Poco/JSON/Parser.h>

#include <atomic>
#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <random>
#include <set>

#include "gateway_fixture.h"
#include "incident_orderings.h"
#include "outbox.h"
#include "position_store.h"
#include "temp_dir.h"

using mdtc::bridge::Link;
using mdtc::test::eventually;
using mdtc::test::GatewayThread;
using mdtc::test::Inbox;
using namespace std::chrono_literals;

namespace {

using mdtc::test::OrderingStep;

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
// Each dispatch is its own incident, so each is delivered the moment it
// arrives: one filled in by catch-up comes after those that overtook it.
TEST(LinkFault, TwentyGatewayRestartsDuringFiveThousandDispatchesShowEachOnce) {
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
    // Like a CAD: every dispatch the unit has not shown is sent again, and
    // so are the last 20 it did show (the CAD cannot be sure of those),
    // which must not show again; then new ones.
    std::vector<int> shown_order;
    for (const auto& m : inbox.messages()) shown_order.push_back(std::stoi(m.incident_id().substr(2)));
    const std::set<int> shown(shown_order.begin(), shown_order.end());
    std::vector<int> to_send;
    for (int i = 0; i < published_new; ++i)
      if (!shown.count(i)) to_send.push_back(i);
    for (std::size_t k = shown_order.size() > 20 ? shown_order.size() - 20 : 0; k < shown_order.size(); ++k)
      to_send.push_back(shown_order[k]);
    std::sort(to_send.begin(), to_send.end());
    const bool last = run + 1 == kRuns;
    const int upto = last ? kTotal : std::min(kTotal, published_new + kPerRun);
    for (int i = published_new; i < upto; ++i) to_send.push_back(i);
    // The run dies after a random number of publishes; about 2% of what it
    // does publish is lost on the wire, so catch-up is exercised too.
    std::uniform_int_distribution<std::size_t> kill_pick(0, to_send.size());
    const std::size_t kill_after = last ? to_send.size() : kill_pick(rng);
    std::bernoulli_distribution lost_on_wire(0.02);
    int fresh = 0;
    for (std::size_t k = 0; k < kill_after; ++k) {
      const int i = to_send[k];
      if (i < published_new) ++republished;
      else ++fresh;
      bool transmit = !lost_on_wire(rng);
      dropped_on_wire += !transmit;
      gw.with([&](auto& x) { return x.publish("unit.2A31", make(i), transmit); });
    }
    published_new += fresh;
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
  for (const auto& m : got) unique.insert(m.incident_id());
  EXPECT_EQ(unique.size(), static_cast<std::size_t>(kTotal)) << "each shown once";
  for (int i = 0; i < kTotal; ++i) {
    char id[16];
    std::snprintf(id, sizeof id, "I-%05d", i);
    ASSERT_TRUE(unique.count(id)) << id << " lost";
  }
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
  for (const auto& m : inbox.messages()) out.push_back(m.incident_id());
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

namespace {

Poco::JSON::Object::Ptr ordering_body(const OrderingStep& s) {
  Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
  body->set("type", s.type);
  body->set("seq", s.seq);
  body->set("epoch", s.epoch);
  body->set("sent_at", mdtc::test::ordering_sent_at(s.at_s));
  if (s.type == "dispatch" || s.type == "incident_update") {
    Poco::JSON::Object::Ptr inc = new Poco::JSON::Object;
    inc->set("id", s.incident);
    Poco::JSON::Object::Ptr loc = new Poco::JSON::Object;
    loc->set("address", "1 MAIN ST, SPRINGFIELD IL");
    inc->set("location", loc);
    body->set("incident", inc);
  } else {
    body->set("incident_id", s.incident);
    if (!s.unit.empty()) body->set("unit", s.unit);
  }
  return body;
}

// Retried catch-up asks so far: an ask is retried only when its answer is
// overdue, so 0 at a delivery means nothing waited for a timeout.
int64_t ask_retries(const Link& link) {
  return static_cast<int64_t>(counter(link, "catchups")) - static_cast<int64_t>(counter(link, "gaps"));
}

// An Inbox whose handler also notes, at the moment `incident` is delivered,
// how many catch-up asks had been retried by then.
struct WatchedInbox {
  Inbox inbox;
  std::string watched;
  const Link* link = nullptr;
  std::atomic<int64_t> retries_at_delivery{-1};
  Link::MessageHandler handler() {
    auto base = inbox.message_handler();
    return [this, base](mdtc::bridge::Message m) {
      if (m.incident_id() == watched && link && retries_at_delivery < 0) retries_at_delivery = ask_retries(*link);
      base(std::move(m));
    };
  }
};

bool delivered(Inbox& inbox, const std::string& incident, const std::string& type) {
  for (const auto& m : inbox.messages())
    if (m.incident_id() == incident && mdtc::bridge::to_string(m.type()) == type) return true;
  return false;
}

std::vector<std::string> labels(Inbox& inbox) {
  std::vector<std::string> out;
  for (const auto& m : inbox.messages()) out.push_back(mdtc::test::ordering_label(m));
  return out;
}

}  // namespace

// Every row of the table in docs/protocol.md, published over real ZeroMQ by
// a gateway that never answers a catch-up ask: what is delivered, and that
// it is delivered before any ask timed out.
class LinkIncidentOrdering : public ::testing::TestWithParam<mdtc::test::OrderingRow> {};

TEST_P(LinkIncidentOrdering, EachMessageAppliesAtOnceToItsOwnIncident) {
  const auto& row = GetParam();
  stub_cad::GatewayOptions g;
  g.pub_endpoint = endpoint();
  g.router_endpoint = endpoint();
  g.epoch = "e1";
  g.heartbeat_ms = 0;
  GatewayThread gw(g);
  gw.with([](auto& x) {
    x.set_catchup_answers(false);
    return 0;
  });
  WatchedInbox in;
  in.watched = "I-END";
  Link link(mdtc::test::link_options(mdtc::test::kOrderingUnit, gw), in.handler(), nullptr);
  in.link = &link;
  ASSERT_TRUE(link.start());
  ASSERT_TRUE(eventually([&] {
    return gw.with([](auto& x) {
      return x.has_subscriber("unit.2A31") && x.has_subscriber("all") && x.hello_seen("2A31");
    });
  }));
  // Both topics known in e1 before the row starts, as in the pure test.
  gw.with([](auto& x) {
    x.publish_raw("all", R"({"v":1,"type":"heartbeat","seq":0,"epoch":"e1",)"
                         R"("sent_at":"2026-11-22T10:00:00Z","topics":{}})");
    return 0;
  });
  ASSERT_TRUE(eventually([&] { return counter(link, "heartbeats") >= 1; }));
  std::set<std::string> epochs{"e1"};
  std::string current = "e1";
  std::map<std::string, uint64_t> unit_topic_seq;  // by epoch
  for (const auto& step : row.steps) {
    if (epochs.insert(step.epoch).second) current = step.epoch;
    if (step.topic == "unit") unit_topic_seq[step.epoch] = std::max(unit_topic_seq[step.epoch], step.seq);
    gw.with([&](auto& x) { return x.publish(mdtc::test::ordering_topic(step), ordering_body(step), !step.lost); });
  }
  // One PUB to one SUB keeps publish order: once the end marker is in,
  // every step before it has been handled.
  OrderingStep end;
  end.type = "dispatch";
  end.topic = "unit";
  end.epoch = current;
  end.seq = unit_topic_seq[current] + 1;
  end.at_s = 59;
  end.incident = "I-END";
  gw.with([&](auto& x) { return x.publish(mdtc::test::ordering_topic(end), ordering_body(end)); });
  ASSERT_TRUE(eventually([&] { return delivered(in.inbox, "I-END", "dispatch"); }));
  auto shown = labels(in.inbox);
  shown.pop_back();
  EXPECT_EQ(shown, row.shown);
  EXPECT_EQ(in.retries_at_delivery.load(), 0) << "a message waited for a catch-up ask to time out";
}

INSTANTIATE_TEST_SUITE_P(Table, LinkIncidentOrdering, ::testing::ValuesIn(mdtc::test::incident_orderings()),
                         mdtc::test::ordering_row_name);

// The outside gateway's finding: seq 16 lost, seq 17 (a dispatch) arrives,
// nobody answers the ask, and the gateway restarts while the gap is open.
// A dispatch is delivered at its arrival, before any ask times out; a
// cancel is never held; the restart drops nothing; a re-sent dispatch is
// not delivered twice.
TEST(LinkFault, GatewayRestartWhileAGapIsOpenLosesNothingAndHoldsNothing) {
  const std::string pub = endpoint(), router = endpoint();
  auto body = [](const std::string& type, const std::string& id, int at_s) {
    OrderingStep s;
    s.type = type;
    s.incident = id;
    s.at_s = at_s;
    auto b = ordering_body(s);
    b->remove("seq");
    b->remove("epoch");
    return b;
  };
  WatchedInbox in;
  in.watched = "I-17";
  mdtc::bridge::LinkOptions lo;
  lo.unit_id = "2A31";
  lo.subscribe_endpoint = pub;
  lo.dealer_endpoint = router;
  Link link(lo, in.handler(), nullptr);
  in.link = &link;
  ASSERT_TRUE(link.start());
  {
    stub_cad::GatewayOptions g;
    g.pub_endpoint = pub;
    g.router_endpoint = router;
    g.heartbeat_ms = 0;
    GatewayThread gw(g);
    gw.with([](auto& x) {
      x.set_catchup_answers(false);
      return 0;
    });
    ASSERT_TRUE(eventually([&] {
      return gw.with([](auto& x) { return x.has_subscriber("unit.2A31") && x.hello_seen("2A31"); });
    }));
    gw.with([&](auto& x) {
      x.publish("unit.2A31", body("dispatch", "I-20", 1));
      x.publish("unit.2A31", body("dispatch", "I-16", 2), false);  // lost on the wire
      x.publish("unit.2A31", body("dispatch", "I-17", 3));
      return x.publish("unit.2A31", body("cancel", "I-20", 4));
    });
    ASSERT_TRUE(eventually([&] { return delivered(in.inbox, "I-20", "cancel"); }))
        << "a cancel behind the gap is not held";
    EXPECT_EQ(in.retries_at_delivery.load(), 0) << "I-17 waited for a catch-up ask to time out";
    ASSERT_TRUE(eventually([&] { return count_type(gw, "catchup") >= 1; }));
    EXPECT_GE(counter(link, "gaps"), 1u);
    gw.kill();  // restarts while the ask for seq 2 is unanswered
  }
  stub_cad::GatewayOptions g;
  g.pub_endpoint = pub;
  g.router_endpoint = router;
  g.heartbeat_ms = 0;
  GatewayThread gw(g);
  ASSERT_TRUE(eventually([&] {
    return gw.with([](auto& x) { return x.has_subscriber("unit.2A31") && x.hello_seen("2A31"); });
  }));
  gw.with([&](auto& x) {
    x.publish("unit.2A31", body("dispatch", "I-17", 3));  // CAD re-sends what it thinks is open
    x.publish("unit.2A31", body("cancel", "I-17", 5));
    return x.publish("unit.2A31", body("dispatch", "I-21", 6));
  });
  ASSERT_TRUE(eventually([&] { return delivered(in.inbox, "I-21", "dispatch"); }));
  EXPECT_EQ(labels(in.inbox),
            (std::vector<std::string>{"I-20 dispatch@1", "I-17 dispatch@3", "I-20 cancel@4",
                                      "I-17 cancel@5", "I-21 dispatch@6"}));
  EXPECT_EQ(counter(link, "duplicates.replayed"), 1u);
  EXPECT_GE(counter(link, "lost"), 1u) << "the never-answered seq is counted";
}

// A unit restarted while a gap was open is not handed again what it had
// delivered beyond the gap: a call dispatched and cancelled there must not
// flash open and shut on the restarted screen.
TEST(LinkFault, UnitRestartedWhileAGapIsOpenCatchesUpOnlyWhatNeverArrived) {
  mdtc::test::TempDir dir;
  stub_cad::GatewayOptions g;
  g.pub_endpoint = endpoint();
  g.router_endpoint = endpoint();
  g.heartbeat_ms = 0;
  GatewayThread gw(g);
  gw.with([](auto& x) {
    x.set_catchup_answers(false);
    return 0;
  });
  auto lo = mdtc::test::link_options("2A31", gw);
  lo.outbox_path = dir.file("outbox.db");
  auto cancel = [](const std::string& id) {
    Poco::JSON::Object::Ptr b = new Poco::JSON::Object;
    b->set("type", "cancel");
    b->set("incident_id", id);
    return b;
  };
  {
    Inbox inbox;
    Link link(lo, inbox.message_handler(), nullptr);
    ASSERT_TRUE(link.start());
    ASSERT_TRUE(eventually([&] {
      return gw.with([](auto& x) { return x.has_subscriber("unit.2A31") && x.hello_seen("2A31"); });
    }));
    gw.with([&](auto& x) {
      x.publish("unit.2A31", simple_dispatch("I-1"));
      x.publish("unit.2A31", simple_dispatch("I-2"), false);  // lost, and the ask goes unanswered
      x.publish("unit.2A31", simple_dispatch("I-3"));
      return x.publish("unit.2A31", cancel("I-3"));
    });
    ASSERT_TRUE(inbox.wait_messages(3));
  }  // the unit goes down with the gap open
  gw.with([](auto& x) {
    x.set_catchup_answers(true);
    return 0;
  });
  Inbox inbox;
  Link link(lo, inbox.message_handler(), nullptr);
  ASSERT_TRUE(link.start());
  ASSERT_TRUE(inbox.wait_messages(1));
  gw.with([&](auto& x) { return x.publish("unit.2A31", simple_dispatch("I-4")); });
  ASSERT_TRUE(eventually([&] { return delivered(inbox, "I-4", "dispatch"); }));
  EXPECT_EQ(ids(inbox), (std::vector<std::string>{"I-2", "I-4"}));
}

// A place saved by a run that took a seq the gateway never reached (before
// seqs were checked): resumed as it is, every real dispatch would be dropped
// as a duplicate. The gateway's heartbeat says its head is lower in the
// same epoch, and the link takes the gateway's word.
TEST(LinkFault, SpoiledSavedPositionIsResetByTheGatewaysHeartbeat) {
  mdtc::test::TempDir dir;
  stub_cad::GatewayOptions g;
  g.pub_endpoint = endpoint();
  g.router_endpoint = endpoint();
  g.epoch = "e1";
  g.heartbeat_ms = 50;
  GatewayThread gw(g);
  gw.with([](auto& x) { return x.publish("unit.2A31", simple_dispatch("I-1")); });
  {
    auto store = mdtc::bridge::PositionStore::open(dir.file("outbox.db"));
    ASSERT_TRUE(store);
    const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
    ASSERT_TRUE(store.value()->save({{"unit.2A31", "e1", 1'000'000'000'000, now_ms, {}}}));
  }
  mdtc::bridge::LinkOptions lo;
  lo.unit_id = "2A31";
  lo.subscribe_endpoint = gw.pub();
  lo.dealer_endpoint = gw.router();
  lo.outbox_path = dir.file("outbox.db");
  Inbox inbox;
  Link link(lo, inbox.message_handler(), nullptr);
  ASSERT_TRUE(link.start());
  ASSERT_TRUE(eventually([&] { return counter(link, "positions.reset_by_head") >= 1; }));
  ASSERT_TRUE(eventually([&] { return gw.with([](auto& x) { return x.has_subscriber("unit.2A31"); }); }));
  gw.with([](auto& x) { return x.publish("unit.2A31", simple_dispatch("I-2")); });
  ASSERT_TRUE(inbox.wait_messages(1));
  EXPECT_EQ(ids(inbox), std::vector<std::string>{"I-2"});
  EXPECT_EQ(counter(link, "positions.resumed"), 1u);
}
