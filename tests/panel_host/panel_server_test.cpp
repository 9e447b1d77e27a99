// The panel page's server over real loopback HTTP connections: panels as
// server-sent events, taps, heartbeats, and who may use them.
#include <gtest/gtest.h>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <condition_variable>
#include <mutex>
#include <sstream>
#include <vector>

#include "mdtc/panel_host.h"

namespace {

using mdtc::panel::PanelServer;
using mdtc::panel::PanelServerOptions;

const char* kPanel =
    R"({"v":1,"id":"premise:I-1","kind":"premise","title":"PREMISE HISTORY - SAFETY FLAGS","severity":"danger",)"
    R"("sections":[{"id":"safety","title":"SAFETY","severity":"danger","fields":[{"label":"Weapons reported",)"
    R"("value":"Legally owns rifles","severity":"danger"}]}],"actions":[{"id":"dismiss","label":"Dismiss","style":"default"}]})";

const std::string kSecret(64, 'a');

struct Reply {
  int status = 0;
  std::string body;
};

Reply request(int port, const std::string& method, const std::string& uri, const std::string& secret = {},
              const std::string& body = {}) {
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
  Poco::Net::HTTPRequest req(method, uri, Poco::Net::HTTPMessage::HTTP_1_1);
  if (!secret.empty()) req.set("X-Panel-Secret", secret);
  if (method == "POST") {
    req.setContentType("application/x-www-form-urlencoded");
    req.setContentLength(static_cast<std::streamsize>(body.size()));
  }
  session.sendRequest(req) << body;
  Poco::Net::HTTPResponse resp;
  std::ostringstream out;
  Poco::StreamCopier::copyStream(session.receiveResponse(resp), out);
  return {static_cast<int>(resp.getStatus()), out.str()};
}

// A server with a secret, recording taps and log lines.
struct Fixture {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> taps, logs;
  PanelServer server;

  explicit Fixture(std::string secret = kSecret)
      : server(options(std::move(secret)), [this](const std::string& p, const std::string& a, const std::string& pl) {
          std::lock_guard lock(mu);
          taps.push_back(p + "/" + a + pl);
          cv.notify_all();
        }) {}

  PanelServerOptions options(std::string secret) {
    PanelServerOptions o;
    o.title = "[2A31]";
    o.secret = std::move(secret);
    o.log = [this](const std::string& line) {
      std::lock_guard lock(mu);
      logs.push_back(line);
    };
    o.status = [] { return std::string(R"({"severity":"info","items":[]})"); };
    return o;
  }
};

TEST(PanelServer, ServesThePageOnLoopbackWithoutPanelData) {
  Fixture f;
  f.server.publish("show", "premise:I-1", kPanel);
  const auto page = request(f.server.port(), "GET", "/");
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("new EventSource('/events?s='"), std::string::npos);
  EXPECT_NE(page.body.find("\"[2A31]\""), std::string::npos);
  EXPECT_EQ(page.body.find("Legally owns rifles"), std::string::npos);
}

TEST(PanelServer, StreamsPanelsAsServerSentEventsWithTheSecret) {
  Fixture f;
  f.server.publish("show", "premise:I-1", kPanel);
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(f.server.port()));
  Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_GET, "/events?s=" + kSecret);
  session.sendRequest(req);
  Poco::Net::HTTPResponse resp;
  std::istream& in = session.receiveResponse(resp);
  EXPECT_EQ(resp.getContentType(), "text/event-stream");
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  EXPECT_EQ(line.rfind("data: {\"kind\":\"show\",\"panel_id\":\"premise:I-1\"", 0), 0u) << line;
  EXPECT_NE(line.find("Legally owns rifles"), std::string::npos);
}

TEST(PanelServer, EventsWithoutTheSecretAreRefusedAndLogged) {
  Fixture f;
  f.server.publish("show", "premise:I-1", kPanel);
  const auto r = request(f.server.port(), "GET", "/events");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.body.find("rifles"), std::string::npos);
  std::lock_guard lock(f.mu);
  ASSERT_EQ(f.logs.size(), 1u);
  EXPECT_NE(f.logs[0].find("refused the panel stream"), std::string::npos) << f.logs[0];
  EXPECT_NE(f.logs[0].find("no secret"), std::string::npos) << f.logs[0];
}

TEST(PanelServer, ATapWithTheSecretReachesTheHost) {
  Fixture f;
  const auto r = request(f.server.port(), "POST", "/action", kSecret,
                         "panel=coresponder%3AI-1&action=request_coresponder");
  EXPECT_EQ(r.status, 204);
  std::unique_lock lock(f.mu);
  ASSERT_TRUE(f.cv.wait_for(lock, std::chrono::seconds(10), [&] { return !f.taps.empty(); }));
  EXPECT_EQ(f.taps[0], "coresponder:I-1/request_coresponder");
}

TEST(PanelServer, ATapWithoutOrWithAWrongSecretIsRefusedAndLogged) {
  Fixture f;
  const std::string body = "panel=coresponder%3AI-1&action=request_coresponder";
  EXPECT_EQ(request(f.server.port(), "POST", "/action", "", body).status, 403);
  EXPECT_EQ(request(f.server.port(), "POST", "/action", std::string(64, 'b'), body).status, 403);
  std::lock_guard lock(f.mu);
  EXPECT_TRUE(f.taps.empty());
  ASSERT_EQ(f.logs.size(), 2u);
  EXPECT_NE(f.logs[0].find("refused an action from 127.0.0.1:"), std::string::npos) << f.logs[0];
  EXPECT_NE(f.logs[1].find("a wrong secret"), std::string::npos) << f.logs[1];
}

TEST(PanelServer, TapCarriesThePanelsInputsAsThePayload) {
  Fixture f;
  EXPECT_EQ(request(f.server.port(), "POST", "/action", kSecret,
                    "panel=offer%3AR-1&action=referral_made&payload=%7B%22age_band%22%3A%2225_34%22%7D")
                .status,
            204);
  std::unique_lock lock(f.mu);
  ASSERT_TRUE(f.cv.wait_for(lock, std::chrono::seconds(10), [&] { return !f.taps.empty(); }));
  EXPECT_EQ(f.taps[0], R"(offer:R-1/referral_made{"age_band":"25_34"})");
}

TEST(PanelServer, HeartbeatAnswersTheStatusStripAndIsRemembered) {
  Fixture f;
  EXPECT_FALSE(f.server.last_heartbeat_ms());
  EXPECT_EQ(request(f.server.port(), "POST", "/heartbeat").status, 403);
  EXPECT_FALSE(f.server.last_heartbeat_ms());
  const auto r = request(f.server.port(), "POST", "/heartbeat", kSecret);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"severity":"info","items":[]})");
  EXPECT_TRUE(f.server.last_heartbeat_ms());
}

TEST(PanelServer, TheHeartbeatCarriesConcealedModeSoTheHostStaysSilent) {
  Fixture f;
  EXPECT_FALSE(f.server.concealed());
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(f.server.port()));
  Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_POST, "/heartbeat", Poco::Net::HTTPMessage::HTTP_1_1);
  req.set("X-Panel-Secret", kSecret);
  req.set("X-Panel-Concealed", "1");
  req.setContentLength(0);
  session.sendRequest(req);
  Poco::Net::HTTPResponse resp;
  session.receiveResponse(resp);
  EXPECT_EQ(resp.getStatus(), Poco::Net::HTTPResponse::HTTP_OK);
  EXPECT_TRUE(f.server.concealed());
  EXPECT_EQ(request(f.server.port(), "POST", "/heartbeat", kSecret).status, 200);
  EXPECT_FALSE(f.server.concealed());
}

TEST(PanelServer, WithoutASecretTheBenchServerLetsItsOwnUserAct) {
  Fixture f("");
  EXPECT_EQ(request(f.server.port(), "POST", "/action", "", "panel=p&action=a").status, 204);
}

TEST(PanelServer, TheBootSecretIs64HexDigitsAndNewEachTime) {
  const auto a = mdtc::panel::make_boot_secret(), b = mdtc::panel::make_boot_secret();
  EXPECT_EQ(a.size(), 64u);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(a, b);
  EXPECT_TRUE(mdtc::panel::secret_matches(a, a));
  EXPECT_FALSE(mdtc::panel::secret_matches(a, b));
  EXPECT_FALSE(mdtc::panel::secret_matches(a, a.substr(1)));
}

TEST(PeerUser, FindsTheOwnerOfTheClientSideOfALoopbackConnection) {
  // Port 8765 (0x223D) serves; the client's ephemeral port 50000 (0xC350).
  const std::string tcp =
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
      "   0: 0100007F:223D 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 1 1\n"
      "   1: 0100007F:223D 0100007F:C350 01 00000000:00000000 00:00000000 00000000  1000        0 2 1\n"
      "   2: 0100007F:C350 0100007F:223D 01 00000000:00000000 00:00000000 00000000  1001        0 3 1\n";
  EXPECT_EQ(mdtc::panel::loopback_peer_uid(tcp, 50000, 8765), 1001u);
  EXPECT_EQ(mdtc::panel::loopback_peer_uid(tcp, 50001, 8765), std::nullopt);
  EXPECT_EQ(mdtc::panel::loopback_peer_uid("garbage\n\n", 50000, 8765), std::nullopt);
}

}  // namespace
