// mdt-coresponder-panel with the real plugin, the CAD and GPS stand-ins and
// the real page in headless Chromium; each part is killed in turn and the
// page must say so in the danger style within seconds, so a quiet screen
// never looks like a safe one.
#include <signal.h>

#include <gtest/gtest.h>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include "child_process.h"
#include "headless_browser.h"
#include "mdtc/cache.h"
#include "temp_dir.h"

namespace mdtc::test {
namespace {

using namespace std::chrono_literals;

bool has(const std::string& s, const std::string& what) { return s.find(what) != std::string::npos; }

const char* kFlagged =
    R"({"publish":{"topic":"unit.2A31","body":{"type":"dispatch","incident":{"id":"I-2","call_type":"WELFARE CHECK","priority":2,"units":["2A31"],"location":{"address":"1208 n. maple street #3b, Springfield IL","lat":39.8012,"lon":-89.6437}}}}})";

class PanelHost : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!HeadlessBrowser::available()) GTEST_SKIP() << "Debian's chromium is not installed";
  }

  std::string endpoint(int port) const { return "tcp://127.0.0.1:" + std::to_string(port); }

  std::string make_config(const std::string& identity = "[unit]\nid = 2A31\nrole = patrol\n") {
    const std::string db = dir.file("2A31.db");
    auto cache = cache::Cache::open({db, "", true, 24});
    EXPECT_TRUE(cache.ok());
    if (cache.ok()) {
      EXPECT_TRUE(cache->import_file(MDTC_SOURCE_DIR "/demo/registry.jsonl").ok());
    }
    const std::string path = dir.file("fleet.ini");
    write_file(path, identity + "\n[cad]\nsubscribe_endpoint = " + endpoint(pub_port) +
                         "\ndealer_endpoint = " + endpoint(router_port) +
                         "\nheartbeat_timeout_s = 1\n\n[cache]\ndb = " + db + "\n\n[gps]\nport = " +
                         endpoint(gps_port) + "\nstale_after_s = 1\n\n[panel]\nunlock_after_s = 2\n");
    return path;
  }

  void start_cad(const std::string& scenario_lines = {}) {
    write_file(dir.file("scenario.jsonl"),
               std::string(R"({"wait":"subscriber","topic":"unit.2A31","timeout_s":60})") + "\n" + scenario_lines);
    cad = std::make_unique<ChildProcess>(
        std::vector<std::string>{MDTC_STUB_CAD, "--pub", endpoint(pub_port), "--router", endpoint(router_port),
                                 "--scenario", dir.file("scenario.jsonl"), "--heartbeat-ms", "200"},
        dir.file("cad.out"));
  }

  void start_gps(double speed_mps) {
    gps = std::make_unique<ChildProcess>(
        std::vector<std::string>{MDTC_STUB_GPS, "--tcp", std::to_string(gps_port), "--rate-hz", "5",
                                 "--speed-mps", std::to_string(speed_mps)},
        dir.file("gps.out"));
  }

  // Starts the host and opens its page in the browser with the secret.
  void start_host(const std::string& config) {
    host = std::make_unique<ChildProcess>(
        std::vector<std::string>{MDTC_PANEL_HOST, "--plugin", MDTC_PLUGIN_PATH, "--config", config,
                                 "--unit-config", dir.file("none.ini"), "--browser", "none", "--url-file",
                                 dir.file("url"), "--speak-to", dir.path()},
        dir.file("host.out"));
    ASSERT_TRUE(wait_for_line(dir.file("url"), [](auto& l) { return has(l, "http://127.0.0.1:"); }, 30s))
        << read_file(dir.file("host.out"));
    url = read_lines(dir.file("url")).at(0);
    browser = std::make_unique<HeadlessBrowser>();
    browser->navigate(url);
  }

  std::string chip(const std::string& id) {
    return browser->eval("(document.getElementById('chip-" + id + "')||{}).className + ' ' + (document.getElementById('chip-" + id + "')||{}).textContent");
  }

  // Seconds from now until `expression` holds in the page; fails past 15 s.
  double seconds_until(const std::string& expression) {
    const auto t0 = std::chrono::steady_clock::now();
    EXPECT_TRUE(browser->wait_until(expression, 15s)) << expression << "\n" << browser->eval("document.body.innerText")
                                                     << "\n" << read_file(dir.file("host.out"));
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }

  void all_well() {
    seconds_until("document.getElementById('chip-cad') && document.getElementById('chip-cad').textContent === 'CAD link up'"
                  " && document.getElementById('chip-gps').textContent === 'GPS OK'"
                  " && document.getElementById('chip-plugin').textContent === 'Plugin OK'"
                  " && !document.body.classList.contains('lost')");
  }

  TempDir dir;
  int pub_port = free_tcp_port(), router_port = free_tcp_port(), gps_port = free_tcp_port();
  std::unique_ptr<ChildProcess> cad, gps, host;
  std::unique_ptr<HeadlessBrowser> browser;
  std::string url;
};

TEST_F(PanelHost, KillingTheHostSaysNotRespondingWithinSeconds) {
  start_cad();
  start_gps(2);
  start_host(make_config());
  all_well();
  host->kill_now();
  const double s = seconds_until("document.body.classList.contains('lost')");
  std::cout << "host killed -> danger line after " << s << " s\n";
  EXPECT_TRUE(has(browser->eval("document.getElementById('lost').textContent"), "PANEL HOST NOT RESPONDING"));
  EXPECT_TRUE(has(browser->eval("document.getElementById('lost').textContent"), "does not mean there are no flags"));
}

TEST_F(PanelHost, AHungHostSaysNotRespondingAndRecovers) {
  start_cad();
  start_gps(2);
  start_host(make_config());
  all_well();
  ASSERT_EQ(kill(host->pid(), SIGSTOP), 0);
  std::cout << "host stopped -> danger line after " << seconds_until("document.body.classList.contains('lost')")
            << " s\n";
  ASSERT_EQ(kill(host->pid(), SIGCONT), 0);
  seconds_until("!document.body.classList.contains('lost')");
}

TEST_F(PanelHost, KillingTheCadGatewayTurnsTheCadChipDanger) {
  start_cad();
  start_gps(2);
  start_host(make_config());
  all_well();
  cad->kill_now();
  std::cout << "CAD killed -> CAD LINK DOWN after "
            << seconds_until("document.getElementById('chip-cad').className.includes('danger')") << " s\n";
  EXPECT_TRUE(has(chip("cad"), "CAD LINK DOWN"));
}

TEST_F(PanelHost, KillingTheGpsSaysStale) {
  start_cad();
  start_gps(2);
  start_host(make_config());
  all_well();
  gps->kill_now();
  std::cout << "GPS killed -> GPS STALE after "
            << seconds_until("document.getElementById('chip-gps').textContent === 'GPS STALE'") << " s\n";
}

TEST_F(PanelHost, APluginThatCannotStartIsShownStopped) {
  start_host(make_config("[unit]\nrole = patrol\n"));  // no unit.id: the plugin refuses
  seconds_until("document.getElementById('chip-plugin') && document.getElementById('chip-plugin').textContent === 'PLUGIN STOPPED'"
                " && document.getElementById('chip-plugin').className.includes('danger')");
  EXPECT_TRUE(has(read_file(dir.file("host.out")), "plugin refused to start"));
}

TEST_F(PanelHost, AnActionWithoutTheSecretIsRefusedAndLogged) {
  start_cad();
  start_host(make_config());
  const int port = std::stoi(url.substr(std::string("http://127.0.0.1:").size()));
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
  Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_POST, "/action", Poco::Net::HTTPMessage::HTTP_1_1);
  const std::string body = "panel=coresponder%3AI-2&action=request_coresponder";
  req.setContentType("application/x-www-form-urlencoded");
  req.setContentLength(static_cast<std::streamsize>(body.size()));
  session.sendRequest(req) << body;
  Poco::Net::HTTPResponse resp;
  session.receiveResponse(resp);
  EXPECT_EQ(resp.getStatus(), Poco::Net::HTTPResponse::HTTP_FORBIDDEN);
  EXPECT_TRUE(wait_for_line(dir.file("host.out"), [](auto& l) { return has(l, "refused an action"); }, 10s));
  EXPECT_FALSE(has(read_file(dir.file("host.out")), "tap: request_coresponder"));
}

TEST_F(PanelHost, AMovingCarShowsOnlyTheBannerAndTheRequestThenAllWhenStopped) {
  start_cad(std::string(kFlagged) + "\n");
  start_gps(13.4);  // 48 km/h
  start_host(make_config());
  seconds_until("document.body.classList.contains('moving') && document.getElementById('hazard')");
  EXPECT_TRUE(has(browser->eval("document.getElementById('hazard').textContent"), "Weapons"));
  // Spoken once, with the dispatch address, through the speech library.
  EXPECT_TRUE(wait_for_line(dir.file("host.out"), [](auto& l) { return has(l, "caution: Caution:"); }, 10s));
  EXPECT_TRUE(std::filesystem::exists(dir.file("spoken-1.wav")) ||
              wait_for_line(dir.file("host.out"), [&](auto&) { return std::filesystem::exists(dir.file("spoken-1.wav")); }, 10s));
  // Only the request action is visible, and it is large.
  EXPECT_EQ(browser->eval("[...document.querySelectorAll('button')].filter(b=>b.offsetParent!==null).map(b=>b.dataset.action||b.id).join(',')"),
            "\"request_coresponder\"");
  EXPECT_EQ(browser->eval("[...document.querySelectorAll('.sec')].filter(s=>s.offsetParent!==null).length"), "0");
  gps->kill_now();  // a stale GPS never keeps the screen locked
  seconds_until("!document.body.classList.contains('moving')");
  EXPECT_EQ(browser->eval("[...document.querySelectorAll('.sec')].filter(s=>s.offsetParent!==null).length > 2"), "true");
}

}  // namespace
}  // namespace mdtc::test
