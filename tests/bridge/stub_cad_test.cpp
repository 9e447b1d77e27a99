// stub-cad as the demo runs it: the real program, a scenario file, and
// real links for a patrol unit and two co-responder units.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <Poco/JSON/Parser.h>

#include <sstream>

#include <zmq.h>

#include "gateway_fixture.h"
#include "scenario.h"
#include "temp_dir.h"

using mdtc::bridge::Link;
using mdtc::test::eventually;
using mdtc::test::Inbox;
using namespace std::chrono_literals;

namespace {

struct Process {
  pid_t pid = -1;
  int out_fd = -1;
  int err_fd = -1;
  std::string out, err;

  ~Process() {
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
    if (out_fd >= 0) ::close(out_fd);
    if (err_fd >= 0) ::close(err_fd);
  }

  void start(const std::vector<std::string>& args) {
    int out_pipe[2], err_pipe[2];
    ASSERT_EQ(::pipe(out_pipe), 0);
    ASSERT_EQ(::pipe(err_pipe), 0);
    pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::dup2(out_pipe[1], 1);
      ::dup2(err_pipe[1], 2);
      std::vector<char*> argv;
      for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(out_pipe[1]);
    ::close(err_pipe[1]);
    out_fd = out_pipe[0];
    err_fd = err_pipe[0];
  }

  // Reads stdout until `text` appears or the deadline passes.
  bool wait_output(const std::string& text, std::chrono::milliseconds timeout = 20s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (out.find(text) == std::string::npos) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd p{out_fd, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char buf[4096];
      auto n = ::read(out_fd, buf, sizeof buf);
      if (n <= 0) return out.find(text) != std::string::npos;
      out.append(buf, static_cast<std::size_t>(n));
    }
    return true;
  }

  // Waits for exit and returns the exit code (-1 on timeout).
  int wait_exit(std::chrono::milliseconds timeout = 30s) {
    int status = 0;
    bool done = eventually([&] { return ::waitpid(pid, &status, WNOHANG) == pid; }, timeout);
    if (!done) return -1;
    pid = -1;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(err_fd, buf, sizeof buf)) > 0) err.append(buf, static_cast<std::size_t>(n));
    while ((n = ::read(out_fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
    return WIFEXITED(status) ? WEXITSTATUS(status) : -2;
  }
};

mdtc::bridge::LinkOptions unit(const std::string& id, const std::string& pub, const std::string& router,
                               const std::string& hello) {
  mdtc::bridge::LinkOptions o;
  o.unit_id = id;
  o.subscribe_endpoint = pub;
  o.dealer_endpoint = router;
  o.hello_json = hello;
  return o;
}

// A field of a message as the gateway sent it, read back from its typed form.
std::string field(const mdtc::bridge::Message& m, const std::string& key) {
  Poco::JSON::Parser p;
  auto o = p.parse(mdtc::bridge::encode_body(m.payload)).extract<Poco::JSON::Object::Ptr>();
  return o->has(key) ? o->get(key).toString() : std::string();
}

}  // namespace

TEST(StubCad, ScenarioRoutesCoresponderRequestAndFirstAcceptWins) {
  mdtc::test::TempDir dir;
  std::string pub = "tcp://127.0.0.1:" + std::to_string(mdtc::test::free_tcp_port());
  std::string router = "tcp://127.0.0.1:" + std::to_string(mdtc::test::free_tcp_port());
  mdtc::test::write_file(dir.file("scenario.jsonl"), R"(# co-responder routing
{"say":"units sign on"}
{"wait":"hello","unit":"2A31","timeout_s":20}
{"wait":"hello","unit":"CR7","timeout_s":20}
{"wait":"hello","unit":"CR8","timeout_s":20}
{"wait":"subscriber","topic":"unit.2A31","timeout_s":20}
{"wait":"subscriber","topic":"unit.CR7","timeout_s":20}
{"wait":"subscriber","topic":"unit.CR8","timeout_s":20}

{"publish":{"topic":"unit.2A31","body":{"type":"dispatch","incident":{"id":"I-1002","call_type":"WELFARE CHECK","location":{"address":"1208 N MAPLE ST, SPRINGFIELD IL"}}}}}
{"wait":"message","type":"coresponder_request","from":"2A31","timeout_s":20}
{"wait":"message","type":"coresponder_response","from":"CR8","timeout_s":20}
{"wait":"message","type":"coresponder_response","from":"CR7","timeout_s":20}
{"say":"done"}
)");
  Process cad;
  cad.start({MDTC_STUB_CAD, "--pub", pub, "--router", router, "--scenario", dir.file("scenario.jsonl"),
             "--record", dir.file("record.jsonl"), "--exit-when-done", "--hearteat-ms-typo-guard"});
  // An unknown option is a usage error (exit 2), not a silent ignore.
  EXPECT_EQ(cad.wait_exit(), 2);

  Process real;
  real.start({MDTC_STUB_CAD, "--pub", pub, "--router", router, "--scenario", dir.file("scenario.jsonl"),
              "--record", dir.file("record.jsonl"), "--exit-when-done", "--heartbeat-ms", "200"});
  ASSERT_TRUE(real.wait_output("stub-cad ready\n")) << real.out;

  Inbox patrol_in, cr7_in, cr8_in;
  Link patrol(unit("2A31", pub, router, R"({"role":"patrol"})"), patrol_in.message_handler(), nullptr);
  Link cr7(unit("CR7", pub, router, R"({"role":"coresponder","name":"CR-7 Clinician"})"), cr7_in.message_handler(), nullptr);
  Link cr8(unit("CR8", pub, router, R"({"role":"coresponder","name":"CR-8 Clinician"})"), cr8_in.message_handler(), nullptr);
  ASSERT_TRUE(patrol.start());
  ASSERT_TRUE(cr7.start());
  ASSERT_TRUE(cr8.start());

  ASSERT_TRUE(patrol_in.wait_messages(1));
  EXPECT_EQ(patrol_in.messages()[0].incident_id(), "I-1002");
  ASSERT_TRUE(patrol.send("coresponder_request",
                          R"({"request_id":"R-1","incident_id":"I-1002","call_type":"WELFARE CHECK","priority":2,"address":"1208 N MAPLE ST","lat":39.8012,"lon":-89.6437,"reasons":["AUTISM"]})"));
  ASSERT_TRUE(cr7_in.wait_messages(1));
  ASSERT_TRUE(cr8_in.wait_messages(1));
  EXPECT_EQ(cr7_in.messages()[0].type(), mdtc::bridge::MessageType::coresponder_request);
  EXPECT_EQ(field(cr7_in.messages()[0], "from_unit"), "2A31");
  EXPECT_EQ(field(cr8_in.messages()[0], "request_id"), "R-1");

  ASSERT_TRUE(cr8.send("coresponder_response", R"({"request_id":"R-1","incident_id":"I-1002","accepted":true,"eta_s":420,"name":"CR-8 Clinician"})"));
  ASSERT_TRUE(patrol_in.wait_messages(2));
  auto accepted = patrol_in.messages()[1];
  EXPECT_EQ(accepted.type(), mdtc::bridge::MessageType::coresponder_status);
  EXPECT_EQ(field(accepted, "state"), "accepted");
  EXPECT_EQ(field(accepted, "by_unit"), "CR8");
  EXPECT_EQ(field(accepted, "by_name"), "CR-8 Clinician");
  EXPECT_EQ(field(accepted, "eta_s"), "420");
  ASSERT_TRUE(cr7_in.wait_messages(2));
  EXPECT_EQ(field(cr7_in.messages()[1], "state"), "taken");

  ASSERT_TRUE(cr7.send("coresponder_response", R"({"request_id":"R-1","incident_id":"I-1002","accepted":true,"eta_s":60,"name":"CR-7 Clinician"})"));
  ASSERT_TRUE(cr7_in.wait_messages(3)) << [&] {
    std::ostringstream out;
    for (const auto& [k, v] : cr7.counters()) out << k << "=" << v << " ";
    return out.str();
  }();
  EXPECT_EQ(field(cr7_in.messages()[2], "state"), "taken");
  EXPECT_EQ(real.wait_exit(), 0) << real.err;
  EXPECT_NE(real.out.find("[cad] units sign on\n"), std::string::npos);
  EXPECT_NE(real.out.find("[cad] done\n"), std::string::npos);
  EXPECT_EQ(patrol_in.messages().size(), 2u) << "the late accept never reaches the officer";

  auto record = mdtc::test::read_file(dir.file("record.jsonl"));
  EXPECT_NE(record.find(R"("dir":"in")"), std::string::npos);
  EXPECT_NE(record.find(R"("dir":"out")"), std::string::npos);
  EXPECT_NE(record.find(R"("from":"2A31")"), std::string::npos);
  EXPECT_NE(record.find("coresponder_request"), std::string::npos);
}

TEST(StubCad, TimedOutWaitExitsOneAndSaysWhat) {
  mdtc::test::TempDir dir;
  mdtc::test::write_file(dir.file("s.jsonl"), R"({"wait":"hello","unit":"NOBODY","timeout_s":0.2})");
  Process cad;
  cad.start({MDTC_STUB_CAD, "--pub", "tcp://127.0.0.1:" + std::to_string(mdtc::test::free_tcp_port()),
             "--router", "tcp://127.0.0.1:" + std::to_string(mdtc::test::free_tcp_port()),
             "--scenario", dir.file("s.jsonl"), "--exit-when-done"});
  EXPECT_EQ(cad.wait_exit(), 1);
  EXPECT_NE(cad.err.find("stub-cad: timed out waiting for hello from NOBODY"), std::string::npos) << cad.err;
}

TEST(StubCad, SigtermEndsAServingGatewayCleanly) {
  Process cad;
  cad.start({MDTC_STUB_CAD, "--pub", "tcp://127.0.0.1:" + std::to_string(mdtc::test::free_tcp_port()),
             "--router", "tcp://127.0.0.1:" + std::to_string(mdtc::test::free_tcp_port())});
  ASSERT_TRUE(cad.wait_output("stub-cad ready\n"));
  ::kill(cad.pid, SIGTERM);
  EXPECT_EQ(cad.wait_exit(), 0);
}

TEST(StubCad, RetriedMessageIsAckedTwiceButActedOnOnce) {
  stub_cad::GatewayOptions o;
  o.pub_endpoint = o.router_endpoint = "tcp://127.0.0.1:0";
  o.router_endpoint = "tcp://127.0.0.1:0";
  o.heartbeat_ms = 0;
  mdtc::test::GatewayThread gw(o);
  void* ctx = zmq_ctx_new();
  void* dealer = zmq_socket(ctx, ZMQ_DEALER);
  zmq_setsockopt(dealer, ZMQ_ROUTING_ID, "2A31", 4);
  ASSERT_EQ(zmq_connect(dealer, gw.router().c_str()), 0);
  std::string body = R"({"v":1,"type":"avl","seq":1,"sent_at":"2026-11-22T10:00:00Z","unit":"2A31","key":"2A31-run-1","lat":1,"lon":2})";
  for (int i = 0; i < 2; ++i) zmq_send(dealer, body.data(), body.size(), 0);
  int acks = 0;
  for (int i = 0; i < 2; ++i) {
    zmq_pollitem_t item{dealer, 0, ZMQ_POLLIN, 0};
    while (true) {
      ASSERT_GT(zmq_poll(&item, 1, 20000), 0) << "no ack";
      char topic[64], reply[512];
      int t = zmq_recv(dealer, topic, sizeof topic, 0);
      int n = zmq_recv(dealer, reply, sizeof reply, 0);
      ASSERT_GE(t, 0);
      ASSERT_GT(n, 0);
      if (std::string(reply, static_cast<std::size_t>(n)).find(R"("type":"ack")") != std::string::npos) {
        ++acks;
        break;
      }
    }
  }
  EXPECT_EQ(acks, 2);
  EXPECT_EQ(gw.with([](auto& g) { return g.inbound().size(); }), 1u);
  EXPECT_EQ(gw.with([](auto& g) { return g.duplicate_keys(); }), 1u);
  zmq_close(dealer);
  zmq_ctx_term(ctx);
}

TEST(Scenario, BadLinesNameTheLine) {
  auto r = stub_cad::parse_scenario("# c\n\n{\"say\":\"x\"}\n{\"wait\":\"forever\"}\n");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("scenario line 4"), std::string::npos) << r.error().message;
  EXPECT_FALSE(stub_cad::parse_scenario("{\"publish\":{\"topic\":\"t\",\"body\":\"text\"}}"));
  EXPECT_FALSE(stub_cad::parse_scenario("not json"));
  auto ok = stub_cad::parse_scenario("{\"publish_raw\":{\"topic\":\"t\",\"body\":\"x {\"}}\n{\"pause_ms\":5}");
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->size(), 2u);
}

TEST(StubCad, ServerKeyFileRunsCurveOnBothSockets) {
  mdtc::test::TempDir dir;
  auto server = mdtc::bridge::generate_curve_key_pair().value();
  auto client = mdtc::bridge::generate_curve_key_pair().value();
  ASSERT_TRUE(mdtc::bridge::write_curve_key_file(dir.file("gateway.key"), server, false));
  std::string pub = "tcp://127.0.0.1:" + std::to_string(mdtc::test::free_tcp_port());
  std::string router = "tcp://127.0.0.1:" + std::to_string(mdtc::test::free_tcp_port());
  mdtc::test::write_file(dir.file("s.jsonl"), R"({"wait":"hello","unit":"2A31","timeout_s":20}
{"wait":"subscriber","topic":"unit.2A31","timeout_s":20}
{"publish":{"topic":"unit.2A31","body":{"type":"dispatch","incident":{"id":"I-CURVE","location":{"address":"1 MAIN ST"}}}}}
{"wait":"message","type":"avl","from":"2A31","timeout_s":20}
)");
  Process cad;
  cad.start({MDTC_STUB_CAD, "--pub", pub, "--router", router, "--scenario", dir.file("s.jsonl"),
             "--server-key-file", dir.file("gateway.key"), "--exit-when-done"});
  ASSERT_TRUE(cad.wait_output("stub-cad ready\n"));
  Inbox inbox;
  auto opt = unit("2A31", pub, router, "{}");
  opt.server_public_key = server.public_key;
  opt.client_public_key = client.public_key;
  opt.client_secret_key = client.secret_key;
  Link link(opt, inbox.message_handler(), nullptr);
  ASSERT_TRUE(link.start());
  ASSERT_TRUE(inbox.wait_messages(1));
  EXPECT_EQ(inbox.messages()[0].incident_id(), "I-CURVE");
  ASSERT_TRUE(link.send("avl", R"({"lat":1,"lon":2})"));
  EXPECT_EQ(cad.wait_exit(), 0) << cad.err;
}
