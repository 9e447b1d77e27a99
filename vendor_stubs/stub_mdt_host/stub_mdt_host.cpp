// stub-mdt-host: the stand-in for a vendor's MDT application. Loads the
// plugin with dlopen exactly as a host would, renders its panels in the
// terminal, records every callback as a JSON line (--record), and can tap
// panel actions by itself (--auto-action) so demos and tests run unattended.
#include <dlfcn.h>
#include <spawn.h>
#include <sys/wait.h>
#include <signal.h>
#include <unistd.h>

#include <Poco/DateTime.h>
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <boost/program_options.hpp>
#include <cctype>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <tuple>
#include <fstream>
#include <iostream>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "mdt_host/mdt_host_api.h"
#include "panel_renderer.h"
#include "mdtc/panel_host.h"

extern char** environ;

namespace {

struct Host {
  std::string label;
  std::string user = "officer.demo";
  std::vector<std::string> auto_actions;
  bool color = false;
  bool quiet_log = true;
  bool speak = false;          // CAUTION notifications through espeak-ng
  std::string speak_dir;       // or into WAV files there, one per line
  int spoken = 0;

  std::mutex mu;  // guards everything below; callbacks come from plugin threads
  std::ofstream record;
  std::condition_variable cv;
  // {panel id, action id, payload JSON or empty}
  std::deque<std::tuple<std::string, std::string, std::string>> pending_actions;
  std::set<std::string> actions_done;
  bool stopping = false;
  std::unique_ptr<mdtc::panel::PanelServer> web;  // set before the plugin starts, reset after it stops
};

std::string now_rfc3339() {
  return Poco::DateTimeFormatter::format(Poco::DateTime(), "%Y-%m-%dT%H:%M:%S.%iZ");
}

// One JSON line per callback; `doc` is embedded as an object when it parses.
void record_line(Host& h, const std::string& cb, const std::string& panel_id,
                 const char* json_doc, const std::string& extra_key = {},
                 const std::string& extra_value = {}) {
  if (!h.record.is_open()) return;
  Poco::JSON::Object line(Poco::JSON_PRESERVE_KEY_ORDER);
  line.set("t", now_rfc3339());
  line.set("cb", cb);
  if (!panel_id.empty()) line.set("panel_id", panel_id);
  if (json_doc) {
    try {
      Poco::JSON::Parser parser;
      line.set("doc", parser.parse(json_doc));
    } catch (const std::exception&) {
      line.set("doc_invalid", std::string(json_doc));
    }
  }
  if (!extra_key.empty()) line.set(extra_key, extra_value);
  line.stringify(h.record);
  h.record << '\n';
  h.record.flush();
}

void queue_auto_actions(Host& h, const std::string& panel_id, const char* json_doc) {
  if (h.auto_actions.empty()) return;
  try {
    Poco::JSON::Parser parser;
    auto doc = parser.parse(json_doc).extract<Poco::JSON::Object::Ptr>();
    auto actions = doc->getArray("actions");
    if (!actions) return;
    for (unsigned i = 0; i < actions->size(); ++i) {
      const std::string id = actions->getObject(i)->getValue<std::string>("id");
      for (const auto& wanted : h.auto_actions) {
        if (id != wanted || !h.actions_done.insert(panel_id + "/" + id).second) continue;
        h.pending_actions.emplace_back(panel_id, id, std::string());
        h.cv.notify_all();
      }
    }
  } catch (const std::exception&) {
    // A panel the renderer could not read gets no automatic taps.
  }
}

// show_panel and update_panel differ only in their name on screen and record.
int32_t on_panel(void* data, const char* cb, const char* kind, const char* panel_id,
                 const char* json) {
  auto& h = *static_cast<Host*>(data);
  std::lock_guard lock(h.mu);
  // A strict host: a document that is not a version-1 panel is refused and
  // recorded, so a test run finds every panel the format does not allow.
  if (const std::string bad = mdtc::panel::panel_format_error(json ? json : ""); !bad.empty()) {
    record_line(h, cb, panel_id, json, "panel_invalid", bad);
    std::cerr << h.label << " refused panel " << panel_id << ": " << bad << "\n";
    return MDT_ERR_INVALID_ARGUMENT;
  }
  record_line(h, cb, panel_id, json);
  std::string verb = kind;
  for (auto& c : verb) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::cout << render_panel(json, h.label, verb, h.color) << std::flush;
  if (h.web) h.web->publish(kind, panel_id, json);
  queue_auto_actions(h, panel_id, json);
  return MDT_OK;
}

int32_t on_show(void* data, const char* panel_id, const char* json) {
  return on_panel(data, "show_panel", "show", panel_id, json);
}

int32_t on_update(void* data, const char* panel_id, const char* json) {
  return on_panel(data, "update_panel", "update", panel_id, json);
}

int32_t on_close(void* data, const char* panel_id) {
  auto& h = *static_cast<Host*>(data);
  std::lock_guard lock(h.mu);
  record_line(h, "close_panel", panel_id, nullptr);
  std::cout << h.label << " panel closed: " << panel_id << "\n" << std::flush;
  if (h.web) h.web->publish("close", panel_id, {});
  return MDT_OK;
}

void on_log(void* data, int32_t level, const char* module, const char* message) {
  auto& h = *static_cast<Host*>(data);
  std::lock_guard lock(h.mu);
  record_line(h, "log", {}, nullptr, "message",
              std::string(module ? module : "") + ": " + (message ? message : ""));
  if (!h.quiet_log || level <= MDT_LOG_WARNING)
    std::cerr << h.label << " log[" << level << "] " << (module ? module : "") << ": "
              << (message ? message : "") << "\n";
}

int32_t on_current_user(void* data, char* buf, uint32_t size) {
  auto& h = *static_cast<Host*>(data);
  if (!buf || size == 0) return -1;
  std::snprintf(buf, size, "%s", h.user.c_str());
  return static_cast<int32_t>(h.user.size());
}

// Speaks a line with espeak-ng without holding up the plugin's thread.
void speak(const std::string& text, const std::string& wav_path) {
  std::vector<std::string> args{"espeak-ng", "-s", "150"};
  if (!wav_path.empty()) args.insert(args.end(), {"-w", wav_path});
  args.push_back(text);
  std::thread([args] {
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    pid_t pid = 0;
    if (posix_spawnp(&pid, "espeak-ng", nullptr, nullptr, argv.data(), environ) == 0)
      waitpid(pid, nullptr, 0);
  }).detach();
}

void on_notify(void* data, int32_t priority, const char* text) {
  auto& h = *static_cast<Host*>(data);
  std::lock_guard lock(h.mu);
  record_line(h, "notify", {}, nullptr, "text", text ? text : "");
  if (priority == MDT_NOTIFY_CAUTION && text && (h.speak || !h.speak_dir.empty()))
    speak(text, h.speak_dir.empty() ? std::string()
                                    : h.speak_dir + "/spoken-" + std::to_string(++h.spoken) + ".wav");
  std::cout << h.label << (priority == MDT_NOTIFY_CAUTION ? " SPOKEN: " : " NOTICE: ")
            << (text ? text : "") << "\n"
            << std::flush;
}

}  // namespace

int main(int argc, char** argv) {
  namespace po = boost::program_options;
  std::string plugin_path, config_path, unit_config_path, record_path;
  Host host;
  po::options_description desc("stub-mdt-host options");
  desc.add_options()("help,h", "show this help")(
      "plugin", po::value(&plugin_path)->required(), "plugin shared library (.so)")(
      "config", po::value(&config_path)->required(), "fleet configuration file")(
      "unit-config", po::value(&unit_config_path), "per-unit override file")(
      "record", po::value(&record_path), "write every host callback as a JSON line to FILE")(
      "auto-action", po::value(&host.auto_actions)->composing(),
      "tap this action id whenever a panel offers it (repeatable)")(
      "user", po::value(&host.user), "signed-in user reported for the audit log")(
      "label", po::value(&host.label), "prefix for terminal output, e.g. [2A31]")(
      "web-port", po::value<int>()->default_value(-1),
      "serve the live panel page on 127.0.0.1:PORT (0 picks a free port; -1 off)")(
      "speak", "speak caution notifications aloud with espeak-ng")(
      "speak-to", po::value(&host.speak_dir), "write spoken caution lines as WAV files into DIR")(
      "verbose", "print every plugin log line");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    if (vm.count("help")) {
      std::cout << "usage: stub-mdt-host --plugin SO --config FILE [options]\n" << desc;
      return 0;
    }
    po::notify(vm);
  } catch (const std::exception& e) {
    std::cerr << "stub-mdt-host: " << e.what() << "\n" << desc;
    return 2;
  }
  host.quiet_log = vm.count("verbose") == 0;
  host.speak = vm.count("speak") > 0;
  host.color = isatty(STDOUT_FILENO) != 0;
  if (!record_path.empty()) {
    host.record.open(record_path, std::ios::app);
    if (!host.record) {
      std::cerr << "stub-mdt-host: cannot write " << record_path << "\n";
      return 1;
    }
  }

  // Signals go to one waiting thread; the plugin's threads inherit the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  if (const int web_port = vm["web-port"].as<int>(); web_port >= 0) {
    try {
      // A test bench: no secret, so a demo's browser opens the plain URL;
      // the product host (mdt-coresponder-panel) always asks for one.
      mdtc::panel::PanelServerOptions web_options;
      web_options.port = web_port;
      web_options.title = host.label.empty() ? "MDT" : host.label;
      host.web = std::make_unique<mdtc::panel::PanelServer>(
          web_options,
          [&host](const std::string& panel_id, const std::string& action, const std::string& payload) {
            std::lock_guard lock(host.mu);
            host.pending_actions.emplace_back(panel_id, action, payload);
            host.cv.notify_all();
          });
    } catch (const std::exception& e) {
      std::cerr << "stub-mdt-host: cannot serve the web view on port " << web_port << ": "
                << e.what() << "\n";
      return 1;
    }
    std::lock_guard lock(host.mu);
    record_line(host, "web", {}, nullptr, "url",
                "http://127.0.0.1:" + std::to_string(host.web->port()) + "/");
    std::cout << host.label << " web view: http://127.0.0.1:" << host.web->port() << "/\n"
              << std::flush;
  }

  void* lib = dlopen(plugin_path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    std::cerr << "stub-mdt-host: cannot load " << plugin_path << ": " << dlerror() << "\n";
    return 1;
  }
  auto get_entry =
      reinterpret_cast<mdt_plugin_get_entry_fn>(dlsym(lib, MDT_PLUGIN_ENTRY_SYMBOL));
  const mdt_plugin_entry* entry = get_entry ? get_entry(MDT_HOST_API_VERSION) : nullptr;
  if (!entry || entry->struct_size < sizeof(mdt_plugin_entry)) {
    std::cerr << "stub-mdt-host: " << plugin_path << " has no usable " MDT_PLUGIN_ENTRY_SYMBOL
              << " for host ABI " << MDT_HOST_API_VERSION << "\n";
    dlclose(lib);
    return 1;
  }

  mdt_host_callbacks callbacks{};
  callbacks.struct_size = sizeof callbacks;
  callbacks.api_version = MDT_HOST_API_VERSION;
  callbacks.host_data = &host;
  callbacks.show_panel = on_show;
  callbacks.update_panel = on_update;
  callbacks.close_panel = on_close;
  callbacks.log = on_log;
  callbacks.current_user = on_current_user;
  callbacks.notify = on_notify;

  mdt_plugin_create_info info{};
  info.struct_size = sizeof info;
  info.api_version = MDT_HOST_API_VERSION;
  info.config_path = config_path.c_str();
  info.unit_config_path = unit_config_path.empty() ? nullptr : unit_config_path.c_str();

  mdt_error err{};
  err.struct_size = sizeof err;
  mdt_plugin* plugin = nullptr;
  if (entry->create(&callbacks, &info, &plugin, &err) != MDT_OK) {
    std::cerr << "stub-mdt-host: plugin refused to start: " << err.message << "\n";
    dlclose(lib);
    return 1;
  }
  if (entry->start(plugin, &err) != MDT_OK) {
    std::cerr << "stub-mdt-host: plugin failed to start: " << err.message << "\n";
    entry->destroy(plugin);
    dlclose(lib);
    return 1;
  }
  {
    std::lock_guard lock(host.mu);
    record_line(host, "started", {}, nullptr);
    std::cout << host.label << " stub-mdt-host ready\n" << std::flush;
  }

  std::thread signal_waiter([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    std::lock_guard lock(host.mu);
    host.stopping = true;
    host.cv.notify_all();
  });

  // The host's UI thread: taps queued actions, outside any callback, as the
  // ABI requires.
  for (;;) {
    std::unique_lock lock(host.mu);
    host.cv.wait(lock, [&] { return host.stopping || !host.pending_actions.empty(); });
    if (host.stopping) break;
    auto [panel_id, action_id, payload] = host.pending_actions.front();
    host.pending_actions.pop_front();
    record_line(host, "user_action", panel_id, nullptr, "action", action_id);
    std::cout << host.label << " TAP: " << action_id << " on " << panel_id << "\n" << std::flush;
    lock.unlock();
    if (entry->on_user_action(plugin, panel_id.c_str(), action_id.c_str(),
                              payload.empty() ? nullptr : payload.c_str(), &err) != MDT_OK)
      std::cerr << host.label << " action " << action_id << " refused: " << err.message << "\n";
  }
  signal_waiter.join();

  char* status = entry->status_json(plugin);
  entry->stop(plugin, &err);
  {
    std::lock_guard lock(host.mu);
    if (status) record_line(host, "status", {}, status);
  }
  entry->free_string(status);
  entry->destroy(plugin);
  host.web.reset();
  dlclose(lib);
  return 0;
}
