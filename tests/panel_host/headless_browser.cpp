#include "headless_browser.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <Poco/Base64Decoder.h>
#include <Poco/Buffer.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/WebSocket.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

extern char** environ;

namespace mdtc::test {
namespace {

constexpr const char* kChromium = "/usr/bin/chromium";

std::string to_json(const Poco::JSON::Object& o) {
  std::ostringstream s;
  o.stringify(s);
  return s.str();
}

}  // namespace

struct HeadlessBrowser::Impl {
  TempDir dir;
  pid_t pid = -1;
  std::unique_ptr<Poco::Net::HTTPClientSession> session;
  std::unique_ptr<Poco::Net::WebSocket> ws;
  int next_id = 1;

  // Sends one command and returns its result object, skipping events.
  Poco::JSON::Object::Ptr call(const std::string& method, Poco::JSON::Object::Ptr params = nullptr) {
    Poco::JSON::Object msg;
    const int id = next_id++;
    msg.set("id", id);
    msg.set("method", method);
    msg.set("params", params ? params : Poco::JSON::Object::Ptr(new Poco::JSON::Object));
    const std::string text = to_json(msg);
    ws->sendFrame(text.data(), static_cast<int>(text.size()), Poco::Net::WebSocket::FRAME_TEXT);
    for (;;) {
      Poco::Buffer<char> buf(0);
      int flags = 0;
      const int n = ws->receiveFrame(buf, flags);
      if (n <= 0) throw std::runtime_error("the browser closed the DevTools connection");
      auto reply = Poco::JSON::Parser().parse(std::string(buf.begin(), static_cast<std::size_t>(n)))
                       .extract<Poco::JSON::Object::Ptr>();
      if (!reply->has("id") || reply->getValue<int>("id") != id) continue;
      if (reply->has("error")) throw std::runtime_error(method + ": " + to_json(*reply->getObject("error")));
      return reply->getObject("result");
    }
  }
};

bool HeadlessBrowser::available() { return std::filesystem::exists(kChromium); }

HeadlessBrowser::HeadlessBrowser(int width, int height) : impl_(new Impl) {
  const std::string profile = impl_->dir.file("profile");
  std::vector<std::string> args{kChromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                                "--disable-background-networking", "--disable-component-update",
                                "--disable-sync", "--disable-quic", "--hide-scrollbars",
                                "--remote-debugging-port=0", "--user-data-dir=" + profile,
                                "--window-size=" + std::to_string(width) + "," + std::to_string(height),
                                "about:blank"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, impl_->dir.file("chromium.log").c_str(), O_WRONLY | O_CREAT, 0600);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  const int rc = posix_spawn(&impl_->pid, kChromium, &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) throw std::runtime_error("cannot start chromium");
  // Chromium writes its DevTools port into the profile once it listens.
  const std::string port_file = profile + "/DevToolsActivePort";
  int port = 0;
  for (int i = 0; i < 300 && port == 0; ++i) {
    std::ifstream in(port_file);
    if (!(in >> port)) port = 0;
    if (port == 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (port == 0) throw std::runtime_error("chromium did not open its DevTools port");
  // The page target's WebSocket. The port file can appear a moment before
  // the DevTools server answers, so the listing is asked again until it does.
  std::string ws_path;
  for (int i = 0; i < 100 && ws_path.empty(); ++i) {
    try {
      Poco::Net::HTTPClientSession http("127.0.0.1", static_cast<Poco::UInt16>(port));
      Poco::Net::HTTPRequest list(Poco::Net::HTTPRequest::HTTP_GET, "/json/list", Poco::Net::HTTPMessage::HTTP_1_1);
      http.sendRequest(list);
      Poco::Net::HTTPResponse resp;
      std::ostringstream body;
      Poco::StreamCopier::copyStream(http.receiveResponse(resp), body);
      auto targets = Poco::JSON::Parser().parse(body.str()).extract<Poco::JSON::Array::Ptr>();
      for (unsigned t = 0; t < targets->size() && ws_path.empty(); ++t) {
        auto target = targets->getObject(t);
        if (target->getValue<std::string>("type") == "page")
          ws_path = Poco::URI(target->getValue<std::string>("webSocketDebuggerUrl")).getPathEtc();
      }
    } catch (const std::exception&) {
    }
    if (ws_path.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (ws_path.empty()) throw std::runtime_error("chromium has no page target");
  impl_->session = std::make_unique<Poco::Net::HTTPClientSession>("127.0.0.1", static_cast<Poco::UInt16>(port));
  Poco::Net::HTTPRequest upgrade(Poco::Net::HTTPRequest::HTTP_GET, ws_path, Poco::Net::HTTPMessage::HTTP_1_1);
  Poco::Net::HTTPResponse upgraded;
  impl_->ws = std::make_unique<Poco::Net::WebSocket>(*impl_->session, upgrade, upgraded);
  impl_->ws->setMaxPayloadSize(64 * 1024 * 1024);
  impl_->ws->setReceiveTimeout(Poco::Timespan(30, 0));
  Poco::JSON::Object::Ptr metrics = new Poco::JSON::Object;
  metrics->set("width", width);
  metrics->set("height", height);
  metrics->set("deviceScaleFactor", 1);
  metrics->set("mobile", false);
  impl_->call("Emulation.setDeviceMetricsOverride", metrics);
}

HeadlessBrowser::~HeadlessBrowser() {
  impl_->ws.reset();
  if (impl_->pid > 0) {
    kill(impl_->pid, SIGKILL);
    waitpid(impl_->pid, nullptr, 0);
  }
}

void HeadlessBrowser::navigate(const std::string& url) {
  Poco::JSON::Object::Ptr p = new Poco::JSON::Object;
  p->set("url", url);
  impl_->call("Page.navigate", p);
  wait_until("document.readyState === 'complete'", std::chrono::seconds(20));
}

std::string HeadlessBrowser::eval(const std::string& expression) {
  Poco::JSON::Object::Ptr p = new Poco::JSON::Object;
  p->set("expression", "JSON.stringify((()=>{ return (" + expression + "); })())");
  p->set("returnByValue", true);
  auto r = impl_->call("Runtime.evaluate", p);
  if (r->has("exceptionDetails")) throw std::runtime_error(expression + ": " + to_json(*r->getObject("exceptionDetails")));
  auto result = r->getObject("result");
  return result->has("value") ? result->getValue<std::string>("value") : "undefined";
}

bool HeadlessBrowser::wait_until(const std::string& expression, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (eval("!!(" + expression + ")") == "true") return true;
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

void HeadlessBrowser::press(const std::string& key) {
  static const std::pair<const char*, int> kCodes[] = {
      {"F1", 112}, {"F2", 113}, {"F3", 114}, {"F4", 115}, {"F6", 117}, {"F7", 118},
      {"F8", 119}, {"F9", 120}, {"F10", 121}, {"Tab", 9}, {"Enter", 13}};
  int code = 0;
  for (auto [k, c] : kCodes)
    if (key == k) code = c;
  for (const char* type : {"rawKeyDown", "keyUp"}) {
    Poco::JSON::Object::Ptr p = new Poco::JSON::Object;
    p->set("type", std::string(type));
    p->set("key", key);
    p->set("code", key);
    p->set("windowsVirtualKeyCode", code);
    if (key == "Enter" && std::string(type) == "rawKeyDown") {
      p->set("type", std::string("keyDown"));
      p->set("text", std::string("\r"));
    }
    impl_->call("Input.dispatchKeyEvent", p);
  }
}

void HeadlessBrowser::screenshot(const std::string& png_path) {
  Poco::JSON::Object::Ptr p = new Poco::JSON::Object;
  p->set("format", std::string("png"));
  auto r = impl_->call("Page.captureScreenshot", p);
  std::istringstream b64(r->getValue<std::string>("data"));
  Poco::Base64Decoder decoder(b64);
  std::ofstream out(png_path, std::ios::binary);
  Poco::StreamCopier::copyStream(decoder, out);
}

}  // namespace mdtc::test
