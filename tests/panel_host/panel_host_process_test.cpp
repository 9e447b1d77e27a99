// The real mdt-coresponder-panel process, asked for its status strip the
// way the page asks (POST /heartbeat with the boot secret), with
//  - a test-only plugin that hangs, so the strip must turn to PLUGIN NOT
//    RESPONDING in a running host and back once the plugin answers again;
//  - two hosts with the real plugin on one group-shared state directory, as
//    two signed-in sessions on one car would be: the first's files are the
//    group's, and the second must not run the plugin.
// No browser: the strip's JSON is what the page renders (panel_page_test).
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <thread>

#include "child_process.h"
#include "temp_dir.h"

namespace mdtc::test {
namespace {

using namespace std::chrono_literals;

bool has(const std::string& s, const std::string& what) { return s.find(what) != std::string::npos; }

class Host {
 public:
  Host(const TempDir& dir, const std::string& name, const std::string& plugin, const std::string& config)
      : dir_(dir), name_(name) {
    process_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{MDTC_PANEL_HOST, "--plugin", plugin, "--config", config, "--unit-config",
                                 dir.file("none.ini"), "--browser", "none", "--url-file", dir.file(name + ".url"),
                                 "--port", "0"},
        log());
    const bool up = wait_for_line(dir.file(name + ".url"), [](auto& l) { return has(l, "http://127.0.0.1:"); }, 30s);
    if (!up) throw std::runtime_error(name + " did not start: " + read_file(log()));
    const std::string url = read_lines(dir.file(name + ".url")).at(0);
    const std::string prefix = "http://127.0.0.1:";
    port_ = std::stoi(url.substr(prefix.size()));
    secret_ = url.substr(url.find('#') + 1);
  }

  std::string log() const { return dir_.file(name_ + ".out"); }
  ChildProcess& process() { return *process_; }

  // The page's heartbeat: the status strip as the page gets it.
  std::string strip() {
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port_));
    session.setTimeout(Poco::Timespan(5, 0));
    Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_POST, "/heartbeat", Poco::Net::HTTPMessage::HTTP_1_1);
    req.set("X-Panel-Secret", secret_);
    req.setContentLength(0);
    session.sendRequest(req);
    Poco::Net::HTTPResponse resp;
    std::istream& in = session.receiveResponse(resp);
    std::string body;
    Poco::StreamCopier::copyToString(in, body);
    return body;
  }

  // The plugin chip's words, e.g. "PLUGIN NOT RESPONDING".
  std::string plugin_chip() {
    const auto root = Poco::JSON::Parser().parse(strip()).extract<Poco::JSON::Object::Ptr>();
    const auto items = root->getArray("items");
    for (std::size_t i = 0; i < items->size(); ++i) {
      const auto item = items->getObject(static_cast<unsigned>(i));
      if (item->getValue<std::string>("id") == "plugin")
        return item->getValue<std::string>("text") + " (" + item->getValue<std::string>("severity") + ")";
    }
    return "";
  }

  // Seconds until the plugin chip reads `want`, asking as the page does;
  // fails past `limit`.
  double seconds_until_chip(const std::string& want, std::chrono::seconds limit = 20s) {
    const auto t0 = std::chrono::steady_clock::now();
    std::string last;
    while (std::chrono::steady_clock::now() - t0 < limit) {
      last = plugin_chip();
      if (last == want) return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      // The poll's pace (the page asks once a second): the strip's words
      // are what is awaited, up to the deadline.
      std::this_thread::sleep_for(200ms);
    }
    ADD_FAILURE() << "plugin chip still '" << last << "', not '" << want << "'\n" << read_file(log());
    return -1;
  }

 private:
  const TempDir& dir_;
  std::string name_;
  std::unique_ptr<ChildProcess> process_;
  int port_ = 0;
  std::string secret_;
};

TEST(PanelHostProcess, AHungPluginIsShownNotRespondingAndRecovers) {
  TempDir dir;
  const std::string config = dir.file("fleet.ini");
  write_file(config, "[unit]\nid = 2A31\nrole = patrol\n");
  Host host(dir, "host", MDTC_HANGING_PLUGIN, config);
  host.seconds_until_chip("Plugin OK (info)");

  write_file(config + ".hang", "");  // status_json now blocks
  const double hung = host.seconds_until_chip("PLUGIN NOT RESPONDING (danger)");
  std::cout << "status_json hung -> PLUGIN NOT RESPONDING after " << hung << " s\n";
  std::filesystem::remove(config + ".hang");
  host.seconds_until_chip("Plugin OK (info)");

  write_file(config + ".stall", "");  // answers, but its pipeline stands still
  const double stalled = host.seconds_until_chip("PLUGIN NOT RESPONDING (danger)");
  std::cout << "pipeline stalled -> PLUGIN NOT RESPONDING after " << stalled << " s\n";
  std::filesystem::remove(config + ".stall");
  host.seconds_until_chip("Plugin OK (info)");

  EXPECT_EQ(host.process().terminate(10s), 0) << read_file(host.log());
}

// The state directory as the package makes it (2770): whatever the plugin
// creates there at start is the group's, keys read-only to it, and nothing
// is anyone else's; a second host on it is refused.
TEST(PanelHostProcess, ThePluginsFilesInTheSharedStateAreTheGroupsAndASecondHostIsRefused) {
  TempDir dir;
  const std::string state = dir.file("state");
  std::filesystem::create_directory(state);
  std::filesystem::permissions(state, static_cast<std::filesystem::perms>(02770));
  const std::string config = dir.file("fleet.ini");
  // Nothing listens on the CAD ports: the plugin starts all the same.
  write_file(config, "[unit]\nid = 2A31\nrole = patrol\n\n[cad]\nsubscribe_endpoint = tcp://127.0.0.1:" +
                         std::to_string(free_tcp_port()) + "\ndealer_endpoint = tcp://127.0.0.1:" +
                         std::to_string(free_tcp_port()) + "\n\n[cache]\ndb = " + state + "/cache.db" +
                         "\n\n[gps]\nport =\n\n[panel]\nspeech = false\n");
  Host first(dir, "first", MDTC_PLUGIN_PATH, config);
  first.seconds_until_chip("Plugin OK (info)");
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(state)) {
    struct stat st {};
    ASSERT_EQ(::stat(entry.path().c_str(), &st), 0);
    const bool key = entry.path().extension() == ".key";
    EXPECT_EQ(st.st_mode & 07777, key ? 0640u : 0660u) << entry.path();
    ++files;
  }
  EXPECT_GE(files, 3) << "the journal, the outbox, the sealing key and the lock at least";
  Host second(dir, "second", MDTC_PLUGIN_PATH, config);
  second.seconds_until_chip("PLUGIN STOPPED (danger)");
  EXPECT_TRUE(wait_for_line(second.log(), [](auto& l) { return has(l, "already runs unit 2A31 on "); }, 10s))
      << read_file(second.log());
  EXPECT_TRUE(has(read_file(second.log()), "pid " + std::to_string(first.process().pid())));
  EXPECT_EQ(first.plugin_chip(), "Plugin OK (info)");
}

}  // namespace
}  // namespace mdtc::test
