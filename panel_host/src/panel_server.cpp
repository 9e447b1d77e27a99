#include "mdtc/panel_host.h"

#include <unistd.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/Net/HTMLForm.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/URI.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "panel_page.h"

namespace mdtc::panel {
namespace {

using Poco::Net::HTTPRequestHandler;
using Poco::Net::HTTPResponse;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string read_all(const char* path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Every panel event since start: a page that opens late (or reopens after
// the browser restarted) still sees the current screen by replaying them.
struct Feed {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> events;
  bool stopping = false;
};

struct Shared {
  PanelServerOptions options;
  PanelServer::ActionHandler on_action;
  Feed feed;
  uint16_t port = 0;
  std::atomic<int64_t> last_heartbeat_ms{-1};
  std::atomic<bool> concealed{false};

  void log(const std::string& line) const {
    if (options.log) options.log(line);
  }

  // Why this request may not act or read panels; empty when it may.
  std::string refusal(const HTTPServerRequest& req, const std::string& given_secret) const {
    if (options.same_user_only) {
      const uint16_t peer = req.clientAddress().port();
      auto uid = loopback_peer_uid(read_all("/proc/net/tcp"), peer, port);
      if (!uid) uid = loopback_peer_uid(read_all("/proc/net/tcp6"), peer, port);
      if (!uid) return "the connection's local user cannot be told";
      if (*uid != getuid()) return "local user " + std::to_string(*uid) + " is not the screen's user";
    }
    if (!options.secret.empty() && !secret_matches(options.secret, given_secret))
      return given_secret.empty() ? "no secret" : "a wrong secret";
    return {};
  }

  // Sends 403 and logs; true when the request was refused.
  bool refuse_if_needed(HTTPServerRequest& req, HTTPServerResponse& resp, const std::string& given_secret,
                        const std::string& what) const {
    const std::string why = refusal(req, given_secret);
    if (why.empty()) return false;
    log("refused " + what + " from " + req.clientAddress().toString() + ": " + why);
    resp.setStatusAndReason(HTTPResponse::HTTP_FORBIDDEN);
    resp.send() << "refused: " << why << "\n";
    return true;
  }
};

std::string query_param(const std::string& uri, const std::string& name) {
  for (const auto& [k, v] : Poco::URI(uri).getQueryParameters())
    if (k == name) return v;
  return {};
}

class PageHandler : public HTTPRequestHandler {
 public:
  explicit PageHandler(const Shared& shared) : shared_(shared) {}
  void handleRequest(HTTPServerRequest&, HTTPServerResponse& resp) override {
    // The page holds no panel data: it fetches them with the secret.
    std::string page = panel_page_html();
    std::ostringstream t;
    Poco::JSON::Stringifier::formatString(shared_.options.title, t);
    page.replace(page.find("TITLE"), 5, t.str());
    resp.setContentType("text/html; charset=utf-8");
    resp.set("Cache-Control", "no-store");
    resp.sendBuffer(page.data(), page.size());
  }

 private:
  const Shared& shared_;
};

class EventsHandler : public HTTPRequestHandler {
 public:
  explicit EventsHandler(Shared& shared) : shared_(shared) {}
  void handleRequest(HTTPServerRequest& req, HTTPServerResponse& resp) override {
    if (shared_.refuse_if_needed(req, resp, query_param(req.getURI(), "s"), "the panel stream")) return;
    resp.setContentType("text/event-stream");
    resp.set("Cache-Control", "no-cache");
    resp.setChunkedTransferEncoding(true);  // a stream has no length
    std::ostream& out = resp.send();
    std::size_t next = 0;
    Feed& feed = shared_.feed;
    for (;;) {
      std::vector<std::string> batch;
      {
        std::unique_lock lock(feed.mu);
        // The timeout only bounds how long a closed page holds a thread.
        feed.cv.wait_for(lock, std::chrono::seconds(1),
                         [&] { return feed.stopping || feed.events.size() > next; });
        if (feed.stopping) return;
        batch.assign(feed.events.begin() + static_cast<std::ptrdiff_t>(next), feed.events.end());
        next = feed.events.size();
      }
      for (const auto& e : batch) out << "data: " << e << "\n\n";
      if (batch.empty()) out << ": keep-alive\n\n";
      out.flush();
      if (!out.good()) return;
    }
  }

 private:
  Shared& shared_;
};

class ActionRequestHandler : public HTTPRequestHandler {
 public:
  explicit ActionRequestHandler(Shared& shared) : shared_(shared) {}
  void handleRequest(HTTPServerRequest& req, HTTPServerResponse& resp) override {
    Poco::Net::HTMLForm form(req, req.stream());
    if (shared_.refuse_if_needed(req, resp, req.get("X-Panel-Secret", ""), "an action")) return;
    const std::string panel = form.get("panel", ""), action = form.get("action", "");
    if (req.getMethod() != "POST" || panel.empty() || action.empty()) {
      resp.setStatusAndReason(HTTPResponse::HTTP_BAD_REQUEST);
      resp.send() << "POST panel and action\n";
      return;
    }
    shared_.on_action(panel, action, form.get("payload", ""));
    resp.setStatusAndReason(HTTPResponse::HTTP_NO_CONTENT);
    resp.send();
  }

 private:
  Shared& shared_;
};

class HeartbeatHandler : public HTTPRequestHandler {
 public:
  explicit HeartbeatHandler(Shared& shared) : shared_(shared) {}
  void handleRequest(HTTPServerRequest& req, HTTPServerResponse& resp) override {
    if (shared_.refuse_if_needed(req, resp, req.get("X-Panel-Secret", ""), "a heartbeat")) return;
    shared_.last_heartbeat_ms = steady_ms();
    shared_.concealed = req.get("X-Panel-Concealed", "0") == "1";
    const std::string body = shared_.options.status ? shared_.options.status() : std::string("{}");
    resp.setContentType("application/json");
    resp.set("Cache-Control", "no-store");
    resp.sendBuffer(body.data(), body.size());
  }

 private:
  Shared& shared_;
};

class Router : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit Router(Shared& shared) : shared_(shared) {}
  HTTPRequestHandler* createRequestHandler(const HTTPServerRequest& req) override {
    const std::string path = Poco::URI(req.getURI()).getPath();
    if (path == "/events") return new EventsHandler(shared_);
    if (path == "/action") return new ActionRequestHandler(shared_);
    if (path == "/heartbeat") return new HeartbeatHandler(shared_);
    return new PageHandler(shared_);
  }

 private:
  Shared& shared_;
};

}  // namespace

struct PanelServer::Impl {
  Shared shared;
  std::unique_ptr<Poco::Net::HTTPServer> server;
};

PanelServer::PanelServer(PanelServerOptions options, ActionHandler on_action) : impl_(new Impl) {
  impl_->shared.options = std::move(options);
  impl_->shared.on_action = std::move(on_action);
  Poco::Net::ServerSocket socket;
  try {
    socket.bind(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(impl_->shared.options.port)),
                false);
    socket.listen();
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot serve the panel page on 127.0.0.1:" +
                             std::to_string(impl_->shared.options.port) + ": " + e.what());
  }
  impl_->shared.port = socket.address().port();
  auto* params = new Poco::Net::HTTPServerParams;
  // The event stream holds one thread per open page; the rest are short.
  params->setMaxThreads(8);
  impl_->server = std::make_unique<Poco::Net::HTTPServer>(new Router(impl_->shared), socket, params);
  impl_->server->start();
}

PanelServer::~PanelServer() {
  {
    std::lock_guard lock(impl_->shared.feed.mu);
    impl_->shared.feed.stopping = true;
  }
  impl_->shared.feed.cv.notify_all();
  impl_->server->stopAll(true);
}

int PanelServer::port() const { return impl_->shared.port; }

bool PanelServer::concealed() const { return impl_->shared.concealed; }

std::optional<int64_t> PanelServer::last_heartbeat_ms() const {
  const int64_t ms = impl_->shared.last_heartbeat_ms;
  if (ms < 0) return std::nullopt;
  return ms;
}

void PanelServer::publish(const std::string& kind, const std::string& panel_id,
                          const std::string& panel_json) {
  Poco::JSON::Object event(Poco::JSON_PRESERVE_KEY_ORDER);
  event.set("kind", kind);
  event.set("panel_id", panel_id);
  if (!panel_json.empty()) {
    try {
      Poco::JSON::Parser parser;
      event.set("doc", parser.parse(panel_json));
    } catch (const std::exception&) {
      return;  // hosts check documents before publishing them
    }
  }
  std::ostringstream out;
  event.stringify(out);
  {
    std::lock_guard lock(impl_->shared.feed.mu);
    impl_->shared.feed.events.push_back(out.str());
  }
  impl_->shared.feed.cv.notify_all();
}

std::string make_boot_secret() {
  unsigned char bytes[32];
  std::ifstream random("/dev/urandom", std::ios::binary);
  if (!random.read(reinterpret_cast<char*>(bytes), sizeof bytes))
    throw std::runtime_error("cannot read /dev/urandom for the page's secret");
  std::string hex;
  char two[3];
  for (unsigned char b : bytes) {
    std::snprintf(two, sizeof two, "%02x", b);
    hex += two;
  }
  return hex;
}

bool secret_matches(std::string_view expected, std::string_view given) {
  if (expected.size() != given.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < expected.size(); ++i)
    diff = static_cast<unsigned char>(diff | (expected[i] ^ given[i]));
  return diff == 0;
}

}  // namespace mdtc::panel
