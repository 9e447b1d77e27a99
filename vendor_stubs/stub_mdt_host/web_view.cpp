#include "web_view.h"

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

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <sstream>
#include <vector>

namespace {

using Poco::Net::HTTPRequestHandler;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

// Every panel event since start: a page that opens late still sees the
// current screen by replaying them.
struct Feed {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> events;
  bool stopping = false;
};

const char* kPage = R"HTML(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>MDT</title>
<style>
 body{background:#111;color:#eee;font:22px/1.35 system-ui,sans-serif;margin:0;padding:12px}
 h1{font-size:20px;color:#aaa;margin:0 0 10px}
 .panel{border:3px solid #555;border-radius:10px;margin:0 0 14px;padding:10px 14px;background:#1c1c1c}
 .panel.danger{border-color:#e22}.panel.warning{border-color:#e90}.panel.caution{border-color:#3ac}
 .title{font-size:28px;font-weight:700}.danger .title{background:#c00;color:#fff;padding:2px 8px}
 .sub{color:#bbb}.sec{margin-top:8px;font-weight:700;color:#9cf}.sec.danger{color:#f55}
 .notice{font-size:16px;color:#fc6;border:1px solid #fc6;padding:4px;margin:4px 0}
 .f{margin-left:10px}.f.danger{color:#f66;font-weight:700}.f.warning{color:#fb4}
 button{font-size:24px;padding:12px 22px;margin:8px 10px 0 0;border-radius:8px;border:0}
 button.primary{background:#2a6;color:#fff}
</style></head><body><h1 id="h"></h1><div id="panels"></div>
<script>
const panels = new Map();
const kept = new Map();  // inputs the user changed, kept across re-renders
function esc(s){return String(s??'').replace(/[&<>"]/g,c=>({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));}
function render(){
  const root=document.getElementById('panels'); root.innerHTML='';
  for (const [id,d] of panels){
    const el=document.createElement('div'); el.className='panel '+esc(d.severity); el.id='panel-'+id;
    let h='<div class="title">'+esc(d.title)+'</div><div class="sub">'+esc(d.subtitle)+'</div>';
    for (const s of d.sections||[]){
      h+='<div class="sec '+esc(s.severity)+'">'+esc(s.title)+'</div>';
      if (s.notice) h+='<div class="notice">'+esc(s.notice)+'</div>';
      for (const f of s.fields||[]) h+='<div class="f '+esc(f.severity)+'">'+esc(f.label)+(f.value?': '+esc(f.value):'')+'</div>';
    }
    for (const i of d.inputs||[]){
      const at=' data-panel="'+esc(id)+'" data-input="'+esc(i.id)+'"';
      const v=kept.get(id+'/'+i.id)??i.value;
      h+='<div class="f">'+esc(i.label)+': ';
      if (i.options) h+='<select'+at+'>'+i.options.map(o=>'<option value="'+esc(o.id)+'"'+(o.id===v?' selected':'')+'>'+esc(o.label)+'</option>').join('')+'</select>';
      else h+='<input'+at+' value="'+esc(v)+'">';
      h+='</div>';
    }
    for (const a of d.actions||[]) h+='<button class="'+esc(a.style)+'" data-panel="'+esc(id)+'" data-action="'+esc(a.id)+'">'+esc(a.label)+'</button>';
    el.innerHTML=h; root.appendChild(el);
  }
  document.querySelectorAll('[data-input]').forEach(i=>i.onchange=()=>kept.set(i.dataset.panel+'/'+i.dataset.input,i.value));
  document.querySelectorAll('button').forEach(b=>b.onclick=()=>{
    const payload={};
    document.querySelectorAll('[data-input]').forEach(i=>{if(i.dataset.panel===b.dataset.panel) payload[i.dataset.input]=i.value;});
    fetch('/action',{method:'POST',headers:{'Content-Type':'application/x-www-form-urlencoded'},
      body:'panel='+encodeURIComponent(b.dataset.panel)+'&action='+encodeURIComponent(b.dataset.action)+
           (Object.keys(payload).length?'&payload='+encodeURIComponent(JSON.stringify(payload)):'')});
  });
}
document.getElementById('h').textContent=document.title=TITLE;
new EventSource('/events').onmessage=e=>{
  const ev=JSON.parse(e.data);
  if (ev.kind==='close') panels.delete(ev.panel_id); else panels.set(ev.panel_id, ev.doc);
  render();
};
</script></body></html>
)HTML";

class PageHandler : public HTTPRequestHandler {
 public:
  explicit PageHandler(std::string title) : title_(std::move(title)) {}
  void handleRequest(HTTPServerRequest&, HTTPServerResponse& resp) override {
    std::string page = kPage;
    std::ostringstream t;
    Poco::JSON::Stringifier::formatString(title_, t);
    page.replace(page.find("TITLE"), 5, t.str());
    resp.setContentType("text/html; charset=utf-8");
    resp.sendBuffer(page.data(), page.size());
  }

 private:
  std::string title_;
};

class EventsHandler : public HTTPRequestHandler {
 public:
  explicit EventsHandler(Feed& feed) : feed_(feed) {}
  void handleRequest(HTTPServerRequest&, HTTPServerResponse& resp) override {
    resp.setContentType("text/event-stream");
    resp.set("Cache-Control", "no-cache");
    resp.setChunkedTransferEncoding(true);  // a stream has no length
    std::ostream& out = resp.send();
    std::size_t next = 0;
    for (;;) {
      std::vector<std::string> batch;
      {
        std::unique_lock lock(feed_.mu);
        // The timeout only bounds how long a closed page holds a thread.
        feed_.cv.wait_for(lock, std::chrono::seconds(1),
                          [&] { return feed_.stopping || feed_.events.size() > next; });
        if (feed_.stopping) return;
        batch.assign(feed_.events.begin() + static_cast<std::ptrdiff_t>(next), feed_.events.end());
        next = feed_.events.size();
      }
      for (const auto& e : batch) out << "data: " << e << "\n\n";
      if (batch.empty()) out << ": keep-alive\n\n";
      out.flush();
      if (!out.good()) return;
    }
  }

 private:
  Feed& feed_;
};

class ActionRequestHandler : public HTTPRequestHandler {
 public:
  explicit ActionRequestHandler(const WebView::ActionHandler& on_action) : on_action_(on_action) {}
  void handleRequest(HTTPServerRequest& req, HTTPServerResponse& resp) override {
    Poco::Net::HTMLForm form(req, req.stream());
    const std::string panel = form.get("panel", ""), action = form.get("action", "");
    if (req.getMethod() != "POST" || panel.empty() || action.empty()) {
      resp.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_BAD_REQUEST);
      resp.send() << "POST panel and action\n";
      return;
    }
    on_action_(panel, action, form.get("payload", ""));
    resp.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_NO_CONTENT);
    resp.send();
  }

 private:
  const WebView::ActionHandler& on_action_;
};

class Router : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  Router(Feed& feed, std::string title, const WebView::ActionHandler& on_action)
      : feed_(feed), title_(std::move(title)), on_action_(on_action) {}
  HTTPRequestHandler* createRequestHandler(const HTTPServerRequest& req) override {
    if (req.getURI() == "/events") return new EventsHandler(feed_);
    if (req.getURI() == "/action") return new ActionRequestHandler(on_action_);
    return new PageHandler(title_);
  }

 private:
  Feed& feed_;
  std::string title_;
  const WebView::ActionHandler& on_action_;
};

}  // namespace

struct WebView::Impl {
  Feed feed;
  ActionHandler on_action;
  std::unique_ptr<Poco::Net::HTTPServer> server;
  int port = 0;
};

WebView::WebView(int port, std::string title, ActionHandler on_action) : impl_(new Impl) {
  impl_->on_action = std::move(on_action);
  Poco::Net::ServerSocket socket(
      Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)));
  impl_->port = socket.address().port();
  auto* params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(8);
  impl_->server = std::make_unique<Poco::Net::HTTPServer>(
      new Router(impl_->feed, std::move(title), impl_->on_action), socket, params);
  impl_->server->start();
}

WebView::~WebView() {
  {
    std::lock_guard lock(impl_->feed.mu);
    impl_->feed.stopping = true;
  }
  impl_->feed.cv.notify_all();
  impl_->server->stopAll(true);
}

int WebView::port() const { return impl_->port; }

void WebView::publish(const std::string& kind, const std::string& panel_id,
                      const std::string& panel_json) {
  Poco::JSON::Object event(Poco::JSON_PRESERVE_KEY_ORDER);
  event.set("kind", kind);
  event.set("panel_id", panel_id);
  if (!panel_json.empty()) {
    try {
      Poco::JSON::Parser parser;
      event.set("doc", parser.parse(panel_json));
    } catch (const std::exception&) {
      return;  // the terminal view reports unreadable panels
    }
  }
  std::ostringstream out;
  event.stringify(out);
  {
    std::lock_guard lock(impl_->feed.mu);
    impl_->feed.events.push_back(out.str());
  }
  impl_->feed.cv.notify_all();
}
