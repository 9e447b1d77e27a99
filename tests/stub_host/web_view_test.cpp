// The stub host's live web page over a real loopback HTTP connection, and,
// where Debian's chromium is installed, rendered by a headless browser.
#include "web_view.h"

#include <gtest/gtest.h>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <sstream>

#include "temp_dir.h"

namespace {

const char* kPanel =
    R"({"id":"premise:I-1","kind":"premise","title":"PREMISE HISTORY - SAFETY FLAGS","severity":"danger",)"
    R"("sections":[{"id":"safety","title":"SAFETY","severity":"danger","fields":[{"label":"Weapons reported",)"
    R"("value":"Legally owns rifles","severity":"danger"}]}],"actions":[{"id":"dismiss","label":"Dismiss","style":"default"}]})";

std::string get(int port, const std::string& uri) {
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
  Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_GET, uri);
  session.sendRequest(req);
  Poco::Net::HTTPResponse resp;
  std::ostringstream body;
  Poco::StreamCopier::copyStream(session.receiveResponse(resp), body);
  return body.str();
}

TEST(WebView, ServesThePageOnLoopback) {
  WebView web(0, "[2A31]", [](auto&, auto&, auto&) {});
  ASSERT_GT(web.port(), 0);
  const std::string page = get(web.port(), "/");
  EXPECT_NE(page.find("EventSource('/events')"), std::string::npos);
  EXPECT_NE(page.find("\"[2A31]\""), std::string::npos);
}

TEST(WebView, StreamsPanelsAsServerSentEvents) {
  WebView web(0, "MDT", [](auto&, auto&, auto&) {});
  web.publish("show", "premise:I-1", kPanel);
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(web.port()));
  Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_GET, "/events");
  session.sendRequest(req);
  Poco::Net::HTTPResponse resp;
  std::istream& in = session.receiveResponse(resp);
  EXPECT_EQ(resp.getContentType(), "text/event-stream");
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  EXPECT_EQ(line.rfind("data: {\"kind\":\"show\",\"panel_id\":\"premise:I-1\"", 0), 0u) << line;
  EXPECT_NE(line.find("Legally owns rifles"), std::string::npos);
}

TEST(WebView, ButtonTapReachesTheHost) {
  std::mutex mu;
  std::condition_variable cv;
  std::string tapped;
  WebView web(0, "MDT", [&](const std::string& panel, const std::string& action, const std::string& payload) {
    std::lock_guard lock(mu);
    tapped = panel + "/" + action + payload;
    cv.notify_all();
  });
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(web.port()));
  Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_POST, "/action");
  const std::string body = "panel=coresponder%3AI-1&action=request_coresponder";
  req.setContentType("application/x-www-form-urlencoded");
  req.setContentLength(static_cast<std::streamsize>(body.size()));
  session.sendRequest(req) << body;
  Poco::Net::HTTPResponse resp;
  session.receiveResponse(resp);
  EXPECT_EQ(resp.getStatus(), Poco::Net::HTTPResponse::HTTP_NO_CONTENT);
  std::unique_lock lock(mu);
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return !tapped.empty(); }));
  EXPECT_EQ(tapped, "coresponder:I-1/request_coresponder");
}

TEST(WebView, TapCarriesThePanelsInputsAsThePayload) {
  std::mutex mu;
  std::condition_variable cv;
  std::string payload_seen;
  bool tapped = false;
  WebView web(0, "MDT", [&](const std::string&, const std::string&, const std::string& payload) {
    std::lock_guard lock(mu);
    payload_seen = payload;
    tapped = true;
    cv.notify_all();
  });
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(web.port()));
  Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_POST, "/action");
  const std::string body =
      "panel=offer%3AR-1&action=referral_made&payload=%7B%22age_band%22%3A%2225_34%22%7D";
  req.setContentType("application/x-www-form-urlencoded");
  req.setContentLength(static_cast<std::streamsize>(body.size()));
  session.sendRequest(req) << body;
  Poco::Net::HTTPResponse resp;
  session.receiveResponse(resp);
  EXPECT_EQ(resp.getStatus(), Poco::Net::HTTPResponse::HTTP_NO_CONTENT);
  std::unique_lock lock(mu);
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return tapped; }));
  EXPECT_EQ(payload_seen, R"({"age_band":"25_34"})");
}

TEST(WebView, HeadlessChromiumRendersSafetyInRed) {
  const char* chromium = "/usr/bin/chromium";
  if (!std::filesystem::exists(chromium)) GTEST_SKIP() << "Debian's chromium is not installed";
  WebView web(0, "[2A31 officer]", [](auto&, auto&, auto&) {});
  web.publish("show", "premise:I-1", kPanel);
  mdtc::test::TempDir dir;
  const std::string url = "http://127.0.0.1:" + std::to_string(web.port()) + "/";
  const std::string flags =
      " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run"
      " --disable-background-networking --disable-component-update --disable-sync"
      " --timeout=4000 --user-data-dir=" + dir.file("profile");
  const std::string shot = std::string(MDTC_BINARY_DIR) + "/web-view.png";
    // The page holds an event stream open, so the browser is stopped by
  // --timeout after rendering; `timeout` bounds a browser that hangs anyway.
  ASSERT_EQ(std::system(("timeout 60 " + std::string(chromium) + flags + " --window-size=900,600 --screenshot=" +
                         shot + " " + url + " >/dev/null 2>&1").c_str()), 0);
  // A page without the panel (dark background and a heading) compresses to
  // about 5 kB; the red panel with its text is several times that.
  EXPECT_GT(std::filesystem::file_size(shot), 10000u) << "screenshot saved at " << shot;
}

}  // namespace
