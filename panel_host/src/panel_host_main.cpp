// mdt-coresponder-panel: the product host. No MDT vendor publishes a plugin
// SDK, so this side-car loads libmdt_coresponder.so through the same ABI as
// every host (mdt_host_api.h) and shows its panels as a page on 127.0.0.1
// in the MDT's own browser (app or kiosk window), beside the vendor's client.
//
// Threads: main (the plugin's lifecycle, then the UI loop that taps queued
// actions, as the ABI asks: never from inside a callback); the server's
// threads (page, events, heartbeats); a status poller that asks the plugin's
// status_json once a second, so a hang shows as "not responding" on the page;
// the browser keeper; the signal waiter. Logs go to stderr with sd-daemon
// level prefixes, which the journal reads under systemd.
#include <dlfcn.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/program_options.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "mdt_host/mdt_host_api.h"
#include "mdtc/config.h"
#include "mdtc/panel_host.h"

extern char** environ;

namespace {

using namespace std::chrono_literals;
namespace panel = mdtc::panel;

int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::mutex g_log_mu;
// "<4>panel: ..." : systemd reads the prefix as the line's priority.
void log_line(int level, const std::string& module, const std::string& message) {
  std::lock_guard lock(g_log_mu);
  std::cerr << '<' << level << '>' << module << ": " << message << std::endl;
}

struct Host {
  std::mutex mu;  // guards the queue and stopping
  std::condition_variable cv;
  std::deque<std::tuple<std::string, std::string, std::string>> pending;  // panel, action, payload
  bool stopping = false;
  std::unique_ptr<panel::PanelServer> server;  // set before the plugin starts
  std::unique_ptr<panel::Speaker> speaker;     // null: speech off or unavailable

  // Pipeline thread only (show, update and notify come from it).
  std::string address;          // of the latest premise panel with a danger flag
  std::string address_panel;    // its panel id
  std::string address_spoken;   // the panel whose address has been spoken

  std::mutex health_mu;
  panel::PluginHealth health;
  int64_t status_at_ms = 0;  // when status_json last returned
};

int32_t publish(Host& h, const char* kind, const char* panel_id, const char* json) {
  const std::string doc = json ? json : "";
  // A strict host: a document that is not a version-1 panel is refused and
  // logged, and the plugin shows it again once a second (ABI header).
  if (const std::string bad = panel::panel_format_error(doc); !bad.empty()) {
    log_line(MDT_LOG_ERROR, "panel", std::string("refused panel ") + (panel_id ? panel_id : "") + ": " + bad);
    return MDT_ERR_INVALID_ARGUMENT;
  }
  h.server->publish(kind, panel_id ? panel_id : "", doc);
  // The dispatch address is spoken after a premise panel's first caution:
  // the subtitle is "CALL TYPE - address" (docs/panel-format.md).
  if (doc.find(R"("kind":"premise")") != std::string::npos &&
      doc.find(R"("severity":"danger")") != std::string::npos) {
    if (const auto at = doc.find(R"("subtitle":")"); at != std::string::npos) {
      const auto start = at + 12, end = doc.find('"', start);
      std::string subtitle = doc.substr(start, end - start);
      if (const auto dash = subtitle.find(" - "); dash != std::string::npos) subtitle.erase(0, dash + 3);
      h.address = subtitle;
      h.address_panel = panel_id ? panel_id : "";
    }
  }
  return MDT_OK;
}

int32_t on_show(void* d, const char* id, const char* json) { return publish(*static_cast<Host*>(d), "show", id, json); }
int32_t on_update(void* d, const char* id, const char* json) {
  return publish(*static_cast<Host*>(d), "update", id, json);
}
int32_t on_close(void* d, const char* id) {
  static_cast<Host*>(d)->server->publish("close", id ? id : "", {});
  return MDT_OK;
}
void on_log(void*, int32_t level, const char* module, const char* message) {
  log_line(level, std::string("plugin.") + (module ? module : ""), message ? message : "");
}
int32_t on_current_user(void*, char* buf, uint32_t size) {
  const passwd* pw = getpwuid(getuid());
  if (!pw || !buf || size == 0) return -1;
  std::snprintf(buf, size, "%s", pw->pw_name);
  return static_cast<int32_t>(std::strlen(pw->pw_name));
}
void on_notify(void* d, int32_t priority, const char* text) {
  auto& h = *static_cast<Host*>(d);
  const std::string line = text ? text : "";
  log_line(MDT_LOG_NOTICE, "panel", std::string(priority == MDT_NOTIFY_CAUTION ? "caution: " : "notice: ") + line);
  if (priority != MDT_NOTIFY_CAUTION || !h.speaker) return;
  // Concealed mode (approaching a scene): no sound at all.
  if (h.server->concealed()) {
    log_line(MDT_LOG_INFO, "panel", "concealed: not spoken");
    return;
  }
  std::string spoken = line;
  if (!h.address.empty() && h.address_spoken != h.address_panel) {
    spoken += " Address: " + h.address + ".";
    h.address_spoken = h.address_panel;
  }
  h.speaker->say(spoken);
}

// The plugin, loaded and started; empty members when it could not be.
struct LoadedPlugin {
  void* lib = nullptr;
  const mdt_plugin_entry* entry = nullptr;
  mdt_plugin* plugin = nullptr;
  std::string error;
};

LoadedPlugin load_plugin(const std::string& path, const std::string& config, const std::string& unit_config,
                         const mdt_host_callbacks& callbacks) {
  LoadedPlugin p;
  p.lib = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!p.lib) {
    p.error = "cannot load " + path + ": " + dlerror();
    return p;
  }
  auto get_entry = reinterpret_cast<mdt_plugin_get_entry_fn>(dlsym(p.lib, MDT_PLUGIN_ENTRY_SYMBOL));
  p.entry = get_entry ? get_entry(MDT_HOST_API_VERSION) : nullptr;
  if (!p.entry || p.entry->struct_size < sizeof(mdt_plugin_entry)) {
    p.error = path + " has no usable " MDT_PLUGIN_ENTRY_SYMBOL " for host ABI " +
              std::to_string(MDT_HOST_API_VERSION);
    p.entry = nullptr;
    return p;
  }
  mdt_plugin_create_info info{};
  info.struct_size = sizeof info;
  info.api_version = MDT_HOST_API_VERSION;
  info.config_path = config.c_str();
  info.unit_config_path = unit_config.empty() ? nullptr : unit_config.c_str();
  mdt_error err{};
  err.struct_size = sizeof err;
  if (p.entry->create(&callbacks, &info, &p.plugin, &err) != MDT_OK) {
    p.error = std::string("plugin refused to start: ") + err.message;
    p.plugin = nullptr;
    return p;
  }
  if (p.entry->start(p.plugin, &err) != MDT_OK) {
    p.error = std::string("plugin failed to start: ") + err.message;
    p.entry->destroy(p.plugin);
    p.plugin = nullptr;
  }
  return p;
}

// Keeps the browser window open: a window closed by mistake comes back,
// since "no panel" must only ever mean "no flags".
void keep_browser(Host& h, const std::vector<std::string>& argv) {
  for (;;) {
    {
      std::lock_guard lock(h.mu);
      if (h.stopping) return;
    }
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = 0;
    if (posix_spawnp(&pid, args[0], nullptr, nullptr, args.data(), environ) != 0) {
      log_line(MDT_LOG_ERROR, "panel", "cannot start the browser " + argv[0]);
    } else {
      log_line(MDT_LOG_INFO, "panel", "browser started (pid " + std::to_string(pid) + ")");
      int status = 0;
      for (;;) {
        const pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid || r < 0) break;
        std::unique_lock lock(h.mu);
        if (h.cv.wait_for(lock, 500ms, [&] { return h.stopping; })) {
          lock.unlock();
          kill(pid, SIGTERM);
          waitpid(pid, &status, 0);
          return;
        }
      }
      log_line(MDT_LOG_WARNING, "panel", "the browser window closed; opening it again");
    }
    std::unique_lock lock(h.mu);
    if (h.cv.wait_for(lock, 3s, [&] { return h.stopping; })) return;
  }
}

}  // namespace

int main(int argc, char** argv) {
  namespace po = boost::program_options;
  std::string plugin_path, config_path, unit_config_path, url_file, browser;
  int port_option = -1;
  po::options_description desc("mdt-coresponder-panel options");
  desc.add_options()("help,h", "show this help")(
      "plugin", po::value(&plugin_path)->default_value("/usr/lib/mdt-coresponder/libmdt_coresponder.so"),
      "the plugin (.so)")(
      "config", po::value(&config_path)->default_value("/etc/mdt-coresponder/fleet.ini"),
      "fleet configuration file")(
      "unit-config", po::value(&unit_config_path)->default_value("/etc/mdt-coresponder/unit.ini"),
      "per-unit override file (skipped when absent)")(
      "port", po::value(&port_option), "serve on 127.0.0.1:PORT (default: panel.port; 0 = any free port)")(
      "browser", po::value(&browser)->default_value("chromium"),
      "browser opened in app mode at the page; 'none' to open none")(
      "kiosk", "open the browser full screen (kiosk mode)")(
      "speak-to", po::value<std::string>(), "write spoken lines as WAV files into DIR instead of the sound card")(
      "url-file", po::value(&url_file),
      "write the page's URL, with its secret, to FILE (mode 0600) for a browser started elsewhere");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    if (vm.count("help")) {
      std::cout << "usage: mdt-coresponder-panel [options]\n" << desc;
      return 0;
    }
    po::notify(vm);
  } catch (const std::exception& e) {
    std::cerr << "mdt-coresponder-panel: " << e.what() << "\n" << desc;
    return 2;
  }
  if (!std::filesystem::exists(unit_config_path)) unit_config_path.clear();

  // The port comes from the same layered configuration the plugin reads;
  // its errors are the plugin's to report on the page.
  int port = 0;
  panel::SpeechOptions speech;
  bool speech_on = true;
  {
    std::vector<std::string> files{config_path};
    if (!unit_config_path.empty()) files.push_back(unit_config_path);
    if (auto cfg = mdtc::config::load(files, mdtc::config::environment_overrides())) {
      port = cfg->panel_port;
      speech_on = cfg->panel_speech;
      speech.voice = cfg->panel_voice;
      speech.volume = cfg->panel_volume;
    }
  }
  if (port_option >= 0) port = port_option;

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  Host host;
  const std::string secret = panel::make_boot_secret();
  panel::PanelServerOptions options;
  options.port = port;
  options.title = "MDT panels";
  options.secret = secret;
  options.same_user_only = true;
  options.log = [](const std::string& line) { log_line(MDT_LOG_WARNING, "panel", line); };
  options.status = [&host] {
    std::lock_guard lock(host.health_mu);
    panel::PluginHealth h = host.health;
    h.status_age_ms = host.status_at_ms ? steady_ms() - host.status_at_ms : 0;
    h.unix_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
    return panel::status_strip_json(h);
  };
  try {
    host.server = std::make_unique<panel::PanelServer>(
        options, [&host](const std::string& panel_id, const std::string& action, const std::string& payload) {
          std::lock_guard lock(host.mu);
          host.pending.emplace_back(panel_id, action, payload);
          host.cv.notify_all();
        });
  } catch (const std::exception& e) {
    log_line(MDT_LOG_ERROR, "panel", e.what());
    return 1;
  }
  const std::string url = "http://127.0.0.1:" + std::to_string(host.server->port()) + "/#" + secret;
  log_line(MDT_LOG_NOTICE, "panel", "serving the panel page on 127.0.0.1:" + std::to_string(host.server->port()));
  if (!url_file.empty()) {
    const std::string tmp = url_file + ".tmp";
    {
      std::ofstream out(tmp, std::ios::trunc);
      out << url << "\n";
    }
    chmod(tmp.c_str(), 0600);
    std::filesystem::rename(tmp, url_file);
  }

  if (speech_on) {
    if (vm.count("speak-to")) speech.wav_dir = vm["speak-to"].as<std::string>();
    try {
      host.speaker = std::make_unique<panel::Speaker>(speech);
    } catch (const std::exception& e) {
      // The panel still shows everything; only the voice is missing.
      log_line(MDT_LOG_ERROR, "panel", std::string("speech off: ") + e.what());
    }
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

  LoadedPlugin plugin = load_plugin(plugin_path, config_path, unit_config_path, callbacks);
  if (!plugin.plugin) {
    // Keep serving: the page says PLUGIN STOPPED in the danger style, which
    // a restart loop of this process could not.
    log_line(MDT_LOG_ERROR, "panel", plugin.error);
    std::lock_guard lock(host.health_mu);
    host.health.started = false;
  }

  std::thread poller([&] {
    if (!plugin.plugin) return;
    bool page_seen = false, page_lost = false;
    for (;;) {
      char* status = plugin.entry->status_json(plugin.plugin);
      {
        std::lock_guard lock(host.health_mu);
        host.health.status_json = status ? status : "";
        host.status_at_ms = steady_ms();
      }
      plugin.entry->free_string(status);
      // The other half of the heartbeat: the journal says when the page
      // stops asking (a browser closed, hung or killed).
      if (const auto beat = host.server->last_heartbeat_ms()) {
        const bool lost = steady_ms() - *beat > 5000;
        if (!page_seen) log_line(MDT_LOG_INFO, "panel", "the page is connected");
        if (lost && !page_lost) log_line(MDT_LOG_WARNING, "panel", "the page stopped sending heartbeats");
        if (!lost && page_lost) log_line(MDT_LOG_NOTICE, "panel", "the page is back");
        page_seen = true;
        page_lost = lost;
      }
      std::unique_lock lock(host.mu);
      if (host.cv.wait_for(lock, 1s, [&] { return host.stopping; })) return;
    }
  });

  std::thread browser_keeper;
  if (browser != "none") {
    std::vector<std::string> args{browser, "--app=" + url, "--no-first-run", "--disable-translate",
                                  "--window-size=1024,768"};
    if (const char* runtime = std::getenv("XDG_RUNTIME_DIR"))
      args.push_back(std::string("--user-data-dir=") + runtime + "/mdt-coresponder-panel-browser");
    if (vm.count("kiosk")) args.push_back("--kiosk");
    browser_keeper = std::thread([&host, args] { keep_browser(host, args); });
  }

  std::thread signal_waiter([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    std::lock_guard lock(host.mu);
    host.stopping = true;
    host.cv.notify_all();
  });

  // The UI loop: taps queued actions, outside any callback.
  mdt_error err{};
  err.struct_size = sizeof err;
  for (;;) {
    std::unique_lock lock(host.mu);
    host.cv.wait(lock, [&] { return host.stopping || !host.pending.empty(); });
    if (host.stopping) break;
    auto [panel_id, action_id, payload] = host.pending.front();
    host.pending.pop_front();
    lock.unlock();
    log_line(MDT_LOG_INFO, "panel", "tap: " + action_id + " on " + panel_id);
    if (!plugin.plugin) continue;
    if (plugin.entry->on_user_action(plugin.plugin, panel_id.c_str(), action_id.c_str(),
                                     payload.empty() ? nullptr : payload.c_str(), &err) != MDT_OK)
      log_line(MDT_LOG_WARNING, "panel", "action " + action_id + " refused: " + err.message);
  }
  signal_waiter.join();
  poller.join();
  if (browser_keeper.joinable()) browser_keeper.join();
  if (plugin.plugin) {
    plugin.entry->stop(plugin.plugin, &err);
    plugin.entry->destroy(plugin.plugin);
  }
  if (host.speaker) host.speaker->drain();
  host.speaker.reset();
  host.server.reset();
  if (plugin.lib) dlclose(plugin.lib);
  return 0;
}
